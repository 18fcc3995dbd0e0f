/**
 * Services reached through assumed roles, with the real SDK against the local AWS endpoint:
 * - the fake STS answers AssumeRole as the STS API Reference says (credentials, AccessDenied for a
 *   role it does not know or a wrong external ID, ValidationError for a bad duration or session
 *   name), and GetCallerIdentity with the caller's ARN, user id and account;
 * - the client registry (src/aws/aws-clients.ts) assumes each role once for every client and
 *   Region that uses it, through STS in the process's Region whichever service comes first, signs
 *   each call with the role's session in the service's Region, renews the session in the
 *   background when it is about to expire (the clock is moved, nothing sleeps), paces every client
 *   of one account and Region — the bot's own included, once GetCallerIdentity has told it — with
 *   one rate limiter, and reaches STS through AWS_ENDPOINT_URL_STS like any other endpoint variable.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO } from '../../sandbox/fake-elb/demo.js';
import { LOCAL_CREDENTIALS, type LocalAws, startLocalAws } from '../../sandbox/local-aws.js';
import { AwsClientRegistry } from '../../src/aws/aws-clients.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { serviceConfig } from '../helpers/service-config.js';

const ROLE = 'arn:aws:iam::123456789012:role/greenlight';
const GUARDED = 'arn:aws:iam::123456789012:role/greenlight-guarded';
const SHORT = 'arn:aws:iam::123456789012:role/greenlight-short';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
  aws.sts.addRole(ROLE);
  aws.sts.addRole(GUARDED, { externalId: 'shop-7f3c' });
  aws.sts.addRole(SHORT, { maxSessionSeconds: 3600 });
  aws.ecs.addService('shop', 'checkout-blue', { desired: 2 });
});
afterAll(async () => {
  await aws.close();
});

const base = () => ({
  endpoint: aws.url,
  region: 'us-east-1',
  credentials: LOCAL_CREDENTIALS,
  maxAttempts: 1,
});

/** What the fake STS answers the real SDK client. */
async function assume(input: Partial<AssumeRoleCommand['input']>) {
  const sts = new STSClient(base());
  try {
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'greenlight', ...input }),
    );
    return { ok: true as const, out };
  } catch (err) {
    const e = err as { name: string; message: string; $metadata: { httpStatusCode?: number } };
    return { ok: false as const, code: e.name, message: e.message, status: e.$metadata.httpStatusCode };
  }
}

