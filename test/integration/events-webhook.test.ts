/**
 * The events webhook with a real redis-server, the real store (its outbox written by the same Lua
 * script as the state change), the real queue and BullMQ worker, and a real HTTP receiver: every
 * transition arrives, in order, with a stable id and a valid signature; a receiver down for a
 * while gets them later, one attempt per retry however many events wait; a process killed between
 * the write and the enqueue loses nothing (the sweep); repeats carry the same id and body; a
 * holder whose lease was taken over stops; an event that cannot be delivered is dead-lettered
 * after `events.retryFor` and the deployment's next events go on; dead letters are capped; a 410
 * Gone turns delivery off until the URL changes or the mark is deleted; `Retry-After` is honoured;
 * with `events` removed, what waits is dead-lettered after the longest retryFor.
 */
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobContext } from '../../src/app/context.js';
import type { OutboxEvent } from '../../src/app/ports/events.js';
import type { Scheduler } from '../../src/app/ports/scheduler.js';
import { recordEvent } from '../../src/app/record-event.js';
import type { Deployment } from '../../src/domain/deployment.js';
import type { DeploymentEvent } from '../../src/domain/events.js';
import { jobId } from '../../src/domain/job-ids.js';
import { newDeployment, newDeploymentId } from '../../src/domain/new-deployment.js';
import type { EventsSettings } from '../../src/domain/service.js';
import { runEventDelivery, sweepEvents } from '../../src/jobs/event-delivery-job.js';
import { startWorker } from '../../src/jobs/worker.js';
import { type EventsWiring, eventsWiring } from '../../src/runtime-events.js';
import { DeploymentStore } from '../../src/store/deployment-store.js';
import { RedisEventOutbox } from '../../src/store/event-outbox.js';
import { storeKeys } from '../../src/store/keys.js';
import { CHANNEL, type JobRig, USERS } from '../helpers/job-rig.js';
import { useJobRig } from '../helpers/job-rig-hooks.js';
import { metricOf } from '../helpers/metrics.js';
import { signedPerSpec, whsecKey } from '../helpers/standard-webhook.js';
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
  wiring = eventsWiring(redis, rig.prefix, rig.queue, settings, rig.ctx.log, rig.clock.now);
  const store = new DeploymentStore(redis, {
    prefix: `${rig.prefix}:`,
    events: opts.enqueue === false ? {} : (wiring.store ?? {}),
  });
  ctx = {
    ...rig.ctx,
    store,
    scheduler: idle,
    config: { ...rig.ctx.config, events: settings },
    events: wiring.delivery,
    secret: (name) => (name === 'GL_EVENTS_SECRET' ? SECRET : undefined),
  };
  rig.ctx.metrics.setCollectors(wiring.collectors);
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
  outbox = new RedisEventOutbox(redis, storeKeys(`${rig.prefix}:`), { now: rig.clock.now });
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

/** Two events (requested, cancelled), and the service free again for the next deployment. */
const CANCELLED_AT_ONCE: DeploymentEvent[] = [{ type: 'cancel', user: USERS.requester }];

const idOf = (r: ReceivedRequest) => r.headers['webhook-id'] as string;
/** Each event's first arrival, in arrival order. */
function firstArrivals(): ReceivedRequest[] {
  const seen = new Set<string>();
  return receiver.requests.filter((r) => !seen.has(idOf(r)) && seen.add(idOf(r)));
}
const signatureValid = (r: ReceivedRequest) => signedPerSpec(r, whsecKey(SECRET));
const metric = metricOf(() => rig.ctx.metrics);
const DELIVERED = 'greenlight_event_deliveries_total{outcome="delivered"}';
/**
 * The delivered count once it reached `n`: the job counts an event after marking it delivered in
 * the outbox, so an empty outbox does not mean the count is there yet.
 */
