/**
 * The assumed role's session cache (src/aws/sts-credentials.ts), on a stand-in for the STS client
 * and a clock the test moves: one AssumeRole for many callers, renewed only when little of the
 * session is left, the old session kept while a renewal fails and it is still valid.
 */
import type { AssumeRoleCommand, AssumeRoleCommandOutput } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import {
  assumedRole,
  ROLE_SESSION_NAME,
  roleSessionName,
  type StsSender,
} from '../../src/aws/sts-credentials.js';
import { AwsCallError } from '../../src/errors.js';

const ROLE = 'arn:aws:iam::210987654321:role/greenlight';
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

/** STS on a leash: each AssumeRole waits until released (or answers at once), then issues key N. */
class FakeSts implements StsSender {
  inputs: AssumeRoleCommand['input'][] = [];
  failWith: Error | null = null;
  private waiting: (() => void)[] = [];
  hold = false;
  constructor(private readonly now: () => number) {}

  async send(command: AssumeRoleCommand): Promise<AssumeRoleCommandOutput> {
    this.inputs.push(command.input);
    if (this.hold) await new Promise<void>((r) => this.waiting.push(r));
    if (this.failWith) throw this.failWith;
    const n = this.inputs.length;
    return {
      $metadata: {},
      Credentials: {
        AccessKeyId: `ASIAKEY${n}`,
        SecretAccessKey: `secret${n}`,
        SessionToken: `token${n}`,
        Expiration: new Date(this.now() + (command.input.DurationSeconds ?? 3600) * 1000),
      },
    };
  }

  release(): void {
    for (const go of this.waiting.splice(0)) go();
  }
}

function rig(opts: { durationSeconds?: number } = {}) {
  let now = T0;
  const clock = () => now;
  const sts = new FakeSts(clock);
  const role = assumedRole(sts, {
    roleArn: ROLE,
    externalId: 'shop-7f3c',
    sessionName: 'greenlight',
    now: clock,
    ...opts,
  });
  return { sts, role, advance: (ms: number) => (now += ms) };
}

describe('an assumed role', () => {
  it('assumes once for many callers, with the role, external ID, session name and duration', async () => {
    const { sts, role } = rig();
    sts.hold = true;
    const first = Promise.all(Array.from({ length: 20 }, () => role()));
    await Promise.resolve();
    sts.release();
    const got = await first;
    for (let i = 0; i < 50; i += 1) got.push(await role());
    expect(new Set(got.map((c) => c.accessKeyId))).toEqual(new Set(['ASIAKEY1']));
    expect(sts.inputs).toEqual([
      { RoleArn: ROLE, RoleSessionName: 'greenlight', DurationSeconds: 3600, ExternalId: 'shop-7f3c' },
    ]);
    expect(role.assumed).toBe(1);
  });

  it('renews the session only once less than five minutes of it are left', async () => {
    const { sts, role, advance } = rig({ durationSeconds: 900 });
    expect((await role()).accessKeyId).toBe('ASIAKEY1');
    advance(9 * 60_000); // 6 minutes left
    expect((await role()).accessKeyId).toBe('ASIAKEY1');
    advance(60_000 + 1); // just under 5 minutes left
    expect((await role()).accessKeyId).toBe('ASIAKEY2');
    expect(sts.inputs.map((i) => i.DurationSeconds)).toEqual([900, 900]);
  });

  it('keeps a still-valid session while STS fails, and tries again on the next call', async () => {
    const { sts, role, advance } = rig({ durationSeconds: 900 });
    await role();
    advance(12 * 60_000); // 3 minutes left: due for renewal
    sts.failWith = new AwsCallError('AssumeRole', 'Throttling', 'Rate exceeded');
    expect((await role()).accessKeyId).toBe('ASIAKEY1');
    expect((await role()).accessKeyId).toBe('ASIAKEY1');
    expect(sts.inputs).toHaveLength(3);
    sts.failWith = null;
    expect((await role()).accessKeyId).toBe('ASIAKEY4');
  });

  it('fails with STS code and the role once there is no valid session', async () => {
    const { sts, role, advance } = rig({ durationSeconds: 900 });
    sts.failWith = Object.assign(
      new Error('User: arn:aws:sts::1:assumed-role/bot/x is not authorized to perform: sts:AssumeRole'),
      {
        name: 'AccessDenied',
        Code: 'AccessDenied',
      },
    );
    const err = await role().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect((err as AwsCallError).code).toBe('AccessDenied');
    expect((err as AwsCallError).message).toBe(
      `AssumeRole failed: AccessDenied: cannot assume ${ROLE}: User: arn:aws:sts::1:assumed-role/bot/x is not authorized to perform: sts:AssumeRole`,
    );
    sts.failWith = null;
    await role();
    advance(16 * 60_000); // expired
    sts.failWith = new AwsCallError('AssumeRole', 'Throttling', 'Rate exceeded');
    await expect(role()).rejects.toThrow(
      `AssumeRole failed: Throttling: cannot assume ${ROLE}: Rate exceeded`,
    );
  });
});

describe('role session names', () => {
  it('are what STS accepts: 2–64 of [\\w+=,.@-]', () => {
    expect(roleSessionName()).toBe('greenlight');
    expect(roleSessionName('checkout')).toBe('greenlight-checkout');
    expect(roleSessionName('a b/c')).toBe('greenlight-a-b-c');
    const long = roleSessionName('x'.repeat(100));
    expect(long).toHaveLength(64);
    for (const n of [roleSessionName(), long, roleSessionName('é')]) expect(n).toMatch(ROLE_SESSION_NAME);
  });
});
