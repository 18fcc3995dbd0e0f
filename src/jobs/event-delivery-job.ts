/**
 * The events webhook: every state transition of every deployment, POSTed to `events.url`, signed
 * with the Standard Webhooks scheme (src/hooks/standard-webhook.ts), at least once.
 *
 * Crash-proof by construction: the store appends each transition to the event outbox in the same
 * atomic step as the state change (src/store/event-outbox.ts). After the write it enqueues one
 * `event` job per event; `sweepEvents` (every reconcile) makes sure the job of each deployment's
 * oldest waiting event is there, so a process that died between the write and the enqueue loses
 * nothing.
 *
 * One sender per deployment: the job of its oldest waiting event (the head). The job of a later
 * event makes sure the head's job is there and ends without sending; the head's job, holding a
 * lease in Redis, sends every waiting event of its deployment, oldest first, and stops at the
 * first that fails, so a deployment's events arrive in order and a receiver that is down gets one
 * attempt per retry, however many events wait. A holder whose lease was taken over (it paused past
 * the lease's TTL) stops before its next POST. A holder that died: its lease lapses after the
 * timeout + 30 s, and the sweep brings the head's job back.
 *
 * A failed attempt throws, so the queue runs the job again with a jittered capped backoff (up to
 * 60 s) that honours a 429's or 503's `Retry-After` (src/queue/event-jobs.ts); once
 * `events.retryFor` has passed since the transition the event is dead-lettered (kept in Redis,
 * capped; counted; logged) and the deployment's next events go on. A 410 Gone turns delivery off
 * for that URL (Standard Webhooks, "Delivery success and failure": stop sending): the events wait,
 * the sweep dead-letters those past `retryFor`, until `events.url` changes or the mark is deleted.
 * Nothing here ever holds a deployment up: these are jobs of their own, at the lowest priority.
 */
import { randomUUID } from 'node:crypto';
import type { JobContext } from '../app/context.js';
import type { EventDelivery, OutboxEvent, SignedEventAttempt } from '../app/ports/events.js';
import { MAX_RETRY_FOR_MS } from '../config/events-schema.js';
import { formatDuration } from '../domain/duration.js';
import { redactUrl } from '../domain/redact.js';
import type { EventsSettings } from '../domain/service.js';
import { EventNotDeliveredError, errorMessage } from '../errors.js';
import { eventSecretProblem } from '../hooks/standard-webhook.js';

/** The webhook answer that means "stop sending" (Standard Webhooks, "Delivery success and failure"). */
const GONE = 410;
/** Answers whose `Retry-After` is honoured (RFC 6585 section 4, RFC 9110 section 15.6.4). */
const ASKS_TO_WAIT = new Set([429, 503]);

function failure(attempt: SignedEventAttempt | null, problem: string | null): string {
  if (attempt === null) return `not sent: ${problem ?? 'no signing secret'}`;
  if (attempt.status === null) return attempt.excerpt || 'no answer';
  return `HTTP ${attempt.status}${attempt.excerpt ? `: ${attempt.excerpt}` : ''}`;
}

/** How long a delivery job holds a deployment's lease past one attempt's timeout (renewed per event). */
const LEASE_MARGIN_MS = 30_000;
/** Passes over a deployment's outbox in one run at most (events keep coming: the next job goes on). */
const MAX_PASSES = 20;

export async function runEventDelivery(
  ctx: JobContext,
  deploymentId: string,
  version: number | undefined,
): Promise<void> {
  const cfg = ctx.config.events;
  const events = ctx.events;
  if (!cfg || !events || version === undefined) return;
  // Delivery is off (a 410 Gone): the events wait; the sweep resumes once the URL changes or the mark goes.
  if (await events.outbox.endpointDisabled(cfg.url)) return;
  let waiting = await events.outbox.pending(deploymentId);
  const head = waiting[0];
  if (!head) return;
  if (head.version !== version) {
    // Not the head: its job sends this event too, in order. Make sure it is there, send nothing.
    await events.jobs.ensure(deploymentId, head.version);
    return;
  }
  const holder = randomUUID();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    // Another run is sending this deployment's events: it sends this one too (it looks again
    // after letting go). One that died: its lease lapses, and the sweep brings this job back.
    if (!(await events.outbox.lease(deploymentId, holder, leaseTtl(cfg)))) return;
    let stopped: boolean;
    try {
      stopped = (await sendWaiting(ctx, cfg, events, deploymentId, holder, waiting)) === 'stopped';
    } finally {
      await events.outbox.release(deploymentId, holder);
    }
    if (stopped) return;
    // Events written while the lease was held, whose jobs handed over to this one, are its to send.
    waiting = await events.outbox.pending(deploymentId);
    if (waiting.length === 0) return;
  }
  // Still more: the job of the (new) oldest one goes on.
  const next = waiting[0];
  if (next && next.version !== version) await events.jobs.ensure(deploymentId, next.version);
}

const leaseTtl = (cfg: EventsSettings) => cfg.timeoutMs + LEASE_MARGIN_MS;

/**
 * Sends the deployment's `waiting` events (as read just before), oldest first; throws at the first
 * that must be tried again. `stopped`: the lease was lost or the endpoint answered 410 Gone. An
 * event another holder sent meanwhile is skipped (`isPending`).
 */
