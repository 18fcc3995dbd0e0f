/**
 * The assumed role's session cache (src/aws/sts-credentials.ts), on a stand-in for the STS client
 * and a clock the test moves: one AssumeRole for many callers; renewed in the background once
 * under 15 minutes are left (half of a short session), callers answered at once with the current
 * session; a wait for STS only when the session has expired or is within 60 s of it; and after a
 * failed AssumeRole, none for 30 s.
 */
import type { AssumeRoleCommand, AssumeRoleCommandOutput } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import {
  type AssumedRole,
  assumedRole,
  SESSION_NAME,
  type StsSender,
} from '../../src/aws/sts-credentials.js';
import { AwsCallError } from '../../src/errors.js';

const ROLE = 'arn:aws:iam::210987654321:role/greenlight';
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const MIN = 60_000;

/** STS on a leash: each AssumeRole waits until released (or answers at once), then issues key N. */
class FakeSts implements StsSender {
  inputs: AssumeRoleCommand['input'][] = [];
  failWith: Error | null = null;
  private waiting: (() => void)[] = [];
  hold = false;
  constructor(private readonly now: () => number) {}

  async send(command: AssumeRoleCommand): Promise<AssumeRoleCommandOutput> {
    this.inputs.push(command.input);
    const n = this.inputs.length;
    if (this.hold) await new Promise<void>((r) => this.waiting.push(r));
    if (this.failWith) throw this.failWith;
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
  const role = assumedRole(sts, { roleArn: ROLE, externalId: 'shop-7f3c', now: clock, ...opts });
  return { sts, role, advance: (ms: number) => (now += ms) };
}

const PENDING = Symbol('pending');

/**
 * What the call answers once every callback already due has run (setImmediate runs after the
 * promise jobs): its access key id, the error code it failed with, or PENDING when it is still
 * waiting (for STS). No time passes; a call that waits on a held STS stays PENDING.
 */
async function answerOf(role: AssumedRole): Promise<string | typeof PENDING> {
  const call = role().then(
    (c) => c.accessKeyId,
    (e: unknown) => `error:${(e as AwsCallError).code}`,
  );
  const tick = new Promise<typeof PENDING>((r) => setImmediate(() => r(PENDING)));
  return Promise.race([call, tick]);
}

/** Waits for the background renewal in flight, if any. */
const renewed = async (role: AssumedRole) => {
  await role.renewal;
};

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
    expect(SESSION_NAME).toBe('greenlight');
    expect(role.assumed).toBe(1);
  });

  it('renews in the background once under 15 minutes are left, answering at once with the current session', async () => {
    const { sts, role, advance } = rig();
    expect(await answerOf(role)).toBe('ASIAKEY1');
    advance(44 * MIN); // 16 minutes left
    expect(await answerOf(role)).toBe('ASIAKEY1');
    expect(sts.inputs).toHaveLength(1);
    advance(2 * MIN); // 14 minutes left: renewed, while STS does not answer
    sts.hold = true;
    for (let i = 0; i < 10; i += 1) expect(await answerOf(role)).toBe('ASIAKEY1');
    expect(sts.inputs).toHaveLength(2); // one renewal for every caller
    sts.release();
    await renewed(role);
    expect(await answerOf(role)).toBe('ASIAKEY2');
    expect(sts.inputs).toHaveLength(2);
  });

  it('renews a short session once half of it is left', async () => {
    const { sts, role, advance } = rig({ durationSeconds: 900 });
    await role();
    advance(7 * MIN); // 8 minutes left of 15
    expect(await answerOf(role)).toBe('ASIAKEY1');
    expect(sts.inputs).toHaveLength(1);
    advance(MIN); // 7 minutes left
    expect(await answerOf(role)).toBe('ASIAKEY1');
    await renewed(role);
    expect(await answerOf(role)).toBe('ASIAKEY2');
    expect(sts.inputs.map((i) => i.DurationSeconds)).toEqual([900, 900]);
  });

  it('keeps a still-valid session while STS fails, answering at once and asking STS once per 30 s', async () => {
    const { sts, role, advance } = rig({ durationSeconds: 900 });
    await role();
    advance(12 * MIN); // 3 minutes left: due for renewal
    sts.failWith = new AwsCallError('AssumeRole', 'Throttling', 'Rate exceeded');
    // STS is slow to fail: nobody waits for it.
    sts.hold = true;
    for (let i = 0; i < 20; i += 1) expect(await answerOf(role)).toBe('ASIAKEY1');
    expect(sts.inputs).toHaveLength(2);
    sts.release();
    await renewed(role);
    sts.hold = false;
    // Failed: no AssumeRole for 30 s, however many calls.
    for (let s = 0; s < 29; s += 1) {
      advance(1_000);
      expect(await answerOf(role)).toBe('ASIAKEY1');
    }
    expect(sts.inputs).toHaveLength(2);
    advance(1_000); // 30 s after the failure: one more try, in the background
    expect(await answerOf(role)).toBe('ASIAKEY1');
    await renewed(role);
    expect(await answerOf(role)).toBe('ASIAKEY1');
    expect(sts.inputs).toHaveLength(3);
    // STS is back: the next try (30 s on) renews.
    sts.failWith = null;
    advance(29_000);
    expect(await answerOf(role)).toBe('ASIAKEY1');
    expect(sts.inputs).toHaveLength(3);
    advance(1_000);
    expect(await answerOf(role)).toBe('ASIAKEY1');
    await renewed(role);
    expect(await answerOf(role)).toBe('ASIAKEY4');
    expect(sts.inputs).toHaveLength(4);
  });

  it('waits for STS only once the session is within 60 s of its end, and uses it while valid if STS fails', async () => {
    const { sts, role, advance } = rig({ durationSeconds: 900 });
    await role();
    sts.hold = true;
    advance(15 * MIN - 61_000); // 61 s left: answered at once, renewal in the background
    expect(await answerOf(role)).toBe('ASIAKEY1');
    sts.failWith = new AwsCallError('AssumeRole', 'Throttling', 'Rate exceeded');
    sts.release();
    await renewed(role);
    sts.failWith = null;
    advance(30_000); // 31 s left, the last failure 30 s ago: this call waits for the renewal
    const waiting = role();
    expect(await answerOf(role)).toBe(PENDING);
    sts.release();
    expect((await waiting).accessKeyId).toBe('ASIAKEY3');
    expect(sts.inputs).toHaveLength(3);
    // Near the end again, with STS failing: the session is used while it is valid.
    sts.hold = false;
    advance(15 * MIN - 30_000); // 30 s left of the new session
    sts.failWith = new AwsCallError('AssumeRole', 'Throttling', 'Rate exceeded');
    expect(await answerOf(role)).toBe('ASIAKEY3');
    expect(await answerOf(role)).toBe('ASIAKEY3'); // backing off: no AssumeRole
    expect(sts.inputs).toHaveLength(4);
  });

  it('fails with the STS code and the role once there is no valid session, at once while backing off', async () => {
    const { sts, role, advance } = rig({ durationSeconds: 900 });
    sts.failWith = Object.assign(
      new Error('User: arn:aws:sts::1:assumed-role/bot/x is not authorized to perform: sts:AssumeRole'),
      { name: 'AccessDenied', Code: 'AccessDenied' },
    );
    const err = await role().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect((err as AwsCallError).code).toBe('AccessDenied');
    expect((err as AwsCallError).message).toBe(
      `AssumeRole failed: AccessDenied: cannot assume ${ROLE}: User: arn:aws:sts::1:assumed-role/bot/x is not authorized to perform: sts:AssumeRole`,
    );
    // The trust policy is fixed, but for 30 s the failure is answered without asking STS.
    sts.failWith = null;
    sts.hold = true;
    advance(29_000);
    expect(await answerOf(role)).toBe('error:AccessDenied');
    expect(await role().catch((e: unknown) => e)).toBe(err);
    expect(sts.inputs).toHaveLength(1);
    sts.hold = false;
    advance(1_000);
    expect((await role()).accessKeyId).toBe('ASIAKEY2');
    advance(16 * MIN); // expired
    sts.failWith = new AwsCallError('AssumeRole', 'Throttling', 'Rate exceeded');
    await expect(role()).rejects.toThrow(
      `AssumeRole failed: Throttling: cannot assume ${ROLE}: Rate exceeded`,
    );
  });
});
