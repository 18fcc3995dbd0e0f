/**
 * `npm run check-config` for services reached through assumed roles, against the local AWS
 * endpoint (STS included) through the real SDK: each distinct role is assumed once and its
 * services are checked as that role; a role that cannot be assumed is one problem with STS's
 * answer; every read the role is refused names its IAM action and resource. The external ID is
 * never printed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../sandbox/fake-elb/demo.js';
import { type LocalAws, startLocalAws } from '../../sandbox/local-aws.js';
import { runCheckConfig } from '../../src/check-config.js';
import { demoServiceYaml } from '../helpers/demo-service-yaml.js';

const ROLE = 'arn:aws:iam::123456789012:role/greenlight-shop';
const DENIED_ROLE = 'arn:aws:iam::123456789012:role/greenlight-readonly';
const UNKNOWN_ROLE = 'arn:aws:iam::123456789012:role/greenlight-missing';
const EXTERNAL_ID = 'shop-7f3c-secretish';

function configFile(services: { name: 'checkout' | 'search'; aws: string; extra?: string[] }[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'greenlight-check-roles-'));
  const path = join(dir, 'greenlight.yml');
  const lines = ['services:'];
  for (const s of services) {
    lines.push(
      ...demoServiceYaml({ name: s.name, demo: s.name, channel: 'C0CHECKOUT', users: ['U0APPROVER'] }),
      `    aws: ${s.aws}`,
      ...(s.extra ?? []).map((l) => `    ${l}`),
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('npm run check-config with roles', () => {
  let aws: LocalAws;
  const saved = { ...process.env };
  beforeAll(async () => {
    aws = await startLocalAws();
    aws.ecs.addService('shop', 'checkout-blue', { desired: 2 });
    aws.sts.addRole(ROLE, { externalId: EXTERNAL_ID });
    aws.sts.addRole(DENIED_ROLE, {
      deny: ['elasticloadbalancing:DescribeTargetHealth', 'ecs:DescribeServices'],
    });
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: aws.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDCHECK',
      AWS_SECRET_ACCESS_KEY: 'check',
      AWS_MAX_ATTEMPTS: '1',
    });
  });
  afterAll(async () => {
    process.env = saved;
    await aws.close();
  });

  const run = async (path: string) => {
    const out: string[] = [];
    const code = await runCheckConfig([path], { env: { ...process.env }, print: (l) => out.push(l) });
    return { code, text: out.join('\n') };
  };

  it('checks a service as its role, assuming the role once', async () => {
    const before = aws.sts.calls.length;
    const path = configFile([
      {
        name: 'checkout',
        aws: `{ region: us-east-1, roleArn: ${ROLE}, externalId: ${EXTERNAL_ID} }`,
        extra: ['compute: { blue: { ecs: { cluster: shop, service: checkout-blue } } }'],
      },
    ]);
    const { code, text } = await run(path);
    expect(text).toContain(`Checking AWS (region us-east-1, as role ${ROLE}, endpoint ${aws.url}): checkout`);
    expect(text).toContain('live now: blue');
    expect(text).toContain('ECS shop/checkout-blue desired 2');
    expect(text).not.toContain(EXTERNAL_ID);
    expect(code).toBe(0);
    expect(aws.sts.calls.slice(before).map((c) => [c.roleArn, c.caller, c.outcome])).toEqual([
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
    const env = { ...process.env };
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL']) delete env[name];
    const out: string[] = [];
    const code = await runCheckConfig([path], { env, print: (l) => out.push(l) });
    const text = out.join('\n');
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
