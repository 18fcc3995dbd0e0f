/**
 * The events webhook with a real redis-server, the real store (its outbox written by the same Lua
 * script as the state change), the real queue and BullMQ worker, and a real HTTP receiver: every
 * transition arrives, in order, with a stable id and a valid signature; a receiver down for a
 * while gets them later; a process killed between the write and the enqueue loses nothing (the
 * sweep); repeats carry the same id and body; an event that cannot be delivered is dead-lettered
 * after `events.retryFor` (or at once on 410) and the deployment's next events go on.
 */
import { createHmac } from 'node:crypto';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobContext } from '../../src/app/context.js';
import type { Scheduler } from '../../src/app/ports/scheduler.js';
import { recordEvent } from '../../src/app/record-event.js';
import type { Deployment } from '../../src/domain/deployment.js';
import type { DeploymentEvent } from '../../src/domain/events.js';
import { jobId } from '../../src/domain/job-ids.js';
import { newDeployment, newDeploymentId } from '../../src/domain/new-deployment.js';
import type { EventsSettings } from '../../src/domain/service.js';
import { runEventDelivery, sweepEvents } from '../../src/jobs/event-delivery-job.js';
import { type EventsWiring, eventsWiring } from '../../src/jobs/event-wiring.js';
import { startWorker } from '../../src/jobs/worker.js';
import { DeploymentStore } from '../../src/store/deployment-store.js';
import { RedisEventOutbox } from '../../src/store/event-outbox.js';
import { storeKeys } from '../../src/store/keys.js';
import { CHANNEL, type JobRig, USERS } from '../helpers/job-rig.js';
import { useJobRig } from '../helpers/job-rig-hooks.js';
import { waitUntil } from '../helpers/wait.js';
import {
  type ReceivedRequest,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../helpers/webhook-receiver.js';

const SECRET = `whsec_${Buffer.alloc(32, 0x5a).toString('base64')}`;
const HOUR = 3_600_000;

let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.close());

let rig: JobRig;
useJobRig((r) => {
  rig = r;
});

/** A scheduler that runs no transition's jobs: only event deliveries are in the queue. */
const idle: Scheduler = {
  enqueue: async () => {},
  enqueueNotify: async () => {},
  repair: async () => ({ status: 'fine' }),
  cancel: async () => {},
  apply: async () => {},
};

let redis: Redis;
let settings: EventsSettings;
let wiring: EventsWiring;
let ctx: JobContext;
let outbox: RedisEventOutbox;
let worker: Worker | undefined;
let seq = 0;

/** The rig's context with the events webhook on; `enqueue: false`: the store never enqueues (a crash). */
function withEvents(opts: { enqueue?: boolean } = {}): DeploymentStore {
  wiring = eventsWiring(redis, rig.prefix, rig.queue, settings, rig.ctx.log);
  const store = new DeploymentStore(redis, {
    prefix: `${rig.prefix}:`,
    events: opts.enqueue === false ? {} : wiring.store,
  });
  ctx = {
    ...rig.ctx,
    store,
    scheduler: idle,
    config: { ...rig.ctx.config, events: settings },
    events: wiring.delivery,
    secret: (name) => (name === 'GL_EVENTS_SECRET' ? SECRET : undefined),
  };
  rig.ctx.metrics.setCollectors({ deadLetters: wiring.deadLetters });
  return store;
}

beforeEach(() => {
  redis = new Redis(rig.redisUrl, { maxRetriesPerRequest: 3 });
  settings = {
    url: `${receiver.url}/events`,
    secretEnv: 'GL_EVENTS_SECRET',
    timeoutMs: 2_000,
    retryForMs: HOUR,
  };
  outbox = new RedisEventOutbox(redis, storeKeys(`${rig.prefix}:`));
  receiver.requests.length = 0;
  receiver.answer(() => ({ status: 204 }));
  withEvents();
});
afterEach(async () => {
  await worker?.close();
  worker = undefined;
  redis.disconnect();
});

/** A new deployment written through `store`, then `events` recorded through the real state machine. */
async function lifecycle(events: DeploymentEvent[]): Promise<Deployment> {
  seq += 1;
  rig.clock.advance(1_000);
  const d = newDeployment(
    {
      id: newDeploymentId('checkout', rig.clock.now(), seq.toString(16).padStart(4, '0')),
      service: 'checkout',
      channel: CHANNEL,
      requester: USERS.requester,
      requestReason: 'release 1.42',
      toSlot: 'green',
      soakMs: HOUR,
      remindBeforeMs: 600_000,
    },
    rig.clock.now(),
  );
  const created = await ctx.store.createWithLock(d);
  if (!created.ok) throw new Error('checkout is locked');
  for (const e of events) {
    rig.clock.advance(1_000);
    const out = await recordEvent(ctx, d.id, e);
    if (!out.ok) throw new Error(`${e.type} refused: ${out.code}`);
  }
  return (await ctx.store.get(d.id)) as Deployment;
}

