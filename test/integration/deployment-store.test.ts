import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentStore } from '../../src/store/deployment-store.js';
import { type RedisProcess, startRedis } from '../helpers/redis-server.js';
import { makeDeployment, step, uniquePrefix } from './store-fixtures.js';

let server: RedisProcess;
let redis: Redis;
const extraClients: Redis[] = [];

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});

afterAll(async () => {
  for (const c of [redis, ...extraClients]) c.disconnect();
  await server?.stop();
});

function newStore(opts: { client?: Redis; prefix?: string } = {}) {
  const prefix = opts.prefix ?? uniquePrefix();
  return { prefix, store: new DeploymentStore(opts.client ?? redis, { prefix }) };
}

describe('DeploymentStore creation and locking', () => {
  it('stores a new deployment, takes the service lock and audits the creation', async () => {
    const { store, prefix } = newStore();
    const d = makeDeployment();

    expect(await store.createWithLock(d)).toEqual({ ok: true });

    expect(await store.get(d.id)).toEqual(d);
    expect(await store.lockHolder('checkout')).toBe(d.id);
    expect(await redis.sismember(`${prefix}active`, d.id)).toBe(1);
    expect(await redis.zscore(`${prefix}service:checkout:deployments`, d.id)).toBe(String(d.createdAt));
    const audit = await store.readAudit('checkout', 10);
    expect(audit).toEqual([
      {
        at: d.createdAt,
        deploymentId: d.id,
        event: 'created',
        from: '',
        to: 'requested',
        by: 'U0REQUESTER',
        detail: '? -> green',
      },
    ]);
  });

  it('refuses a second deployment of a locked service, names the holder and writes nothing', async () => {
    const { store, prefix } = newStore();
    const first = makeDeployment();
    const second = makeDeployment({ requester: 'U0OTHER' });
    await store.createWithLock(first);

    const refused = await store.createWithLock(second);

    expect(refused).toEqual({ ok: false, holderId: first.id, holder: first });
    expect(await store.get(second.id)).toBeNull();
    expect(await redis.sismember(`${prefix}active`, second.id)).toBe(0);
    expect(await store.readAudit('checkout', 10)).toHaveLength(1);
  });

  it('reports the holder id with a null holder when the holding record is missing', async () => {
    const { store, prefix } = newStore();
    await redis.set(`${prefix}lock:checkout`, 'checkout-ghost');

    expect(await store.createWithLock(makeDeployment())).toEqual({
      ok: false,
      holderId: 'checkout-ghost',
      holder: null,
    });
  });

  it('locks services independently of each other', async () => {
    const { store } = newStore();
    expect(await store.createWithLock(makeDeployment())).toEqual({ ok: true });
    expect(await store.createWithLock(makeDeployment({ service: 'search' }))).toEqual({ ok: true });
  });
});

