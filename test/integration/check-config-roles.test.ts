/**
 * `npm run check-config` for services reached through assumed roles, against the local AWS
 * endpoint (STS included) through the real SDK: each distinct role is assumed once and its
 * services are checked as that role; a role that cannot be assumed is one problem with STS's
 * answer; every read the role is refused names its IAM action and resource. The external ID is
 * never printed.
 */
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../sandbox/fake-elb/demo.js';
import { checkConfigFile, useCheckConfigAws } from '../helpers/check-config-run.js';

const ROLE = 'arn:aws:iam::123456789012:role/greenlight-shop';
const DENIED_ROLE = 'arn:aws:iam::123456789012:role/greenlight-readonly';
const UNKNOWN_ROLE = 'arn:aws:iam::123456789012:role/greenlight-missing';
const EXTERNAL_ID = 'shop-7f3c-secretish';

/** A greenlight.yml with these demo services, each with its `aws:` block and `extra` lines. */
const configFile = (services: { name: 'checkout' | 'search'; aws: string; extra?: string[] }[]) =>
  checkConfigFile(
    services.map((s) => ({ name: s.name, demo: s.name, lines: [`aws: ${s.aws}`, ...(s.extra ?? [])] })),
    'greenlight-check-roles-',
  );

describe('npm run check-config with roles', () => {
  const local = useCheckConfigAws((aws) => {
    aws.ecs.addService('shop', 'checkout-blue', { desired: 2 });
    aws.sts.addRole(ROLE, { externalId: EXTERNAL_ID });
    aws.sts.addRole(DENIED_ROLE, {
      deny: ['elasticloadbalancing:DescribeTargetHealth', 'ecs:DescribeServices'],
    });
  });
  const run = (path: string) => local.run(path);

  it('checks a service as its role, assuming the role once', async () => {
    const before = local.aws.sts.calls.length;
    const path = configFile([
      {
        name: 'checkout',
        aws: `{ region: us-east-1, roleArn: ${ROLE}, externalId: ${EXTERNAL_ID} }`,
        extra: ['compute: { blue: { ecs: { cluster: shop, service: checkout-blue } } }'],
      },
    ]);
    const { code, text } = await run(path);
    expect(text).toContain(
      `Checking AWS (region us-east-1, as role ${ROLE}, endpoint ${local.aws.url}): checkout`,
    );
    expect(text).toContain('live now: blue');
    expect(text).toContain('ECS shop/checkout-blue desired 2');
    expect(text).not.toContain(EXTERNAL_ID);
    expect(code).toBe(0);
    expect(local.aws.sts.calls.slice(before).map((c) => [c.roleArn, c.caller, c.outcome])).toEqual([
      [ROLE, 'AKIDCHECK', 'ok'],
    ]);
  });

  it('says which role cannot be assumed and which reads a role is refused, naming action and resource', async () => {
    const path = configFile([
      {
        name: 'checkout',
        aws: `{ roleArn: ${DENIED_ROLE} }`,
        extra: ['compute: { blue: { ecs: { cluster: shop, service: checkout-blue } } }'],
      },
      { name: 'search', aws: `{ roleArn: ${UNKNOWN_ROLE}, externalId: ${EXTERNAL_ID} }` },
    ]);
    const { code, text } = await run(path);
    expect(code).toBe(1);
    const problems = text.slice(text.indexOf('Problems ('));
    expect(problems).toContain(
      `  - search: AssumeRole failed: AccessDenied: cannot assume ${UNKNOWN_ROLE}: User: arn:aws:iam::123456789012:user/greenlight-local is not authorized to perform: sts:AssumeRole on resource: ${UNKNOWN_ROLE}`,
    );
    expect(problems).toContain(
      "  - search: the role's trust policy must let the bot's principal call sts:AssumeRole",
    );
    for (const slot of [DEMO.checkout.blueArn, DEMO.checkout.greenArn]) {
      expect(problems).toContain(
        `  - checkout: elasticloadbalancing:DescribeTargetHealth on ${slot} is denied to ${DENIED_ROLE} (AccessDenied).`,
      );
    }
    expect(problems).toContain(
      `  - services.checkout.compute.blue: ecs:DescribeServices on ecs:shop/checkout-blue is denied to ${DENIED_ROLE} (AccessDenied).`,
    );
    // What the role may read is still checked and shown.
    expect(text).toContain('live now: blue');
    expect(text).toContain('search: not checked (the role cannot be assumed: see the problems below)');
    expect(text).not.toContain(EXTERNAL_ID);
    expect(text).not.toMatch(/\n\s+at /);
  });

  it('is NOT OK when a service has no Region to be checked in (no aws.region, AWS_REGION unset)', async () => {
    const path = configFile([
      { name: 'checkout', aws: '{ region: us-east-1 }' },
      { name: 'search', aws: `{ roleArn: ${ROLE}, externalId: ${EXTERNAL_ID} }` },
    ]);
    const { code, text } = await local.run(path, {}, [
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_ENDPOINT_URL',
    ]);
    expect(code).toBe(1);
    expect(text).toContain('Checking AWS (region us-east-1): checkout');
    expect(text).toContain('search: not checked (no AWS Region: see the problems below)');
    expect(text.slice(text.indexOf('Problems ('))).toContain(
      '  - search: no AWS Region to check in: set aws.region for the service (or defaults.aws.region), or AWS_REGION for the process.',
    );
    expect(text).toContain(`${path}: NOT OK.`);
    expect(text).not.toContain(': OK');
    expect(text).not.toContain(EXTERNAL_ID);
  });
});
