/**
 * The events webhook and the afterRollback hook through the real runtime (the config loader, the
 * store's outbox, the worker, the sweep), driven from Slack as a user does: a receiver gets every
 * transition of a whole lifecycle, in order, each once, with ids that follow the record versions
 * and a signature the README's snippet accepts; a Rollback click calls afterRollback with the
 * cause `manual` and its transitions reach the events webhook too.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Deployment } from '../../src/domain/deployment.js';
import type { TransitionEvent } from '../../src/domain/transition-event.js';
import { type Rig, startRig, USERS } from '../helpers/e2e-harness.js';
import { seriesValue } from '../helpers/metrics.js';
import { latestButton } from '../helpers/slack-inspect.js';
import { flatHeaders, readmeVerifier, type Verify } from '../helpers/standard-webhook.js';
import { waitUntil } from '../helpers/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const EVENTS_SECRET = `whsec_${Buffer.alloc(32, 0x42).toString('base64')}`;
const HOOK_SECRET = 'an-e2e-hook-secret-of-32-characters!';

let receiver: WebhookReceiver;
/** The verification snippet README.md documents, run as written. */
let verify: Verify;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
  verify = await readmeVerifier();
  vi.stubEnv('GL_E2E_EVENTS_SECRET', EVENTS_SECRET);
  vi.stubEnv('GL_E2E_HOOK_SECRET', HOOK_SECRET);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await receiver.close();
});

let rig: Rig;
afterEach(async () => {
  await rig?.close();
  receiver.requests.length = 0;
});

async function start(): Promise<Rig> {
  rig = await startRig({
    checkout: ['hooks:', '  secretEnv: GL_E2E_HOOK_SECRET', `  afterRollback: ${receiver.url}/rolled-back`],
    // A top-level key of greenlight.yml, after the services.
    services: ['events:', `  url: ${receiver.url}/audit`, '  secretEnv: GL_E2E_EVENTS_SECRET'],
  });
  return rig;
}

const audit = () => receiver.requests.filter((r) => r.path === '/audit');

/** Waits until every transition of `d` (as the record has them now) reached the receiver. */
async function allEventsOf(id: string): Promise<{ d: Deployment; bodies: TransitionEvent[] }> {
  return waitUntil(
    async () => {
      const d = await rig.bot.store.get(id);
      const got = audit().filter((r) => (r.headers['webhook-id'] as string).startsWith(`${id}-v`));
      return d && got.length >= d.history.length
        ? { d, bodies: got.map((r) => JSON.parse(r.raw) as TransitionEvent) }
        : undefined;
    },
    {
      what: `every event of ${id}`,
      timeoutMs: 20_000,
      last: () => audit().map((r) => r.headers['webhook-id']),
    },
  );
}

async function approved(): Promise<Deployment> {
  expect((await rig.slash('checkout green', USERS.requester)).status).toBe(200);
  const d = await rig.latest();
  await rig.waitForState(d.id, 'awaiting_approval');
  const approve = await waitUntil(() => latestButton(rig.slack, 'gl_approve'), {
    what: 'the Approve button',
  });
  await rig.click('gl_approve', approve.value, USERS.approver);
  return d;
}

describe('the events webhook, end to end', () => {
  it('receives every transition of a whole lifecycle in order, each once, signed', async () => {
    await start();
    const d0 = await approved();
    await rig.waitForState(d0.id, 'done', 30_000);

    const { d, bodies } = await allEventsOf(d0.id);
    expect(d.state).toBe('done');
    // Each transition once, numbered by record version, in order.
    expect(audit().map((r) => r.headers['webhook-id'])).toEqual(d.history.map((_, i) => `${d.id}-v${i + 1}`));
    expect(bodies.map((b) => b.data.event)).toEqual(d.history.map((h) => h.event));
    expect(bodies.map((b) => b.data.toState)).toEqual(d.history.map((h) => h.to));
    expect(bodies.map((b) => b.data.event)).toEqual([
      'requested',
      'precheck_started',
      'precheck_passed',
      'approve',
      'cutover_succeeded',
      'verify_passed',
      'teardown_due',
      'teardown_done',
    ]);
    for (let i = 1; i < bodies.length; i++)
      expect(bodies[i]?.data.fromState).toBe(bodies[i - 1]?.data.toState);
    expect(bodies.at(-1)?.data).toMatchObject({ toState: 'done', fromSlot: 'blue', toSlot: 'green' });
    expect(bodies[3]?.data.by).toBe(USERS.approver);
    for (const r of audit()) expect(verify(r.raw, flatHeaders(r.headers), EVENTS_SECRET)).toBe(true);
    expect(JSON.stringify(bodies)).not.toMatch(/arn:aws/);
    // The job counts an event after marking it delivered: the count may follow the arrival.
    const delivered = async () =>
      seriesValue(
        await (await fetch(`${rig.opsUrl}/metrics`)).text(),
        'greenlight_event_deliveries_total{outcome="delivered"}',
      );
    const counted = await waitUntil(
      async () => {
        const n = await delivered();
        return n !== undefined && n >= d.history.length ? n : undefined;
      },
      { what: `${d.history.length} deliveries counted in /metrics`, last: delivered },
    );
    expect(counted).toBe(d.history.length);
  });

  it('sends a Rollback to afterRollback (cause manual) and to the events webhook', async () => {
    await start();
    const d0 = await approved();
    await rig.waitForState(d0.id, 'soaking');
    const rollback = await waitUntil(() => latestButton(rig.slack, 'gl_rollback'), {
      what: 'the Rollback button',
    });
    await rig.click('gl_rollback', rollback.value, USERS.requester);
    await rig.waitForState(d0.id, 'rolled_back');

    const hook = await waitUntil(() => receiver.requests.find((r) => r.path === '/rolled-back'), {
      what: 'the afterRollback hook',
    });
    expect(JSON.parse(hook.raw)).toMatchObject({
      hook: 'afterRollback',
      deliveryId: `${d0.id}-afterRollback`,
      rollback: { cause: 'manual', by: USERS.requester, from: 'green', to: 'blue' },
    });
    const { bodies } = await allEventsOf(d0.id);
    expect(bodies.slice(-2).map((b) => [b.data.event, b.data.toState])).toEqual([
      ['rollback', 'rolling_back'],
      ['rollback_done', 'rolled_back'],
    ]);
    expect(bodies.at(-2)?.data.reason).toEqual({
      code: 'rollback_requested',
      params: { user: USERS.requester },
    });
  });
});
