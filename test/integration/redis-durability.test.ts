/** The sentinel and the settings check against real redis-server processes. */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DataSentinel,
  parseInfo,
  readRedisSettings,
  settingsProblems,
} from '../../src/store/redis-durability.js';
import { type RedisProcess, startRedis } from '../helpers/redis-server.js';

let procs: RedisProcess[] = [];
let clients: Redis[] = [];
afterEach(async () => {
  for (const c of clients) c.disconnect();
  for (const p of procs) await p.stop();
  procs = [];
  clients = [];
});

async function redisWith(appendonly: boolean): Promise<{ proc: RedisProcess; client: Redis }> {
  const proc = await startRedis({ appendonly });
  const client = new Redis(proc.url, { maxRetriesPerRequest: 3 });
  procs.push(proc);
  clients.push(client);
  return { proc, client };
}

describe('the Redis settings check', () => {
  it('reads appendonly and maxmemory-policy from INFO and names what is wrong', async () => {
    const { client } = await redisWith(false);
    const settings = await readRedisSettings(client);
    expect(settings).toEqual({ appendOnly: false, maxmemoryPolicy: 'noeviction' });
    expect(settingsProblems(settings)).toEqual([expect.stringMatching(/appendonly no/)]);
    // Durable in a way INFO does not show (ElastiCache durability, MemoryDB): told so, not reported.
    expect(settingsProblems(settings, { managedDurability: true })).toEqual([]);

    const durable = await redisWith(true);
    expect(settingsProblems(await readRedisSettings(durable.client))).toEqual([]);
    await durable.client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const changed = await readRedisSettings(durable.client);
    expect(changed).toEqual({ appendOnly: true, maxmemoryPolicy: 'allkeys-lru' });
    expect(settingsProblems(changed)).toEqual([expect.stringMatching(/maxmemory-policy is allkeys-lru/)]);
  });

  it('parses INFO text, skipping section headers', () => {
    expect(parseInfo('# Persistence\r\naof_enabled:1\r\n\r\nloading:0\r\n')).toEqual(
      new Map([
        ['aof_enabled', '1'],
        ['loading', '0'],
      ]),
    );
  });
});

describe('the data sentinel', () => {
  it('stays ok across a restart with appendonly, and sees the loss after one without', async () => {
    const durable = await redisWith(true);
    const a = new DataSentinel(durable.client, 'gl:sentinel');
    expect(await a.check()).toMatchObject({ status: 'first', created: true });
    await durable.proc.restart();
    expect(await a.check()).toMatchObject({ status: 'ok' });

    const volatile = await redisWith(false);
    const b = new DataSentinel(volatile.client, 'gl:sentinel');
    const first = await b.check();
    await volatile.proc.restart();
    const after = await b.check();
    expect(after).toMatchObject({ status: 'lost', previous: first.generation });
    expect(after.generation).not.toBe(first.generation);
  });

  it('tells every process of a loss, though only one writes the new generation', async () => {
    const { client } = await redisWith(false);
    const a = new DataSentinel(client, 'gl:sentinel');
    const b = new DataSentinel(client, 'gl:sentinel');
    await a.check();
    await b.check();
    await client.flushall();
    const [ra, rb] = await Promise.all([a.check(), b.check()]);
    expect([ra.status, rb.status]).toEqual(['lost', 'lost']);
    expect(ra.generation).toBe(rb.generation);
  });
});
