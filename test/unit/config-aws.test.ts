/**
 * The `aws:` block of a service and of `defaults:` (src/config/aws-schema.ts, aws-checks.ts):
 * what loads, what each key refuses, how the service's keys override the defaults', and the
 * checks of the service's ARNs against its Region and role — each reported at its line:column.
 */
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load-config.js';

const ROLE = 'arn:aws:iam::123456789012:role/greenlight';
const OTHER_ROLE = 'arn:aws:iam::210987654321:role/deploy/greenlight';

const arns = (region: string, account: string) => ({
  listener: `arn:aws:elasticloadbalancing:${region}:${account}:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2`,
  blue: `arn:aws:elasticloadbalancing:${region}:${account}:targetgroup/checkout-blue/73e2d6bc24d8a067`,
  green: `arn:aws:elasticloadbalancing:${region}:${account}:targetgroup/checkout-green/09966783158cda59`,
});

/** The same ARNs in another partition. */
const inPartition = (a: ReturnType<typeof arns>, partition: string) => ({
  listener: a.listener.replace('arn:aws:', `arn:${partition}:`),
  blue: a.blue.replace('arn:aws:', `arn:${partition}:`),
  green: a.green.replace('arn:aws:', `arn:${partition}:`),
});

/** A file with one service `checkout` whose resources are in `at` and whose `aws:` lines are given. */
function file(opts: { aws?: string[]; defaults?: string[]; at?: ReturnType<typeof arns> }): string {
  const a = opts.at ?? arns('us-east-1', '123456789012');
  return [
    ...(opts.defaults ? ['defaults:', '  aws:', ...opts.defaults.map((l) => `    ${l}`)] : []),
    'services:',
    '  checkout:',
    '    channel: C0DEPLOYS',
    `    listeners: [${a.listener}]`,
    '    slots:',
    `      blue: ${a.blue}`,
    `      green: ${a.green}`,
    '    approvers: { users: [U0APPROVER] }',
    ...(opts.aws ? ['    aws:', ...opts.aws.map((l) => `      ${l}`)] : []),
    '',
  ].join('\n');
}

function problems(yaml: string): string[] {
  const r = parseConfigText(yaml, 'greenlight.yml');
  expect(r.ok, 'the file should not load').toBe(false);
  return r.ok ? [] : r.problems;
}

function loaded(yaml: string) {
  const r = parseConfigText(yaml, 'greenlight.yml');
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.config.services['checkout'];
}