describe('DeploymentStore optimistic updates', () => {
  it('applies exactly one transition per version when two connections race', async () => {
    const prefix = uniquePrefix();
    const a = new Redis(server.url);
    const b = new Redis(server.url);
    extraClients.push(a, b);
    const stores = [new DeploymentStore(a, { prefix }), new DeploymentStore(b, { prefix })];
    const d = makeDeployment();
    await stores[0]!.createWithLock(d);
    const rounds = 40;
    let calls = 0;

    const race = async (store: DeploymentStore, name: string) => {
      const wonFrom: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const out = await store.update(d.id, (cur) => {
          calls += 1;
          return {
            next: step(cur, cur.state, 'tick', { by: name, detail: String(cur.version) }),
            result: cur.version,
          };
        });
        if (out.found && out.written) wonFrom.push(out.result);
      }
      return wonFrom;
    };
    const [fromA, fromB] = await Promise.all([race(stores[0]!, 'a'), race(stores[1]!, 'b')]);

    const all = [...fromA!, ...fromB!].sort((x, y) => x - y);
    const expected = Array.from({ length: 2 * rounds }, (_, i) => i + 1);
    expect(all).toEqual(expected);
    const final = await stores[0]!.get(d.id);
    expect(final?.version).toBe(1 + 2 * rounds);
    expect(final?.history.map((h) => Number(h.detail))).toEqual(expected);
    expect(calls).toBeGreaterThan(2 * rounds); // the racers really collided and retried
    const ticks = (await stores[0]!.readAudit('checkout', 1000)).filter((e) => e.event === 'tick');
    expect(ticks).toHaveLength(2 * rounds);
  });

  it('recomputes the transition from the fresh record when another writer commits first', async () => {
    const { store, prefix } = newStore();
    const d = makeDeployment();
    await store.createWithLock(d);
    const seen: number[] = [];

    const out = await store.update(d.id, (cur) => {
      seen.push(cur.version);
      // On the first call, someone else commits in between (same connection: ordered before our write).
      if (seen.length === 1)
        void redis.set(`${prefix}deployment:${d.id}`, JSON.stringify(step(cur, 'prechecking', 'start')));
      return { next: step(cur, 'prechecking', 'mine'), result: cur.version };
    });

    expect(seen).toEqual([1, 2]);
    expect(out).toMatchObject({ found: true, written: true, result: 2 });
    const stored = await store.get(d.id);
    expect(stored?.version).toBe(3);
    expect(stored?.history.map((h) => h.event)).toEqual(['start', 'mine']);
  });

  it('writes nothing and returns the current record when the function returns no next record', async () => {
    const { store } = newStore();
    const d = makeDeployment();
    await store.createWithLock(d);

    const out = await store.update(d.id, () => ({ next: null, result: 'ignored' }));

    expect(out).toEqual({ found: true, written: false, deployment: d, result: 'ignored' });
    expect(await store.readAudit('checkout', 10)).toHaveLength(1);
  });

  it('reports found false for an unknown deployment without calling the function', async () => {
    const { store } = newStore();
    let called = false;
    const out = await store.update('checkout-nope', () => {
      called = true;
      return { next: null, result: 0 };
    });
    expect(out).toEqual({ found: false });
    expect(called).toBe(false);
  });
});

describe('DeploymentStore lock follows the state', () => {
  it('releases the lock and leaves the active set when a deployment reaches a terminal state', async () => {
    const { store, prefix } = newStore();
    const d = makeDeployment();
    await store.createWithLock(d);

    await store.update(d.id, (cur) => ({ next: step(cur, 'blocked', 'precheck_failed'), result: null }));

    expect(await store.lockHolder('checkout')).toBeNull();
    expect(await redis.sismember(`${prefix}active`, d.id)).toBe(0);
    expect(await store.listActive()).toEqual([]);
    expect(await store.createWithLock(makeDeployment())).toEqual({ ok: true });
  });

  it('keeps a lock held by another deployment when an old one moves between terminal states', async () => {
    const { store } = newStore();
    const old = makeDeployment();
    await store.createWithLock(old);
    await store.update(old.id, (cur) => ({ next: step(cur, 'failed', 'verify_failed'), result: null }));
    const fresh = makeDeployment();
    await store.createWithLock(fresh);

    await store.update(old.id, (cur) => ({ next: step(cur, 'rolled_back', 'manual'), result: null }));

    expect(await store.lockHolder('checkout')).toBe(fresh.id);
  });

  it('re-takes the free lock when a failed deployment starts rolling back', async () => {
    const { store, prefix } = newStore();
    const d = makeDeployment();
    await store.createWithLock(d);
    await store.update(d.id, (cur) => ({ next: step(cur, 'failed', 'verify_failed'), result: null }));

    const out = await store.update(d.id, (cur) => ({
      next: step(cur, 'rolling_back', 'rollback'),
      result: null,
    }));

    expect(out).toMatchObject({ found: true, written: true });
    expect(out.found && out.lockedBy).toBeUndefined();
    expect(await store.lockHolder('checkout')).toBe(d.id);
    expect(await redis.sismember(`${prefix}active`, d.id)).toBe(1);
  });

  it('refuses to leave a terminal state while another deployment holds the lock and names it', async () => {
    const { store } = newStore();
    const old = makeDeployment();
    await store.createWithLock(old);
    const failed = await store.update(old.id, (cur) => ({
      next: step(cur, 'failed', 'verify_failed'),
      result: null,
    }));
    const fresh = makeDeployment();
    await store.createWithLock(fresh);

    const out = await store.update(old.id, (cur) => ({
      next: step(cur, 'rolling_back', 'rollback'),
      result: 'r',
    }));

    expect(out).toEqual({
      found: true,
      written: false,
      deployment: failed.found ? failed.deployment : null,
      result: 'r',
      lockedBy: fresh.id,
    });
    expect((await store.get(old.id))?.state).toBe('failed');
    expect(await store.lockHolder('checkout')).toBe(fresh.id);
  });
});