const deliveredCount = (n: number) =>
  waitUntil(
    async () => {
      const v = await metric(DELIVERED);
      return v !== undefined && v >= n ? v : undefined;
    },
    { what: `${n} deliveries counted`, last: () => metric(DELIVERED) },
  );
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
    expect(await deliveredCount(4)).toBe(4);
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

  it('retries only the oldest waiting event of a deployment: one attempt per retry round, not one per waiting event', async () => {
    receiver.answer(() => ({ status: 500, body: 'down for maintenance' }));
    const d = await lifecycle(TO_CANCELLED); // 4 events wait, each with its job
    startDelivering();
    // Retry rounds go by; after each, a sweep (what every reconcile does) looks at the waiting events.
    for (let round = 1; round <= 3; round++) {
      await waitUntil(() => receiver.requests.length >= round, {
        what: `failed attempt ${round}`,
        last: () => receiver.requests.map(idOf),
      });
      expect(await sweepEvents(ctx)).toBe(4);
    }
    await worker?.close(); // no attempt in flight while the counts are read
    worker = undefined;

    const ids = (vs: number[]) => vs.map((v) => `${d.id}-v${v}`);
    const attempts = receiver.requests.length;
    // Every attempt was of the oldest event, made by its job, once per retry of that one job …
    expect(receiver.requests.map(idOf)).toEqual(Array(attempts).fill(`${d.id}-v1`));
    const head = await rig.queue.getJob(jobId('event', d.id, 1));
    expect(head?.attemptsMade).toBe(attempts);
    // … and counted once per attempt.
    expect(await metric('greenlight_event_deliveries_total{outcome="retried"}')).toBe(attempts);
    // The later events' jobs sent nothing and have no retries of their own under way.
    for (const v of [2, 3, 4]) {
      const state = await (await rig.queue.getJob(jobId('event', d.id, v)))?.getState();
      expect(state === undefined || state === 'completed').toBe(true);
    }
    expect(await outbox.pending(d.id)).toHaveLength(4);

    // The receiver is back: the next retry sends every event, in order, each once.
    receiver.answer(() => ({ status: 204 }));
    startDelivering();
    await head?.promote(); // its backoff, cut short
    await waitUntil(() => receiver.requests.length >= attempts + 4, {
      what: 'the four events after the failures',
      timeoutMs: 20_000,
      last: () => receiver.requests.map(idOf),
    });
    await waitUntil(async () => (await outbox.deploymentsWithPending()).length === 0, {
      what: 'an empty outbox',
    });
    expect(receiver.requests.slice(attempts).map(idOf)).toEqual(ids([1, 2, 3, 4]));
    expect(await deliveredCount(4)).toBe(4);
    expect(await metric('greenlight_event_deliveries_total{outcome="retried"}')).toBe(attempts);
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

    await expect(runEventDelivery(ctx, d.id, 1)).rejects.toThrow(/v2 not delivered \(HTTP 500: nope\)/);
    expect(receiver.requests.map(idOf)).toEqual([`${d.id}-v1`, `${d.id}-v2`]); // v3 waits behind v2
    expect(await metric('greenlight_event_deliveries_total{outcome="retried"}')).toBe(1);
    // A later event's job sends nothing: the oldest waiting one's job does.
    await runEventDelivery(ctx, d.id, 4);
    expect(receiver.requests).toHaveLength(2);

    rig.clock.advance(HOUR);
    await runEventDelivery(ctx, d.id, 2);

    expect(receiver.requests.map(idOf)).toEqual([1, 2, 2, 3, 4].map((v) => `${d.id}-v${v}`));
    const [dead] = await outbox.deadLetters();
    expect(dead).toMatchObject({ id: `${d.id}-v2`, deploymentId: d.id, version: 2, deadAt: rig.clock.now() });
    expect(dead?.error).toMatch(/HTTP 500: nope; given up 1h after the transition/);
    expect(JSON.parse(dead?.body ?? '{}').data.event).toBe('precheck_started'); // kept whole
    expect(await outbox.pending(d.id)).toEqual([]);
    expect(await metric('greenlight_event_deliveries_total{outcome="dead_lettered"}')).toBe(1);
    expect(await metric('greenlight_event_dead_letters')).toBe(1);
    // A job of an event already handled sends nothing more.
    await runEventDelivery(ctx, d.id, 2);
    expect(receiver.requests).toHaveLength(5);
  });

  it('is never sent unsigned: without a usable secret nothing goes out, and it is tried again', async () => {
    const d = await lifecycle([]);
    ctx = { ...ctx, secret: () => 'too-short' };
    await expect(runEventDelivery(ctx, d.id, 1)).rejects.toThrow(/not sent: .*GL_EVENTS_SECRET.*too short/);
    expect(receiver.requests).toEqual([]);
    expect(await outbox.pending(d.id)).toHaveLength(1);
  });

  it('waits as long as a 429 or 503 asks (Retry-After, up to the 60 s cap); other failures back off with jitter', async () => {
    receiver.answer(() => ({ status: 429, headers: { 'retry-after': '40' }, body: 'slow down' }));
    const d = await lifecycle(CANCELLED_AT_ONCE);
    startDelivering();
    const job = async () => rig.queue.getJob(jobId('event', d.id, 1));
    await waitUntil(async () => (await (await job())?.getState()) === 'delayed', { what: 'the first retry' });
    expect((await job())?.delay).toBeGreaterThanOrEqual(40_000);
    expect((await job())?.delay).toBeLessThanOrEqual(60_000);

    receiver.answer(() => ({ status: 500, headers: { 'retry-after': '40' } })); // a 500's Retry-After: not honoured
    const e = await lifecycle(CANCELLED_AT_ONCE);
    const other = async () => rig.queue.getJob(jobId('event', e.id, 1));
    await waitUntil(async () => (await (await other())?.getState()) === 'delayed', {
      what: 'its first retry',
    });
    const delay = (await other())?.delay ?? 0;
    // The first retry's 1 s, jittered down to 50–100 %.
    expect(delay).toBeGreaterThanOrEqual(500);
    expect(delay).toBeLessThanOrEqual(1_000);
  });
});

