/**
 * The events webhook: every state transition of every deployment, POSTed to `events.url`, signed
 * with the Standard Webhooks scheme (src/hooks/standard-webhook.ts), at least once.
 *
 * Crash-proof by construction: the store appends each transition to the event outbox in the same
 * atomic step as the state change (src/store/event-outbox.ts). After the write it enqueues one
 * `event` job per event; `sweepEvents` (every reconcile) enqueues a job for every event still
 * waiting, so a process that died between the write and the enqueue loses nothing.
 *
 * One job at a time sends a deployment's events (a lease in Redis): the job of event N sends every
 * waiting event of its deployment, oldest first, and stops at the first that fails, so a
 * deployment's events arrive in order; a job that finds the lease taken leaves its event to the
 * holder, which looks for new events after letting go (a holder that died: its lease lapses
 * after the timeout + 30 s, and the sweep brings its events' jobs back). A failed attempt throws,
 * so the queue runs the job again with capped backoff (1 s, 2 s … 60 s); once `events.retryFor` has
 * passed since the transition — or at once when the receiver answers 410 Gone — the event is
 * dead-lettered: kept in Redis, counted, logged, and the deployment's next events go on. Nothing
 * here ever holds a deployment up: these are jobs of their own, at the lowest priority.
 */
import { randomUUID } from 'node:crypto';
import type { JobContext } from '../app/context.js';
import type { EventDelivery, OutboxEvent, SignedEventAttempt } from '../app/ports/events.js';
import { formatDuration } from '../domain/duration.js';
import { redactUrl } from '../domain/redact.js';
import type { EventsSettings } from '../domain/service.js';
import { errorMessage } from '../errors.js';
import { eventSecretProblem } from '../hooks/standard-webhook.js';

/** The webhook answer that means "stop sending" (Standard Webhooks, "Delivery success and failure"). */
const GONE = 410;

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
  const holder = randomUUID();
  const ttl = cfg.timeoutMs + LEASE_MARGIN_MS;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    // Another job is sending this deployment's events: it sends this one too (it looks again
    // after letting go, and this event was written before this job started).
    if (!(await events.outbox.lease(deploymentId, holder, ttl))) return;
    try {
      await sendWaiting(ctx, cfg, events, deploymentId, holder);
    } finally {
      await events.outbox.release(deploymentId, holder);
    }
    // Events written while the lease was held, whose jobs found it taken, are this job's to send.
    if ((await events.outbox.pending(deploymentId)).length === 0) return;
  }
}

/** Sends the deployment's waiting events, oldest first; throws at the first that must be tried again. */
async function sendWaiting(
  ctx: JobContext,
  cfg: EventsSettings,
  events: EventDelivery,
  deploymentId: string,
  holder: string,
): Promise<void> {
  const waiting = await events.outbox.pending(deploymentId);
  if (waiting.length === 0) return;
  const secret = ctx.secret(cfg.secretEnv);
  const problem = eventSecretProblem(cfg.secretEnv, secret);
  if (problem !== null)
    ctx.log.error({ secretEnv: cfg.secretEnv, problem }, 'events webhook: secret unusable');
  for (const event of waiting) {
    // Sent meanwhile by a job that held the lease before this one: not again.
    if (!(await events.outbox.isPending(event))) continue;
    await events.outbox.lease(deploymentId, holder, cfg.timeoutMs + LEASE_MARGIN_MS);
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
    if (attempt?.status === GONE || now - event.at >= cfg.retryForMs) {
      const error =
        attempt?.status === GONE
          ? `${why} (410 Gone: the receiver wants no more events)`
          : `${why}; given up ${formatDuration(cfg.retryForMs)} after the transition (events.retryFor)`;
      await events.outbox.deadLetter(event, error, now);
      ctx.metrics.eventDelivery('dead_lettered');
      ctx.log.error({ ...log, err: error }, 'events webhook: event dead-lettered');
      continue;
    }
    ctx.metrics.eventDelivery('retried');
    ctx.log.warn({ ...log, err: why }, 'events webhook: delivery failed; tried again');
    throw new Error(`events webhook: event ${event.id} not delivered (${why}); tried again`);
  }
}

/**
 * Level-triggered: a delivery job for every event still waiting (a no-op for a job already
 * queued or running; one that failed for good or finished is brought back). Returns how many
 * events wait.
 */
export async function sweepEvents(ctx: JobContext): Promise<number> {
  const events = ctx.events;
  if (!ctx.config.events || !events) return 0;
  let waiting = 0;
  for (const deploymentId of await events.outbox.deploymentsWithPending()) {
    try {
      const pending: OutboxEvent[] = await events.outbox.pending(deploymentId);
      for (const e of pending) await events.jobs.ensure(deploymentId, e.version);
      waiting += pending.length;
    } catch (err) {
      ctx.log.warn({ deployment: deploymentId, err: errorMessage(err) }, 'events sweep: could not enqueue');
    }
  }
  return waiting;
}