async function sendWaiting(
  ctx: JobContext,
  cfg: EventsSettings,
  events: EventDelivery,
  deploymentId: string,
  holder: string,
  waiting: readonly OutboxEvent[],
): Promise<'done' | 'stopped'> {
  if (waiting.length === 0) return 'done';
  const secret = ctx.secret(cfg.secretEnv);
  const problem = eventSecretProblem(cfg.secretEnv, secret);
  if (problem !== null)
    ctx.log.error({ secretEnv: cfg.secretEnv, problem }, 'events webhook: secret unusable');
  for (const event of waiting) {
    // Renewed before each POST: a holder whose lease lapsed has been replaced, and must not send
    // alongside the new holder.
    if (!(await events.outbox.lease(deploymentId, holder, leaseTtl(cfg)))) {
      ctx.log.warn(
        { deployment: deploymentId, event: event.id },
        'events webhook: another job took over sending this deployment’s events; this one stopped',
      );
      return 'stopped';
    }
    // Sent meanwhile by a job that held the lease before this one: not again.
    if (!(await events.outbox.isPending(event))) continue;
    const attempt =
      problem !== null || secret === undefined
        ? null
        : await events.post({
            url: cfg.url,
            id: event.id,
            body: event.body,
            secret,
            timeoutMs: cfg.timeoutMs,
          });
    if (attempt?.ok) {
      await events.outbox.delivered(event);
      ctx.metrics.eventDelivery('delivered');
      continue;
    }
    const why = failure(attempt, problem);
    const log = {
      event: event.id,
      deployment: deploymentId,
      url: redactUrl(cfg.url),
      status: attempt?.status,
    };
    const now = ctx.clock.now();
    if (attempt?.status === GONE) {
      await events.outbox.disableEndpoint(cfg.url, { at: now, status: GONE, excerpt: attempt.excerpt });
      ctx.metrics.eventDelivery('gone');
      ctx.log.error(
        { ...log, err: why },
        'events webhook: the receiver answered 410 Gone; delivery is off (events wait) until events.url changes or the events:disabled key is deleted',
      );
      return 'stopped';
    }
    if (now - event.at >= cfg.retryForMs) {
      const error = `${why}; given up ${formatDuration(cfg.retryForMs)} after the transition (events.retryFor)`;
      await giveUp(ctx, events, event, error, now);
      continue;
    }
    ctx.metrics.eventDelivery('retried');
    ctx.log.warn({ ...log, err: why }, 'events webhook: delivery failed; tried again');
    const wait = attempt?.status && ASKS_TO_WAIT.has(attempt.status) ? attempt.retryAfterMs : undefined;
    throw new EventNotDeliveredError(
      `events webhook: event ${event.id} not delivered (${why}); tried again`,
      wait,
    );
  }
  return 'done';
}

async function giveUp(
  ctx: JobContext,
  events: EventDelivery,
  event: OutboxEvent,
  error: string,
  now: number,
): Promise<void> {
  await events.outbox.deadLetter(event, error, now);
  ctx.metrics.eventDelivery('dead_lettered');
  ctx.log.error(
    { event: event.id, deployment: event.deploymentId, err: error },
    'events webhook: event dead-lettered',
  );
}

/**
 * Level-triggered, every reconcile: the job of each deployment's oldest waiting event (a no-op for
 * a job already queued or running; one that failed for good or finished is brought back), and
 * dead letters past their age dropped. While delivery is off (410 Gone), the events wait and
 * those past `retryFor` are dead-lettered; with `events` not configured, those past the longest
 * `retryFor` (7 days) are — a worker still on a config without `events` (a rolling change) leaves
 * what newer processes write alone. Returns how many events wait.
 */
export async function sweepEvents(ctx: JobContext): Promise<number> {
  const events = ctx.events;
  if (!events) return 0;
  const now = ctx.clock.now();
  await events.outbox.trimDeadLetters(now);
  const cfg = ctx.config.events;
  const disabled = cfg ? await events.outbox.endpointDisabled(cfg.url) : null;
  // How long an event may wait when nothing sends it.
  const keepFor = cfg ? cfg.retryForMs : MAX_RETRY_FOR_MS;
  const whyDead = !cfg
    ? `not sent: events is not configured; given up ${formatDuration(keepFor)} after the transition`
    : `not sent: delivery is off since the receiver answered 410 Gone at ${new Date(disabled?.at ?? now).toISOString()}; given up ${formatDuration(keepFor)} after the transition (events.retryFor)`;
  let waiting = 0;
  for (const deploymentId of await events.outbox.deploymentsWithPending()) {
    try {
      const pending: OutboxEvent[] = await events.outbox.pending(deploymentId);
      if (!cfg || disabled) {
        for (const e of pending) {
          if (now - e.at >= keepFor) await giveUp(ctx, events, e, whyDead, now);
          else waiting += 1;
        }
        continue;
      }
      const head = pending[0];
      if (head) await events.jobs.ensure(deploymentId, head.version);
      waiting += pending.length;
    } catch (err) {
      ctx.log.warn({ deployment: deploymentId, err: errorMessage(err) }, 'events sweep: could not enqueue');
    }
  }
  if (cfg && disabled && waiting > 0) {
    ctx.log.warn(
      { waiting, since: new Date(disabled.at).toISOString(), url: redactUrl(cfg.url) },
      'events webhook: delivery is off since the receiver answered 410 Gone; events wait until events.url changes or the events:disabled key is deleted',
    );
  }
  return waiting;
}
