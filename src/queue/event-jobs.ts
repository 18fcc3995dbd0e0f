/**
 * The delivery jobs of the events webhook (src/jobs/event-delivery-job.ts): one per event, its id
 * derived from the event's (`event-<deploymentId>-<version>`), so adding it again — after the
 * write, by the sweep, by another process — is a no-op. Only the job of a deployment's oldest
 * waiting event sends; the others hand over to it. Retried with a jittered capped backoff that
 * honours the receiver's `Retry-After` (`eventBackoff`); the job itself dead-letters an event once
 * `events.retryFor` has passed, so the attempts only need to outlast that.
 */
import type { Queue } from 'bullmq';
import type { EventJobs } from '../app/ports/events.js';
import { jobId } from '../domain/job-ids.js';
import { EventNotDeliveredError } from '../errors.js';
import type { JobData } from './job-data.js';
import { cappedBackoff, JOB_PRIORITY, NOTIFY_MAX_BACKOFF_MS } from './queue.js';

/** The backoff type of the delivery jobs: the worker's strategy applies `eventBackoff` to it. */
export const EVENT_BACKOFF = 'event';

/**
 * The wait before an event's next attempt: the capped doubling every job has (1 s, 2 s … 60 s),
 * of which a random 50–100 % (jitter: the retries of many deployments spread out instead of
 * meeting a receiver that comes back all at once — Standard Webhooks, "Deliverability and
 * reliability"), and never sooner than the receiver's `Retry-After` asked, up to the same 60 s cap.
 */
export function eventBackoff(attemptsMade: number, err: unknown, random: () => number = Math.random): number {
  const jittered = Math.round(cappedBackoff(attemptsMade) * (0.5 + 0.5 * random()));
  const asked = err instanceof EventNotDeliveredError ? err.retryAfterMs : undefined;
  return asked === undefined ? jittered : Math.max(jittered, Math.min(asked, NOTIFY_MAX_BACKOFF_MS));
}

/** Attempts enough to keep retrying for `retryForMs` at the capped backoff (jittered down to half), with room to spare. */
export function eventJobAttempts(retryForMs: number): number {
  return Math.ceil(retryForMs / (NOTIFY_MAX_BACKOFF_MS / 2)) + 20;
}

export class QueueEventJobs implements EventJobs {
  constructor(
    private readonly queue: Queue,
    private readonly attempts: number,
  ) {}

  async enqueue(deploymentId: string, version: number): Promise<void> {
    const data: JobData = { deploymentId, at: version };
    await this.queue.add('event', data, {
      jobId: jobId('event', deploymentId, version),
      attempts: this.attempts,
      backoff: { type: EVENT_BACKOFF },
      priority: JOB_PRIORITY.event as number,
    });
  }

  async ensure(deploymentId: string, version: number): Promise<void> {
    const job = await this.queue.getJob(jobId('event', deploymentId, version));
    if (!job) return this.enqueue(deploymentId, version);
    const state = await job.getState();
    // Out of attempts while its event still waits: run it again.
    if (state === 'failed') await job.retry('failed');
    // Finished while its event still waits (it handed over, found the lease taken, or the webhook
    // was off): add it anew.
    else if (state === 'completed') {
      await job.remove();
      await this.enqueue(deploymentId, version);
    }
  }
}
