/**
 * Redis restarts without persistence during a soak: the deployment record, the lock and the
 * scheduled teardown are gone. Greenlight must notice (the sentinel), fail /readyz, tell the
 * channel, and find the forgotten blue slot by reading AWS — then be ready again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Rig, startRig, USERS } from '../helpers/e2e-harness.js';
import { startRedis } from '../helpers/redis-server.js';
import { latestButton, textOf } from '../helpers/slack-inspect.js';
import { waitUntil } from '../helpers/wait.js';

let rig: Rig;
afterEach(async () => {
  await rig?.close();
  await rig?.redis.stop();
});

const channelPosts = (r: Rig, match: RegExp) =>
  r.slack.calls.filter(
    (c) => c.method === 'chat.postMessage' && c.args['thread_ts'] === undefined && match.test(textOf(c)),
  );

describe('Redis losing its data during a soak', () => {
  it('fails /readyz, alerts the channel and reports the forgotten slot from AWS, then is ready again', async () => {
    const redis = await startRedis({ appendonly: false });
    rig = await startRig({
      redis,
      timings: { soak: '1h', remindBefore: '10m', approvalTimeout: '30s', verifyWindow: '5s' },
      runtime: { redisCheckMs: 100, redisLossHoldMs: 3_000 },
    });
    const base = rig.opsUrl;
    await rig.slash('checkout green', USERS.requester);
    const d = await rig.latest();
    await rig.waitForState(d.id, 'awaiting_approval');
    const approve = await waitUntil(() => latestButton(rig.slack, 'gl_approve'), { what: 'Approve' });
    await rig.click('gl_approve', approve.value, USERS.approver);
    await rig.waitForState(d.id, 'soaking', 30_000);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect(channelPosts(rig, /Forgotten environment/)).toEqual([]);

    await rig.redis.restart(); // no AOF: everything is gone

    const notReady = await waitUntil(
      async () => {
        const r = await fetch(`${base}/readyz`).catch(() => undefined);
        return r?.status === 503 ? r : undefined;
      },
      { what: '/readyz to fail after the loss' },
    );
    expect(await notReady.json()).toEqual({ status: 'not ready' });
    const alert = await waitUntil(() => channelPosts(rig, /lost its Redis data/)[0], {
      what: 'the data-loss alert in the channel',
    });
    expect(alert.args['channel']).toBe('C0CHECKOUT');
    const forgotten = await waitUntil(() => channelPosts(rig, /Forgotten environment/)[0], {
      what: 'the forgotten-environment report',
    });
    expect(JSON.stringify(forgotten.args['blocks'])).toMatch(/slot \*blue\*: 2 registered target/);
    expect(JSON.stringify(forgotten.args['blocks'])).toMatch(/lost its records/);
    await waitUntil(async () => (await fetch(`${base}/readyz`)).status === 200, {
      what: '/readyz to recover once AWS was scanned',
    });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/greenlight_redis_data_lost_total 1/);
    expect(metrics).toMatch(/greenlight_redis_durable 0/); // appendonly no
    // Told once, though every check since has run the sentinel again.
    expect(channelPosts(rig, /lost its Redis data/)).toHaveLength(1);
    expect(channelPosts(rig, /Forgotten environment/)).toHaveLength(1);
  });
});
