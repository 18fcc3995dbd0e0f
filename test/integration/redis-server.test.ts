import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisProcess, startRedis } from '../helpers/redis-server.js';

describe('the redis-server test harness', () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await startRedis({ appendonly: true });
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('keeps data written with appendonly across a SIGKILL and restart', async () => {
    const a = new Redis(redis.url);
    await a.set('k', 'v');
    a.disconnect();
    await redis.restart();
    const b = new Redis(redis.url);
    expect(await b.get('k')).toBe('v');
    b.disconnect();
  });
});
