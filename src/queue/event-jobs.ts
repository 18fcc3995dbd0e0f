/**
 * The delivery jobs of the events webhook (src/jobs/event-delivery-job.ts): one per event, its id
 * derived from the event's (`event-<deploymentId>-<version>`), so adding it again — after the
 * write, by the sweep, by another process — is a no-op. Retried with capped backoff (1 s, 2 s …
 * 60 s); the job itself dead-letters an event once `events.retryFor` has passed, so the attempts
 * only need to outlast that.
 */
import type { Queue } from 'bullmq';
import type { EventJobs } from '../app/ports/events.js';
import { jobId } from '../domain/job-ids.js';
import type { JobData } from './job-data.js';
import { JOB_PRIORITY, NOTIFY_MAX_BACKOFF_MS } from './queue.js';

/** Attempts enough to keep retrying for `retryForMs` at the capped backoff, with room to spare. */
export function eventJobAttempts(retryForMs: number): number {
  return Math.ceil(retryForMs / NOTIFY_MAX_BACKOFF_MS) + 20;
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
      backoff: { type: 'capped' },
      priority: JOB_PRIORITY.event as number,
    });
  }

  async ensure(deploymentId: string, version: number): Promise<void> {
    const job = await this.queue.getJob(jobId('event', deploymentId, version));
    if (!job) return this.enqueue(deploymentId, version);
    const state = await job.getState();
    // Out of attempts while its event still waits: run it again.
    if (state === 'failed') await job.retry('failed');
    // Finished while its event still waits (the webhook was not configured then): add it anew.
    else if (state === 'completed') {
      await job.remove();
      await this.enqueue(deploymentId, version);
    }
  }
}
