import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListenerBusyError, ListenerLock } from '../../src/store/listener-lock.js';
import { type RedisProcess, startRedis } from '../helpers/redis-server.js';

describe('the per-listener lock held while forwards are rewritten', () => {
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

  it('lets two processes rewrite a shared listener one after the other, never interleaved', async () => {
    const events: string[] = [];
    const work = (name: string) => async () => {
      events.push(`${name} in`);
      await new Promise((r) => setTimeout(r, 50));
      events.push(`${name} out`);
    };
    await Promise.all([
      new ListenerLock(a, 'lt1:').withListeners(['L1', 'L2'], work('a')),
      new ListenerLock(b, 'lt1:').withListeners(['L2', 'L3'], work('b')),
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

  it('gives up with ListenerBusyError when the listener stays locked, and releases what it held', async () => {
    const holder = new ListenerLock(a, 'lt2:');
    let release!: () => void;
    const held = holder.withListeners(['L9'], () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 20));
    const impatient = new ListenerLock(b, 'lt2:', { waitMs: 100, retryMs: 20 });
    await expect(impatient.withListeners(['L8', 'L9'], async () => 'ran')).rejects.toBeInstanceOf(
      ListenerBusyError,
    );
    expect(await b.get('lt2:listener-lock:L8')).toBeNull();
    release();
    await held;
    expect(await impatient.withListeners(['L9'], async () => 'ran')).toBe('ran');
  });
});