const TO_CANCELLED: DeploymentEvent[] = [
  { type: 'precheck_started' },
  { type: 'precheck_passed', fromSlot: 'blue', approvalTimeoutMs: 1_800_000 },
  { type: 'cancel', user: USERS.approver },
];

const idOf = (r: ReceivedRequest) => r.headers['webhook-id'] as string;
/** Each event's first arrival, in arrival order. */
function firstArrivals(): ReceivedRequest[] {
  const seen = new Set<string>();
  return receiver.requests.filter((r) => !seen.has(idOf(r)) && seen.add(idOf(r)));
}
function signatureValid(r: ReceivedRequest): boolean {
  const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
  const ts = r.headers['webhook-timestamp'] as string;
  const mac = createHmac('sha256', key)
    .update(`${idOf(r)}.${ts}.${r.raw}`)
    .digest('base64');
  return r.headers['webhook-signature'] === `v1,${mac}`;
}
async function metric(series: string): Promise<number | undefined> {
  const line = (await rig.ctx.metrics.render()).body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
const delivered = (n: number) =>
  waitUntil(() => firstArrivals().length >= n, {
    what: `${n} events at the receiver`,
    timeoutMs: 20_000,
    last: () => receiver.requests.map(idOf),
  });
const startDelivering = () => {
  worker = startWorker(ctx, rig.bullConnection, { prefix: rig.prefix, concurrency: 4 });
};

describe('the events webhook', () => {
  it('receives every transition once, in order, with stable unique ids and valid signatures', async () => {
    startDelivering();
    const d = await lifecycle(TO_CANCELLED);
    await delivered(4);
    await waitUntil(async () => (await outbox.deploymentsWithPending()).length === 0, {
      what: 'an empty outbox',
    });

    // One sender per deployment at a time: each once, in order (a repeat would be the same event).
    expect(receiver.requests.map(idOf)).toEqual([1, 2, 3, 4].map((v) => `${d.id}-v${v}`));
    const first = firstArrivals();
    const bodies = first.map((r) => JSON.parse(r.raw));
    expect(bodies.map((b) => [b.data.fromState, b.data.toState, b.data.event, b.data.by])).toEqual([
      [null, 'requested', 'requested', USERS.requester],
      ['requested', 'prechecking', 'precheck_started', null],
      ['prechecking', 'awaiting_approval', 'precheck_passed', null],
      ['awaiting_approval', 'cancelled', 'cancel', USERS.approver],
    ]);
    for (const b of bodies)
      expect(b).toMatchObject({ type: 'deployment.transition', data: { deploymentId: d.id } });
    expect(bodies[3].data.reason).toEqual({ code: 'cancelled', params: { user: USERS.approver } });
    expect(bodies.every((b) => b.data.requestReason === 'release 1.42')).toBe(true);
    // The history the audit shows is what was sent: one event per history entry.
    expect(d.history.map((h) => h.event)).toEqual(bodies.map((b) => b.data.event));
    expect(first.every(signatureValid)).toBe(true);
    // Any repeat is the same event: the same id, the same bytes.
    for (const r of receiver.requests) expect(r.raw).toBe(first.find((f) => idOf(f) === idOf(r))?.raw);
    expect(await metric('greenlight_event_deliveries_total{outcome="delivered"}')).toBe(4);
  });

  it('gets the events later when the receiver was down for a while (retried with backoff)', async () => {
    await receiver.down();
    startDelivering();
    const d = await lifecycle(TO_CANCELLED);
    await waitUntil(
      async () => ((await metric('greenlight_event_deliveries_total{outcome="retried"}')) ?? 0) >= 2,
      {
        what: 'failed attempts while the receiver is down',
      },
    );
    expect(await outbox.pending(d.id)).toHaveLength(4); // nothing lost, nothing dead-lettered
    await receiver.up();

    await delivered(4);
    expect(receiver.requests.map(idOf)).toEqual([1, 2, 3, 4].map((v) => `${d.id}-v${v}`));
    expect(await metric('greenlight_event_deliveries_total{outcome="dead_lettered"}')).toBe(0);
  });

  it('still delivers what a process killed between the state write and the enqueue had written (the sweep)', async () => {
    withEvents({ enqueue: false }); // the write happens; the process dies before enqueueing
    const d = await lifecycle(TO_CANCELLED);
    for (const v of [1, 2, 3, 4]) expect(await rig.queue.getJob(jobId('event', d.id, v))).toBeUndefined();
    expect(await outbox.deploymentsWithPending()).toEqual([d.id]);
    startDelivering();

    expect(await sweepEvents(ctx)).toBe(4); // what the next reconcile does
    await delivered(4);
    expect(firstArrivals().map(idOf)).toEqual([1, 2, 3, 4].map((v) => `${d.id}-v${v}`));
    await waitUntil(async () => (await sweepEvents(ctx)) === 0, { what: 'nothing left to sweep' });
  });

  it('sends a repeat with the same id and body when the receiver answered too late', async () => {
    settings.timeoutMs = 300;
    withEvents();
    // The first delivery of each event arrives but is answered after the timeout: Greenlight cannot
    // know it arrived, and sends it again.
    const answered = new Set<string>();
    receiver.answer((r) => {
      const id = idOf(r);
      if (answered.has(id)) return { status: 200 };
      answered.add(id);
      return { status: 200, delayMs: 1_000 };
    });
    const d = await lifecycle([]);
    startDelivering();

    await waitUntil(() => receiver.requests.length >= 2, { what: 'the event twice', timeoutMs: 20_000 });
    await waitUntil(async () => (await outbox.pending(d.id)).length === 0, { what: 'the event delivered' });
    const [a, b] = receiver.requests;
    expect(idOf(a as ReceivedRequest)).toBe(`${d.id}-v1`);
    expect(idOf(b as ReceivedRequest)).toBe(`${d.id}-v1`);
    expect(b?.raw).toBe(a?.raw);
    expect([a, b].every((r) => signatureValid(r as ReceivedRequest))).toBe(true);
  });
});

describe('an event that cannot be delivered', () => {
  it('holds the deployment’s later events back, then is dead-lettered after retryFor; the next go on', async () => {
    const d = await lifecycle(TO_CANCELLED);
    receiver.answer((r) => ({ status: idOf(r) === `${d.id}-v2` ? 500 : 200, body: 'nope' }));

    await expect(runEventDelivery(ctx, d.id, 4)).rejects.toThrow(/v2 not delivered \(HTTP 500: nope\)/);
    expect(receiver.requests.map(idOf)).toEqual([`${d.id}-v1`, `${d.id}-v2`]); // v3 waits behind v2
    expect(await metric('greenlight_event_deliveries_total{outcome="retried"}')).toBe(1);

    rig.clock.advance(HOUR);
    await runEventDelivery(ctx, d.id, 4);

    expect(receiver.requests.map(idOf)).toEqual([1, 2, 2, 3, 4].map((v) => `${d.id}-v${v}`));
    const [dead] = await outbox.deadLetters();
    expect(dead).toMatchObject({ id: `${d.id}-v2`, deploymentId: d.id, version: 2 });
    expect(dead?.error).toMatch(/HTTP 500: nope; given up 1h after the transition/);
    expect(JSON.parse(dead?.body ?? '{}').data.event).toBe('precheck_started'); // kept whole
    expect(await outbox.pending(d.id)).toEqual([]);
    expect(await metric('greenlight_event_deliveries_total{outcome="dead_lettered"}')).toBe(1);
    expect(await metric('greenlight_event_dead_letters')).toBe(1);
    // A job of an event already handled sends nothing more.
    await runEventDelivery(ctx, d.id, 2);
    expect(receiver.requests).toHaveLength(5);
  });

  it('is dead-lettered at once when the receiver answers 410 Gone', async () => {
    const d = await lifecycle([]);
    receiver.answer(() => ({ status: 410 }));
    await runEventDelivery(ctx, d.id, 1);
    expect((await outbox.deadLetters()).map((e) => e.id)).toEqual([`${d.id}-v1`]);
    expect(receiver.requests).toHaveLength(1);
  });

  it('is never sent unsigned: without a usable secret nothing goes out, and it is tried again', async () => {
    const d = await lifecycle([]);
    ctx = { ...ctx, secret: () => 'too-short' };
    await expect(runEventDelivery(ctx, d.id, 1)).rejects.toThrow(/not sent: .*GL_EVENTS_SECRET.*too short/);
    expect(receiver.requests).toEqual([]);
    expect(await outbox.pending(d.id)).toHaveLength(1);
  });
});