describe('one sender per deployment', () => {
  it('stops before its next POST when its lease was taken over (it paused past the lease’s TTL)', async () => {
    const d = await lifecycle(TO_CANCELLED);
    const lease = storeKeys(`${rig.prefix}:`).eventLease(d.id);
    const post = wiring.delivery.post;
    // While v1 is in flight the lease lapses and another job takes it.
    ctx = {
      ...ctx,
      events: {
        ...wiring.delivery,
        post: async (req) => {
          const answer = await post(req);
          if (req.id === `${d.id}-v1`) await redis.set(lease, 'another-job', 'PX', 60_000);
          return answer;
        },
      },
    };
    await runEventDelivery(ctx, d.id, 1);

    expect(receiver.requests.map(idOf)).toEqual([`${d.id}-v1`]); // not v2: the new holder sends it
    expect((await outbox.pending(d.id)).map((e) => e.version)).toEqual([2, 3, 4]);
    expect(await redis.get(lease)).toBe('another-job'); // not released from under the new holder
  });
});

describe('dead letters', () => {
  it('keeps the newest ones up to the cap, none older than the kept age', async () => {
    const small = new RedisEventOutbox(redis, storeKeys(`${rig.prefix}:`), {
      now: rig.clock.now,
      maxDeadLetters: 3,
      deadLetterMaxAgeMs: HOUR,
    });
    const a = await lifecycle(TO_CANCELLED);
    const b = await lifecycle(CANCELLED_AT_ONCE);
    const waiting = [...(await small.pending(a.id)), ...(await small.pending(b.id))];
    expect(waiting).toHaveLength(6);
    for (const e of waiting) {
      rig.clock.advance(1_000);
      await small.deadLetter(e, 'gave up', rig.clock.now());
    }
    // The newest three, oldest first.
    expect((await small.deadLetters()).map((e) => e.id)).toEqual(waiting.slice(3).map((e) => e.id));
    // An event given up twice (two jobs) is kept once.
    await small.deadLetter(waiting[5] as OutboxEvent, 'gave up again', rig.clock.now());
    expect(await small.deadLetterCount()).toBe(3);

    rig.clock.advance(HOUR - 500); // the newest is 1 h − 0.5 s old: kept; the two before it are older than 1 h
    await small.trimDeadLetters(rig.clock.now());
    expect((await small.deadLetters()).map((e) => e.id)).toEqual([waiting[5]?.id]);
    // The sweep trims too (the runtime's outbox keeps 30 days).
    rig.clock.advance(31 * 24 * HOUR);
    await small.trimDeadLetters(rig.clock.now());
    expect(await small.deadLetterCount()).toBe(0);
  });

  it('keeps an unreadable outbox entry as a dead letter, dated by the job clock, before pending() returns', async () => {
    const d = await lifecycle([{ type: 'precheck_started' }]);
    await redis.hset(storeKeys(`${rig.prefix}:`).eventOutbox(), `${d.id}-v1`, '{not json');
    expect((await outbox.pending(d.id)).map((e) => e.version)).toEqual([2]);
    const [dead] = await outbox.deadLetters();
    expect(dead).toMatchObject({
      id: `${d.id}-v1`,
      error: 'unreadable outbox entry',
      deadAt: rig.clock.now(),
    });
  });

  it('takes what still waits once `events` is removed from the config, after the longest retryFor (7 days)', async () => {
    withEvents({ enqueue: false });
    const old = await lifecycle(CANCELLED_AT_ONCE);
    rig.clock.advance(7 * 24 * HOUR - 60_000);
    const recent = await lifecycle(CANCELLED_AT_ONCE);
    rig.clock.advance(60_000);
    const without: JobContext = { ...ctx, config: { services: ctx.config.services } };

    expect(await sweepEvents(without)).toBe(2);
    const why = 'not sent: events is not configured; given up 7d after the transition';
    expect((await outbox.deadLetters()).map((e) => [e.id, e.error])).toEqual([
      [`${old.id}-v1`, why],
      [`${old.id}-v2`, why],
    ]);
    expect(await outbox.pending(recent.id)).toHaveLength(2); // a newer process may still send them
    rig.clock.advance(7 * 24 * HOUR);
    expect(await sweepEvents(without)).toBe(0);
    expect(await outbox.deploymentsWithPending()).toEqual([]);
    expect(receiver.requests).toEqual([]);
    expect(await metric('greenlight_event_deliveries_total{outcome="dead_lettered"}')).toBe(4);
  });
});

