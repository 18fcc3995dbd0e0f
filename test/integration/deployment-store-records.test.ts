import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentReason } from '../../src/domain/reasons.js';
import { CorruptRecordError } from '../../src/errors.js';
import { historyMessage, statusCard } from '../../src/messages/index.js';
import { DeploymentStore } from '../../src/store/deployment-store.js';
import { type RedisProcess, startRedis } from '../helpers/redis-server.js';
import { serviceConfig } from '../helpers/service-config.js';
import { makeDeployment, step, uniquePrefix } from './store-fixtures.js';

let server: RedisProcess;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});

afterAll(async () => {
  redis.disconnect();
  await server?.stop();
});

function newStore(opts: { client?: Redis; prefix?: string } = {}) {
  const prefix = opts.prefix ?? uniquePrefix();
  return { prefix, store: new DeploymentStore(opts.client ?? redis, { prefix }) };
}

describe('DeploymentStore audit and listings', () => {
  it('appends every new history entry to the audit stream and reads it newest first', async () => {
    const { store } = newStore();
    const d = makeDeployment();
    await store.createWithLock(d);

    await store.update(d.id, (cur) => {
      const checking = step(cur, 'prechecking', 'start');
      return {
        next: step(checking, 'awaiting_approval', 'precheck_ok', { detail: 'green healthy' }),
        result: null,
      };
    });
    await store.update(d.id, (cur) => ({
      next: step(cur, 'cutting_over', 'approve', { by: 'U0APPROVER' }),
      result: null,
    }));

    const audit = await store.readAudit('checkout', 10);
    expect(audit.map((e) => e.event)).toEqual(['approve', 'precheck_ok', 'start', 'created']);
    expect(audit[0]).toEqual({
      at: d.createdAt + 3,
      deploymentId: d.id,
      event: 'approve',
      from: 'awaiting_approval',
      to: 'cutting_over',
      by: 'U0APPROVER',
    });
    expect(audit[1]?.detail).toBe('green healthy');
    expect((await store.readAudit('checkout', 2)).map((e) => e.event)).toEqual(['approve', 'precheck_ok']);
  });

  it("lists a service's deployments newest first, up to the limit", async () => {
    const { store } = newStore();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const d = makeDeployment();
      ids.push(d.id);
      await store.createWithLock(d);
      await store.update(d.id, (cur) => ({ next: step(cur, 'done', 'finished'), result: null }));
    }
    await store.createWithLock(makeDeployment({ service: 'search' }));

    expect((await store.listByService('checkout', 10)).map((d) => d.id)).toEqual([...ids].reverse());
    expect((await store.listByService('checkout', 2)).map((d) => d.id)).toEqual([ids[3], ids[2]]);
    expect(await store.listByService('nothing', 5)).toEqual([]);
  });

  it('lists only deployments that are not in a terminal state as active', async () => {
    const { store } = newStore();
    const running = makeDeployment();
    const finished = makeDeployment({ service: 'search' });
    await store.createWithLock(running);
    await store.createWithLock(finished);
    await store.update(finished.id, (cur) => ({ next: step(cur, 'cancelled', 'cancel'), result: null }));

    expect((await store.listActive()).map((d) => d.id)).toEqual([running.id]);
  });

  it('raises a clear error for a corrupt record and skips it in listings', async () => {
    const prefix = uniquePrefix();
    const skipped: string[] = [];
    const store = new DeploymentStore(redis, { prefix, onCorrupt: (err) => skipped.push(err.key) });
    const good = makeDeployment();
    await store.createWithLock(good);
    await redis.set(`${prefix}deployment:bad-json`, '{oops');
    await redis.set(
      `${prefix}deployment:bad-shape`,
      JSON.stringify({ ...good, id: 'bad-shape', state: 'exploded' }),
    );
    await redis.zadd(`${prefix}service:checkout:deployments`, 1, 'bad-json', 2, 'bad-shape');

    await expect(store.get('bad-json')).rejects.toThrow(
      `corrupt record at ${prefix}deployment:bad-json: not JSON`,
    );
    await expect(store.get('bad-shape')).rejects.toThrow(/state: Invalid option/);
    await expect(store.update('bad-shape', () => ({ next: null, result: 0 }))).rejects.toBeInstanceOf(
      CorruptRecordError,
    );
    expect((await store.listByService('checkout', 10)).map((d) => d.id)).toEqual([good.id]);
    expect(skipped.sort()).toEqual([`${prefix}deployment:bad-json`, `${prefix}deployment:bad-shape`]);
  });
});

