import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListenerBusyError, LockLostError } from '../../src/errors.js';
import { RedisForwardLock } from '../../src/store/forward-lock.js';
import { type RedisProcess, startRedis } from '../helpers/redis-server.js';

describe('the forward lock held while forwards are rewritten (owned by a deployment, fenced)', () => {
  let redis: RedisProcess;
  let a: Redis;
  let b: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    a = new Redis(redis.url);
    b = new Redis(redis.url);
  });
  afterAll(async () => {
    a.disconnect();
    b.disconnect();
    await redis.stop();
  });

  it('lets two deployments rewrite a shared listener one after the other, never interleaved', async () => {
    const events: string[] = [];
    const work = (name: string) => async () => {
      events.push(`${name} in`);
      await new Promise((r) => setTimeout(r, 50));
      events.push(`${name} out`);
    };
    await Promise.all([
      // Waiting mode (waitMs): jobs use 0 and are put back as delayed jobs instead (worker.ts).
      new RedisForwardLock(a, 'lt1:', { waitMs: 5_000 }).withSites(['L1', 'L2'], 'dep-a', work('a')),
      new RedisForwardLock(b, 'lt1:', { waitMs: 5_000 }).withSites(['L2', 'L3'], 'dep-b', work('b')),
    ]);
    expect([events.slice(0, 2), events.slice(2)]).toEqual(
      events[0] === 'a in'
        ? [
            ['a in', 'a out'],
            ['b in', 'b out'],
          ]
        : [
            ['b in', 'b out'],
            ['a in', 'a out'],
          ],
    );
  });

  it('gives up with ListenerBusyError naming the holder, having taken nothing', async () => {
    const holder = new RedisForwardLock(a, 'lt2:');
    let release!: () => void;
    const held = holder.withSites(['L9'], 'dep-holder', () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 20));
    const impatient = new RedisForwardLock(b, 'lt2:', { waitMs: 100, retryMs: 20 });
    const err = await impatient.withSites(['L8', 'L9'], 'dep-other', async () => 'ran').catch((e) => e);
    expect(err).toBeInstanceOf(ListenerBusyError);
    expect((err as Error).message).toContain('dep-holder');
    expect(await b.get('lt2:forward-lock:L8')).toBeNull();
    release();
    await held;
    expect(await impatient.withSites(['L9'], 'dep-other', async () => 'ran')).toBe('ran');
  });

  it('is taken over at once by a re-run of the same deployment, and fences the earlier run out', async () => {
    const lock = new RedisForwardLock(a, 'lt3:');
    let resume!: () => void;
    const stale = lock.withSites(['L1'], 'dep-x', async (fence) => {
      // A run that froze (GC pause, partition) while it held the lock …
      await new Promise<void>((r) => (resume = r));
      // … and wakes up to write: its fence says no.
      await fence.check();
      return 'wrote';
    });
    await new Promise((r) => setTimeout(r, 20));
    // waitMs 0: the re-run does not wait the hold out, it takes it over.
    const rerun = await new RedisForwardLock(b, 'lt3:', { waitMs: 0 }).withSites(
      ['L1'],
      'dep-x',
      async (fence) => {
        await fence.check();
        return fence.token;
      },
    );
    expect(rerun).toBeGreaterThan(0);
    resume();
    await expect(stale).rejects.toBeInstanceOf(LockLostError);
  });

  it('fences out a holder whose lock expired and was taken by another deployment', async () => {
    const lock = new RedisForwardLock(a, 'lt4:', { ttlMs: 150 });
    let resume!: () => void;
    const frozen = lock.withSites(['L1'], 'dep-slow', async (fence) => {
      await new Promise<void>((r) => (resume = r));
      await fence.check();
    });
    // Expire the lock by hand (the renewal timer would otherwise keep it alive), as a frozen
    // process's lock expires.
    await b.del('lt4:forward-lock:L1');
    await new RedisForwardLock(b, 'lt4:').withSites(['L1'], 'dep-other', async (fence) => {
      await fence.check();
      resume();
      await expect(frozen).rejects.toBeInstanceOf(LockLostError);
    });
  });

  it('keeps a lock alive past its TTL while the holder works (renewal)', async () => {
    const lock = new RedisForwardLock(a, 'lt5:', { ttlMs: 300 });
    await lock.withSites(['L1'], 'dep-long', async (fence) => {
      await new Promise((r) => setTimeout(r, 900));
      await fence.check();
    });
    expect(await a.get('lt5:forward-lock:L1')).toBeNull();
  });
});