describe('a receiver that answers 410 Gone', () => {
  it('turns delivery off: nothing more is sent, events wait, until events.url changes', async () => {
    const d = await lifecycle(TO_CANCELLED);
    receiver.answer(() => ({ status: 410, body: 'unsubscribed' }));
    await runEventDelivery(ctx, d.id, 1);
    expect(receiver.requests.map(idOf)).toEqual([`${d.id}-v1`]);
    expect(await outbox.pending(d.id)).toHaveLength(4); // the 410's event too: nothing lost
    expect(await outbox.deadLetters()).toEqual([]);
    expect(await metric('greenlight_event_deliveries_total{outcome="gone"}')).toBe(1);
    expect(await metric('greenlight_events_endpoint_disabled')).toBe(1);

    // Later events, another deployment's, sweeps: not one request more.
    const e = await lifecycle(CANCELLED_AT_ONCE);
    await runEventDelivery(ctx, e.id, 1);
    await runEventDelivery(ctx, d.id, 1);
    expect(await sweepEvents(ctx)).toBe(6);
    expect(receiver.requests).toHaveLength(1);

    // What waits longer than retryFor is dead-lettered by the sweep, unsent.
    rig.clock.advance(HOUR);
    const f = await lifecycle(CANCELLED_AT_ONCE);
    expect(await sweepEvents(ctx)).toBe(2);
    expect(await outbox.deadLetterCount()).toBe(6);
    expect((await outbox.deadLetters())[0]?.error).toMatch(
      /delivery is off since the receiver answered 410 Gone/,
    );
    expect(receiver.requests).toHaveLength(1);

    // A new URL: the mark is for the old one, and the new one gets what waits.
    receiver.answer(() => ({ status: 204 }));
    settings.url = `${receiver.url}/events-v2`;
    expect(await sweepEvents(ctx)).toBe(2);
    startDelivering();
    await waitUntil(async () => (await outbox.deploymentsWithPending()).length === 0, {
      what: 'the waiting events delivered',
    });
    expect(receiver.requests.slice(1).map((r) => [r.path, idOf(r)])).toEqual([
      ['/events-v2', `${f.id}-v1`],
      ['/events-v2', `${f.id}-v2`],
    ]);
    expect(await metric('greenlight_events_endpoint_disabled')).toBe(0);
  });

  it('sends again once an operator deletes the events:disabled key', async () => {
    const d = await lifecycle(TO_CANCELLED);
    receiver.answer(() => ({ status: 410 }));
    await runEventDelivery(ctx, d.id, 1);
    expect(await redis.exists(`${rig.prefix}:events:disabled`)).toBe(1); // the key README names
    receiver.answer(() => ({ status: 204 }));
    await runEventDelivery(ctx, d.id, 1);
    expect(receiver.requests).toHaveLength(1);

    await redis.del(`${rig.prefix}:events:disabled`);
    expect(await sweepEvents(ctx)).toBe(4);
    startDelivering();
    await waitUntil(async () => (await outbox.deploymentsWithPending()).length === 0, {
      what: 'the waiting events delivered',
    });
    expect(receiver.requests.slice(1).map(idOf)).toEqual([1, 2, 3, 4].map((v) => `${d.id}-v${v}`));
  });
});