describe('DeploymentStore reasons', () => {
  const cancelled: DeploymentReason = { code: 'cancelled', params: { user: 'U0REQUESTER' } };

  it('reads a record written by the previous version, whose reason is a string, as the legacy code text', async () => {
    const { prefix, store } = newStore();
    const d = makeDeployment({ state: 'cancelled' });
    // Exactly what the previous version stored: the reason and its history detail as mrkdwn text.
    const legacy = {
      ...d,
      reason: 'cancelled by <@U0REQUESTER>',
      history: [
        {
          at: d.createdAt + 1,
          event: 'cancel',
          from: 'requested',
          to: 'cancelled',
          by: 'U0REQUESTER',
          detail: 'cancelled by <@U0REQUESTER>',
        },
      ],
    };
    await redis.set(`${prefix}deployment:${d.id}`, JSON.stringify(legacy));

    const read = await store.get(d.id);
    expect(read?.reason).toEqual({ code: 'text', params: { text: 'cancelled by <@U0REQUESTER>' } });
    expect(read?.history[0]).toEqual(legacy.history[0]);
    // Shown exactly as that version showed it, and as a record that carries the code shows it.
    const svc = serviceConfig();
    const now = d.createdAt + 5;
    const coded = { ...(read as NonNullable<typeof read>), reason: cancelled };
    expect(statusCard(read as NonNullable<typeof read>, svc, now)).toEqual(statusCard(coded, svc, now));
    expect(JSON.stringify(statusCard(read as NonNullable<typeof read>, svc, now).blocks)).toContain(
      '*Reason:* cancelled by <@U0REQUESTER>',
    );

    // Written back by this version: the reason is stored as the object it was read as.
    await store.update(d.id, (cur) => ({ next: { ...cur, version: cur.version + 1 }, result: null }));
    const raw = JSON.parse((await redis.get(`${prefix}deployment:${d.id}`)) as string);
    expect(raw.reason).toEqual({ code: 'text', params: { text: 'cancelled by <@U0REQUESTER>' } });
    expect((await store.get(d.id))?.reason).toEqual(raw.reason);
  });

  it('keeps a reason as its code and parameters, on the record and in the audit trail', async () => {
    const { store } = newStore();
    const d = makeDeployment();
    await store.createWithLock(d);
    await store.update(d.id, (cur) => ({
      next: {
        ...step(cur, 'cancelled', 'cancel', { by: 'U0REQUESTER', reason: cancelled }),
        reason: cancelled,
      },
      result: null,
    }));

    const read = await store.get(d.id);
    expect(read?.reason).toEqual(cancelled);
    expect(read?.history.at(-1)?.reason).toEqual(cancelled);
    const [entry] = await store.readAudit('checkout', 1);
    expect(entry).toMatchObject({ event: 'cancel', by: 'U0REQUESTER', reason: cancelled });
    expect(entry?.detail).toBeUndefined();
    // The history line reads as the previous version's, which kept the reason's text in `detail`.
    if (!entry) throw new Error('no audit entry');
    const { reason: _, ...legacy } = entry;
    expect(historyMessage('checkout', [entry])).toEqual(
      historyMessage('checkout', [{ ...legacy, detail: 'cancelled by <@U0REQUESTER>' }]),
    );
    expect(JSON.stringify(historyMessage('checkout', [entry]).blocks)).toContain(
      '(cancel) by <@U0REQUESTER> — cancelled by',
    );
  });

  it('keeps a record and its audit entry readable when a newer version wrote a reason this one does not know', async () => {
    const { prefix, store } = newStore();
    const d = makeDeployment({ state: 'failed' });
    const newer = { code: 'quota_exceeded', params: { limit: 3 } };
    await redis.set(`${prefix}deployment:${d.id}`, JSON.stringify({ ...d, reason: newer }));
    // Two audit entries as a newer version writes them: one with its reason, one unreadable.
    const fail = (at: number, reason: string) =>
      redis.xadd(
        `${prefix}audit:checkout`,
        '*',
        ...['deploymentId', d.id, 'at', String(at), 'event', 'fail', 'from', 'requested', 'to', 'failed'],
        ...['reason', reason],
      );
    await fail(d.createdAt + 1, JSON.stringify(newer));
    await fail(d.createdAt + 2, '{not json');

    const read = await store.get(d.id);
    expect(read?.reason).toEqual(newer);
    // Shown by its code, never a crash.
    const card = JSON.stringify(
      statusCard(read as NonNullable<typeof read>, serviceConfig(), d.createdAt + 5).blocks,
    );
    expect(card).toContain('(quota_exceeded)');
    const trail = await store.readAudit('checkout', 10);
    expect(trail.slice(0, 2).map((e) => [e.event, e.reason])).toEqual([
      ['fail', undefined],
      ['fail', newer],
    ]);
  });

  it('refuses a stored reason that is neither a string nor a known code with its parameters', async () => {
    const { prefix, store } = newStore();
    const d = makeDeployment({ state: 'failed' });
    await redis.set(
      `${prefix}deployment:${d.id}`,
      JSON.stringify({ ...d, reason: { code: 'failure', params: { step: 'lunch', detail: 'x' } } }),
    );
    await expect(store.get(d.id)).rejects.toThrow(/reason/);
  });
});

describe('DeploymentStore durability', () => {
  it('keeps the record, lock and audit across a redis SIGKILL and restart with appendonly', async () => {
    const durable = await startRedis({ appendonly: true });
    try {
      const prefix = uniquePrefix();
      const before = new Redis(durable.url);
      const d = makeDeployment();
      const store = new DeploymentStore(before, { prefix });
      await store.createWithLock(d);
      await store.update(d.id, (cur) => ({ next: step(cur, 'prechecking', 'start'), result: null }));
      const written = await store.get(d.id);
      before.disconnect();

      await durable.restart();

      const after = new Redis(durable.url);
      try {
        const reopened = new DeploymentStore(after, { prefix });
        expect(await reopened.get(d.id)).toEqual(written);
        expect(await reopened.lockHolder('checkout')).toBe(d.id);
        expect((await reopened.readAudit('checkout', 10)).map((e) => e.event)).toEqual(['start', 'created']);
        expect((await reopened.listActive()).map((x) => x.id)).toEqual([d.id]);
      } finally {
        after.disconnect();
      }
    } finally {
      await durable.stop();
    }
  });
});