describe('the fake STS (AssumeRole over the Query protocol, real SDK)', () => {
  it('issues temporary credentials and the assumed-role user', async () => {
    const before = Date.now();
    const r = await assume({ DurationSeconds: 900 });
    if (!r.ok) throw new Error(r.message);
    const c = r.out.Credentials;
    expect(c?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(c?.SecretAccessKey).toBeTruthy();
    expect(c?.SessionToken).toBeTruthy();
    const expires = c?.Expiration?.getTime() ?? 0;
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 900_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 900_000);
    expect(r.out.AssumedRoleUser?.Arn).toBe('arn:aws:sts::123456789012:assumed-role/greenlight/greenlight');
    expect(r.out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z0-9]+:greenlight$/);
  });

  it('denies a role it does not know, and a wrong or missing external ID, without saying which', async () => {
    const unknown = await assume({ RoleArn: 'arn:aws:iam::123456789012:role/nobody' });
    expect(unknown).toMatchObject({ ok: false, code: 'AccessDenied', status: 403 });
    expect(unknown.ok ? '' : unknown.message).toBe(
      'User: arn:aws:iam::123456789012:user/greenlight-local is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/nobody',
    );
    expect(await assume({ RoleArn: GUARDED })).toMatchObject({
      ok: false,
      code: 'AccessDenied',
      status: 403,
    });
    expect(await assume({ RoleArn: GUARDED, ExternalId: 'shop-0000' })).toMatchObject({
      ok: false,
      code: 'AccessDenied',
    });
    expect(await assume({ RoleArn: GUARDED, ExternalId: 'shop-7f3c' })).toMatchObject({ ok: true });
  });

  it('refuses durations outside 900 s and the role maximum, and a session name STS does not accept', async () => {
    expect(await assume({ DurationSeconds: 899 })).toMatchObject({
      ok: false,
      code: 'ValidationError',
      status: 400,
      message:
        "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    });
    expect(await assume({ RoleArn: SHORT, DurationSeconds: 7200 })).toMatchObject({
      ok: false,
      code: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    });
    expect(await assume({ RoleSessionName: 'green light' })).toMatchObject({
      ok: false,
      code: 'ValidationError',
      message:
        "1 validation error detected: Value 'green light' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    });
    expect(await assume({ RoleSessionName: 'g', ExternalId: 'x' })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^2 validation errors detected: .*'roleSessionName'.*; .*'externalId'/),
    });
  });
});

describe('the fake STS (GetCallerIdentity, real SDK)', () => {
  it("answers who the caller is: the bot's own user, or a session's assumed role", async () => {
    const own = await new STSClient(base()).send(new GetCallerIdentityCommand({}));
    expect(own).toMatchObject({
      Account: '123456789012',
      Arn: 'arn:aws:iam::123456789012:user/greenlight-local',
      UserId: expect.stringMatching(/^AIDA[A-Z0-9]+$/),
    });
    const r = await assume({});
    if (!r.ok) throw new Error(r.message);
    const c = r.out.Credentials;
    const asRole = new STSClient({
      ...base(),
      credentials: {
        accessKeyId: c?.AccessKeyId ?? '',
        secretAccessKey: c?.SecretAccessKey ?? '',
        sessionToken: c?.SessionToken ?? '',
      },
    });
    expect(await asRole.send(new GetCallerIdentityCommand({}))).toMatchObject({
      Account: '123456789012',
      Arn: r.out.AssumedRoleUser?.Arn,
      UserId: r.out.AssumedRoleUser?.AssumedRoleId,
    });
  });
});

describe('clients per account and Region', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('assumes a role once for every client and Region, through STS in the process Region, and signs each call with it in the service Region', async () => {
    const registry = new AwsClientRegistry({ client: base() });
    const assumedBefore = aws.sts.calls.length;
    const elbBefore = aws.elb.calls.length;
    // eu-west-1 first: the role is still assumed in the process's Region (base(): us-east-1).
    const west = registry.forSettings({ region: 'eu-west-1', roleArn: ROLE });
    const east = registry.forSettings({ region: 'us-east-1', roleArn: ROLE });
    expect(registry.forService({ aws: { region: 'eu-west-1', roleArn: ROLE } })).toBe(west);
    await Promise.all([
      ...Array.from({ length: 5 }, () => east.elb.describeTargetHealth(DEMO.checkout.blueArn)),
      east.router.liveSlot(
        serviceConfig({
          listeners: [DEMO.checkout.listenerArn],
          slots: { blue: DEMO.checkout.blueArn, green: DEMO.checkout.greenArn },
        }),
      ),
      east.compute.ecs.describeService('shop', 'checkout-blue'),
      east.compute.asg.describeGroup('nope'),
      east.metrics.describeAlarms(['checkout-5xx']),
      west.elb.describeTargetHealth(DEMO.checkout.blueArn),
    ]);
    const assumed = aws.sts.calls.slice(assumedBefore);
    expect(assumed).toEqual([
      expect.objectContaining({
        roleArn: ROLE,
        sessionName: 'greenlight',
        region: 'us-east-1',
        outcome: 'ok',
      }),
    ]);
    const session = [...aws.sts.sessions.values()].filter((x) => x.roleArn === ROLE).at(-1);
    const signed = aws.elb.calls.slice(elbBefore).map((c) => c.signedBy);
    expect(signed.length).toBeGreaterThan(6);
    expect(new Set(signed.map((s) => s?.accessKeyId))).toEqual(new Set([session?.accessKeyId]));
    expect(signed.filter((s) => s?.region === 'eu-west-1')).toHaveLength(1);
    expect(signed.filter((s) => s?.region === 'us-east-1')).toHaveLength(signed.length - 1);
  });

  it('renews a session about to expire in the background, and waits for STS only once it has expired (the clock moves, nothing sleeps)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2026, 10, 26, 12, 0, 0));
    const registry = new AwsClientRegistry({ client: base(), session: { durationSeconds: 900 } });
    const place = registry.forSettings({ region: 'us-east-1', roleArn: GUARDED, externalId: 'shop-7f3c' });
    const assumedBefore = aws.sts.calls.length;
    /** The key the next DescribeTargetHealth of green is signed with. */
    const keys = async () => {
      const at = aws.elb.calls.length;
      await place.elb.describeTargetHealth(DEMO.checkout.greenArn);
      const call = aws.elb.calls
        .slice(at)
        .find(
          (c) =>
            c.operation === 'DescribeTargetHealth' && c.params['TargetGroupArn'] === DEMO.checkout.greenArn,
        );
      return call?.signedBy?.accessKeyId;
    };
    const assumedSince = () => aws.sts.calls.slice(assumedBefore).length;
    const first = await keys();
    for (let i = 0; i < 5; i += 1) expect(await keys()).toBe(first);
    vi.setSystemTime(Date.UTC(2026, 10, 26, 12, 9, 0)); // 6 minutes left: the SDK does not ask yet
    expect(await keys()).toBe(first);
    expect(assumedSince()).toBe(1);
    // 4 minutes left: the SDK asks on each request; the renewal runs in the background and this
    // call goes out at once, signed with the current session.
    vi.setSystemTime(Date.UTC(2026, 10, 26, 12, 11, 0));
    expect(await keys()).toBe(first);
    await place.role?.renewal;
    const second = await keys();
    expect(second).not.toBe(first);
    expect(aws.sts.sessionOf(second)?.roleArn).toBe(GUARDED);
    expect(assumedSince()).toBe(2);
    // Past the second session's end: the call waits for a new one.
    vi.setSystemTime(Date.UTC(2026, 10, 26, 12, 27, 0));
    const third = await keys();
    expect([first, second]).not.toContain(third);
    expect(
      aws.sts.calls.slice(assumedBefore).map((c) => [c.roleArn, c.externalId, c.durationSeconds]),
    ).toEqual([
      [GUARDED, 'shop-7f3c', 900],
      [GUARDED, 'shop-7f3c', 900],
      [GUARDED, 'shop-7f3c', 900],
    ]);
  });

  it('paces two roles of one account and Region with one rate limiter, and another account with its own', async () => {
    const bucket = { capacity: 2, refillPerSecond: 0.001 };
    const registry = new AwsClientRegistry({
      client: base(),
      rateLimits: { describe: bucket, mutate: bucket, registration: bucket },
    });
    const other = 'arn:aws:iam::210987654321:role/greenlight';
    aws.sts.addRole(other);
    const a = registry.forSettings({ region: 'us-east-1', roleArn: ROLE });
    const b = registry.forSettings({ region: 'us-east-1', roleArn: GUARDED, externalId: 'shop-7f3c' });
    const c = registry.forSettings({ region: 'us-east-1', roleArn: other });
    await a.elb.describeTargetHealth(DEMO.checkout.blueArn);
    await a.elb.describeTargetHealth(DEMO.checkout.blueArn);
    // The account's two Describe tokens are spent: role b (same account and Region) has to wait
    // for a refill (some 1000 s away); role c's account has its own bucket.
    void b.elb.describeTargetHealth(DEMO.checkout.blueArn);
    await c.elb.describeTargetHealth(DEMO.checkout.blueArn);
    await c.elb.describeTargetHealth(DEMO.checkout.blueArn);
    await vi.waitFor(() => expect(b.rateLimit?.taken.describe).toBe(3), { timeout: 4_000 });
    for (const place of [a, b]) expect(place.rateLimit?.taken.describe).toBe(3);
    expect(a.rateLimit?.waited.describe).toBe(1);
    expect(c.rateLimit?.taken.describe).toBe(2);
    expect(c.rateLimit?.waited.describe).toBe(0);
  });

  it("paces the clients without a role with the limiter of the bot's own account, learnt from GetCallerIdentity", async () => {
    const bucket = { capacity: 2, refillPerSecond: 0.001 };
    const registry = new AwsClientRegistry({
      client: base(),
      rateLimits: { describe: bucket, mutate: bucket, registration: bucket },
    });
    const identityBefore = aws.sts.identityCalls.length;
    const own = registry.forSettings({ region: 'us-east-1' });
    expect(aws.sts.identityCalls.length).toBe(identityBefore); // no role yet: nothing to learn
    // ROLE is in the bot's own account (the fake's caller account, 123456789012).
    const role = registry.forSettings({ region: 'us-east-1', roleArn: ROLE });
    expect(await registry.ownAccount()).toBe('123456789012');
    expect(aws.sts.identityCalls.slice(identityBefore)).toEqual([
      { caller: LOCAL_CREDENTIALS.accessKeyId, region: 'us-east-1', outcome: '123456789012' },
    ]);
    await own.elb.describeTargetHealth(DEMO.checkout.blueArn);
    await own.elb.describeTargetHealth(DEMO.checkout.blueArn);
    void role.elb.describeTargetHealth(DEMO.checkout.blueArn);
    await vi.waitFor(() => expect(role.rateLimit?.waited.describe).toBe(1), { timeout: 4_000 });
    expect(own.rateLimit?.taken.describe).toBe(3);
    // Another Region of the same account is another bucket.
    const west = registry.forSettings({ region: 'eu-west-1' });
    await west.elb.describeTargetHealth(DEMO.checkout.blueArn);
    expect(west.rateLimit?.taken.describe).toBe(1);
    await registry.ownAccount();
    expect(aws.sts.identityCalls.length).toBe(identityBefore + 1); // learnt once
  });

  it('keeps a limiter of its own for the clients without a role while the account cannot be learnt, warns once, and asks again 5 minutes on', async () => {
    const bucket = { capacity: 2, refillPerSecond: 0.001 };
    let now = Date.UTC(2026, 10, 26, 12, 0, 0);
    const warned: unknown[] = [];
    const registry = new AwsClientRegistry({
      client: base(),
      rateLimits: { describe: bucket, mutate: bucket, registration: bucket },
      session: { now: () => now },
      log: { warn: (obj: unknown) => warned.push(obj) },
    });
    aws.sts.failNext('GetCallerIdentity', 'Throttling', 'Rate exceeded');
    const own = registry.forSettings({ region: 'us-east-1' });
    const role = registry.forSettings({ region: 'us-east-1', roleArn: ROLE });
    expect(await registry.ownAccount()).toBeUndefined();
    expect(warned).toEqual([{ err: 'GetCallerIdentity failed: Throttling: Rate exceeded' }]);
    await own.elb.describeTargetHealth(DEMO.checkout.blueArn);
    await own.elb.describeTargetHealth(DEMO.checkout.blueArn);
    // The role's account has its own bucket, so it does not wait.
    await role.elb.describeTargetHealth(DEMO.checkout.blueArn);
    expect([own.rateLimit?.taken.describe, role.rateLimit?.taken.describe]).toEqual([2, 1]);
    const identityBefore = aws.sts.identityCalls.length;
    now += 4 * 60_000;
    expect(await registry.ownAccount()).toBeUndefined();
    expect(aws.sts.identityCalls.length).toBe(identityBefore);
    now += 60_000;
    expect(await registry.ownAccount()).toBe('123456789012');
    // From now on, one limiter: the role's bucket, with its one token taken.
    expect(own.rateLimit?.taken.describe).toBe(1);
    expect(warned).toHaveLength(1);
  });

  it('reports a role it cannot assume on the call that needed it, and counts the STS error', async () => {
    const metrics = createMetrics();
    const registry = new AwsClientRegistry({ client: base(), metrics });
    const place = registry.forSettings({ roleArn: GUARDED, externalId: 'wrong-id' });
    await expect(place.elb.describeTargetHealth(DEMO.checkout.blueArn)).rejects.toThrow(
      `AssumeRole failed: AccessDenied: cannot assume ${GUARDED}: User: arn:aws:iam::123456789012:user/greenlight-local is not authorized to perform: sts:AssumeRole on resource: ${GUARDED}`,
    );
    const errors = await metrics.registry.getSingleMetricAsString('greenlight_aws_errors_total');
    expect(errors).toContain(
      'greenlight_aws_errors_total{service="sts",operation="AssumeRole",code="AccessDenied"} 1',
    );
  });

  it('refuses, as AWS would, a call the role may not make or made with an expired session', async () => {
    const denied = 'arn:aws:iam::123456789012:role/greenlight-readonly';
    aws.sts.addRole(denied, { deny: ['elasticloadbalancing:DescribeTargetHealth', 'ecs:DescribeServices'] });
    const place = new AwsClientRegistry({ client: base() }).forSettings({ roleArn: denied });
    await expect(place.elb.describeTargetHealth(DEMO.checkout.blueArn)).rejects.toThrow(
      'DescribeTargetHealth failed: AccessDenied: User: arn:aws:sts::123456789012:assumed-role/greenlight-readonly/greenlight is not authorized to perform: elasticloadbalancing:DescribeTargetHealth because no identity-based policy allows the elasticloadbalancing:DescribeTargetHealth action',
    );
    await expect(place.compute.ecs.describeService('shop', 'checkout-blue')).rejects.toThrow(
      /^DescribeServices failed: AccessDenied: .* ecs:DescribeServices/,
    );
    await expect(place.elb.describeRules(DEMO.checkout.listenerArn)).resolves.toBeDefined();
    // A session past its Expiration: ExpiredToken (the fake judges by its own clock).
    for (const s of aws.sts.sessions.values()) if (s.roleArn === denied) s.expiresAt = Date.now() - 1;
    await expect(place.elb.describeRules(DEMO.checkout.listenerArn)).rejects.toThrow(
      'DescribeRules failed: ExpiredToken: The security token included in the request is expired',
    );
  });
});

describe('AWS_ENDPOINT_URL_STS', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('is where the roles are assumed, as each service variable says where its calls go', async () => {
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_STS: aws.url,
      AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: aws.url,
      AWS_ACCESS_KEY_ID: 'AKIDFROMENV',
      AWS_SECRET_ACCESS_KEY: 'from-env',
      AWS_MAX_ATTEMPTS: '1',
    });
    const before = aws.sts.calls.length;
    const place = new AwsClientRegistry().forSettings({ region: 'eu-central-2', roleArn: ROLE });
    await place.elb.describeTargetHealth(DEMO.checkout.blueArn);
    // No Region for the process: STS in the partition's global Region (us-east-1), not the service's.
    expect(aws.sts.calls.slice(before)).toEqual([
      expect.objectContaining({ roleArn: ROLE, caller: 'AKIDFROMENV', region: 'us-east-1', outcome: 'ok' }),
    ]);
    expect(aws.elb.calls.at(-1)?.signedBy).toEqual({
      accessKeyId: [...aws.sts.sessions.values()].at(-1)?.accessKeyId,
      region: 'eu-central-2',
    });
  });
});