describe('the aws: block', () => {
  it('loads a Region, a role and an external ID; without it a service has no aws settings', () => {
    expect(loaded(file({}))?.aws).toBeUndefined();
    expect(
      loaded(file({ aws: ['region: us-east-1', `roleArn: ${ROLE}`, 'externalId: shop-7f3c'] }))?.aws,
    ).toEqual({ region: 'us-east-1', roleArn: ROLE, externalId: 'shop-7f3c' });
  });

  it('takes each key from the service over the defaults', () => {
    const at = arns('eu-west-1', '210987654321');
    const svc = loaded(
      file({
        at,
        defaults: ['region: us-east-1', `roleArn: ${OTHER_ROLE}`, 'externalId: from-defaults'],
        aws: ['region: eu-west-1'],
      }),
    );
    expect(svc?.aws).toEqual({ region: 'eu-west-1', roleArn: OTHER_ROLE, externalId: 'from-defaults' });
  });

  it('accepts the Regions of every partition and role paths', () => {
    for (const region of ['us-east-1', 'eu-central-2', 'ap-southeast-5', 'il-central-1', 'ca-west-1']) {
      expect(
        loaded(file({ at: arns(region, '123456789012'), aws: [`region: ${region}`] }))?.aws?.region,
      ).toBe(region);
    }
    const gov = arns('us-gov-west-1', '123456789012');
    const govArns = {
      listener: gov.listener.replace('arn:aws:', 'arn:aws-us-gov:'),
      blue: gov.blue.replace('arn:aws:', 'arn:aws-us-gov:'),
      green: gov.green.replace('arn:aws:', 'arn:aws-us-gov:'),
    };
    const govRole = 'arn:aws-us-gov:iam::123456789012:role/team/greenlight';
    expect(loaded(file({ at: govArns, aws: ['region: us-gov-west-1', `roleArn: ${govRole}`] }))?.aws).toEqual(
      {
        region: 'us-gov-west-1',
        roleArn: govRole,
      },
    );
    const cn = arns('cn-north-1', '123456789012');
    const cnArns = {
      listener: cn.listener.replace('arn:aws:', 'arn:aws-cn:'),
      blue: cn.blue.replace('arn:aws:', 'arn:aws-cn:'),
      green: cn.green.replace('arn:aws:', 'arn:aws-cn:'),
    };
    expect(loaded(file({ at: cnArns, aws: ['region: cn-north-1'] }))?.aws).toEqual({ region: 'cn-north-1' });
    // The ISO partitions: a role acts in their Regions too.
    for (const [partition, region] of [
      ['aws-iso', 'us-iso-east-1'],
      ['aws-iso-b', 'us-isob-east-1'],
      ['aws-iso-e', 'eu-isoe-west-1'],
      ['aws-iso-f', 'us-isof-south-1'],
    ] as const) {
      const at = inPartition(arns(region, '123456789012'), partition);
      const role = `arn:${partition}:iam::123456789012:role/greenlight`;
      expect(loaded(file({ at, aws: [`region: ${region}`, `roleArn: ${role}`] }))?.aws, partition).toEqual({
        region,
        roleArn: role,
      });
    }
  });

  it('refuses an ISO Region no partition has, and a role of another ISO partition than the Region', () => {
    expect(problems(file({ aws: ['region: us-isoz-east-1'] }))).toEqual([
      'greenlight.yml:10:15: services.checkout.aws.region: not an AWS Region such as us-east-1, eu-central-2, us-gov-west-1 or cn-north-1',
    ]);
    expect(
      problems(file({ aws: ['roleArn: arn:aws-iso-z:iam::123456789012:role/greenlight'] })),
    ).toHaveLength(1);
    const at = inPartition(arns('us-isob-east-1', '123456789012'), 'aws-iso-b');
    expect(
      problems(
        file({
          at,
          aws: ['region: us-isob-east-1', 'roleArn: arn:aws-iso:iam::123456789012:role/greenlight'],
        }),
      ),
    ).toContain(
      'greenlight.yml:11:16: services.checkout.aws.roleArn: the role is in partition aws-iso but services.checkout.aws.region (us-isob-east-1) is in partition aws-iso-b; a role acts only in Regions of its own partition',
    );
  });

  it('refuses a malformed Region, role ARN or external ID, and an unknown key, each at its place', () => {
    expect(problems(file({ aws: ['region: us-easte-1'] }))).toEqual([
      'greenlight.yml:10:15: services.checkout.aws.region: not an AWS Region such as us-east-1, eu-central-2, us-gov-west-1 or cn-north-1',
    ]);
    expect(problems(file({ aws: ['region: US-EAST-1'] }))).toHaveLength(1);
    expect(problems(file({ aws: ['roleArn: arn:aws:iam::1234:role/greenlight'] }))).toEqual([
      'greenlight.yml:10:16: services.checkout.aws.roleArn: not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)',
    ]);
    // A user, not a role; a role name with a space.
    expect(problems(file({ aws: ['roleArn: arn:aws:iam::123456789012:user/greenlight'] }))).toHaveLength(1);
    expect(problems(file({ aws: ['roleArn: "arn:aws:iam::123456789012:role/green light"'] }))).toHaveLength(
      1,
    );
    expect(problems(file({ aws: [`roleArn: ${ROLE}`, 'externalId: "has space"'] }))).toEqual([
      'greenlight.yml:11:19: services.checkout.aws.externalId: 2 to 1224 characters of letters, digits and _+=,.@:/- (STS ExternalId)',
    ]);
    expect(problems(file({ aws: [`roleArn: ${ROLE}`, 'externalId: x'] }))).toHaveLength(1);
    expect(problems(file({ aws: [`roleArn: ${ROLE}`, `externalId: ${'x'.repeat(1225)}`] }))).toHaveLength(1);
    expect(problems(file({ aws: ['regoin: us-east-1'] }))).toEqual([
      'greenlight.yml:10:7: services.checkout.aws.regoin: unknown key; did you mean region? (aws accepts region, roleArn, externalId)',
    ]);
  });

  it('refuses an external ID without a role, in the service or in the defaults', () => {
    expect(problems(file({ aws: ['externalId: shop-7f3c'] }))).toEqual([
      'greenlight.yml:10:19: services.checkout.aws.externalId: an external ID is only sent when assuming a role: give aws.roleArn too (here or under defaults.aws)',
    ]);
    expect(problems(file({ defaults: ['externalId: shop-7f3c'] }))).toEqual([
      'greenlight.yml:3:17: defaults.aws.externalId: service checkout has no aws.roleArn (here or in defaults): an external ID is only sent when assuming a role',
    ]);
    // The role may come from the defaults.
    expect(loaded(file({ defaults: [`roleArn: ${ROLE}`], aws: ['externalId: shop-7f3c'] }))?.aws).toEqual({
      roleArn: ROLE,
      externalId: 'shop-7f3c',
    });
  });

  it("refuses listeners outside the service's Region at each ARN, and a target group once", () => {
    const west = arns('us-west-2', '123456789012');
    // The target groups are where their listeners are: the listener is the mistake.
    expect(problems(file({ at: west, aws: ['region: us-east-1'] }))).toEqual([
      `greenlight.yml:4:17: services.checkout.listeners.0: in region us-west-2, but the service's AWS Region is us-east-1 (services.checkout.aws.region); Greenlight reaches its resources in that Region only`,
    ]);
    // A target group elsewhere than its listeners is named once, by the check of slots against listeners.
    const oneOff = { ...arns('us-east-1', '123456789012'), green: arns('eu-west-1', '123456789012').green };
    const slotProblems = problems(file({ at: oneOff, aws: ['region: us-east-1'] }));
    expect(slotProblems).toHaveLength(1);
    expect(slotProblems[0]).toMatch(/^greenlight\.yml:7:14: services\.checkout\.slots\.green: .*eu-west-1/);
    // The Region from the defaults names where it is written.
    expect(problems(file({ at: west, defaults: ['region: eu-west-1'] }))[0]).toContain(
      "the service's AWS Region is eu-west-1 (defaults.aws.region)",
    );
  });

  it("refuses listeners and target groups outside the role's account", () => {
    const elsewhere = arns('us-east-1', '123456789012');
    const out = problems(file({ at: elsewhere, aws: [`roleArn: ${OTHER_ROLE}`] }));
    expect(out).toHaveLength(1); // the listener; its target groups are where it is
    expect(out[0]).toBe(
      `greenlight.yml:4:17: services.checkout.listeners.0: in account 123456789012, but services.checkout.aws.roleArn is a role of account 210987654321; Greenlight reaches the service's resources as that role, so they must be in its account`,
    );
    // A slot alone in another account is named alone, once.
    const mixed = { ...arns('eu-west-1', '210987654321'), green: arns('eu-west-1', '123456789012').green };
    expect(problems(file({ at: mixed, aws: ['region: eu-west-1', `roleArn: ${OTHER_ROLE}`] }))).toEqual([
      'greenlight.yml:7:14: services.checkout.slots.green: target group is in region eu-west-1, account 123456789012 but the listeners are in region eu-west-1, account 210987654321',
    ]);
  });

  it('refuses a role and a Region of different partitions', () => {
    const cn = arns('cn-north-1', '123456789012');
    expect(problems(file({ at: cn, aws: ['region: cn-north-1', `roleArn: ${ROLE}`] }))).toContain(
      'greenlight.yml:11:16: services.checkout.aws.roleArn: the role is in partition aws but services.checkout.aws.region (cn-north-1) is in partition aws-cn; a role acts only in Regions of its own partition',
    );
  });
});
