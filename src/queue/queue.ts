/**
 * One BullMQ queue carries every Greenlight job; the job name selects the handler.
 * Job ids are deterministic (`src/domain/job-ids.ts`), so adding a job twice is a no-op and a
 * scheduled deadline can be cancelled by recomputing its id.
 */
import { createHash } from 'node:crypto';
import { type ConnectionOptions, Queue } from 'bullmq';
import type { Outgoing, Scheduler } from '../app/ports/scheduler.js';
import type { Deployment } from '../domain/deployment.js';
import type { Effect } from '../domain/events.js';
import { type JobName, jobId } from '../domain/job-ids.js';
import { type JobData, jobDataSchema } from './job-data.js';

export const QUEUE_NAME = 'greenlight';
/** Tries of a job before it counts as failed for good (then reconcile repairs it, see reconcile.ts). */
export const JOB_ATTEMPTS = 8;

export function createQueue(connection: ConnectionOptions, prefix?: string): Queue {
  return new Queue(QUEUE_NAME, {
    connection,
    ...(prefix ? { prefix } : {}),
    defaultJobOptions: {
      // Every job is safe to re-run: retried with capped backoff (1 s, 2 s … 60 s: ~2 minutes in
      // all) so that a stretch of AWS throttling or a Redis failover does not fail a deployment.
      attempts: JOB_ATTEMPTS,
      backoff: { type: 'capped' },
      // Keep finished jobs for a day so a duplicate add of the same id stays a no-op.
      removeOnComplete: { age: 86_400, count: 10_000 },
      removeOnFail: { age: 7 * 86_400 },
    },
  });
}

/**
 * BullMQ runs jobs without a priority first, then by priority (1 before 2 …; docs/platform-facts.md,
 * "BullMQ and Redis"): what moves traffic never waits behind verification polls, teardown polls or
 * syncs, and a rollback — someone clicked it because production hurts — never waits behind a
 * release train's cutovers queued for a worker slot.
 */
export const JOB_PRIORITY: Record<JobName, number | undefined> = {
  rollback: undefined,
  cutover: 1,
  'approval-expiry': 2,
  precheck: 3,
  verify: 3,
  sync: 4,
  remind: 4,
  watch: 5,
  // With verification polls, not after everything: a busy queue must not starve teardowns.
  teardown: 3,
  notify: 4,
  inspect: 2,
  'after-cutover': 2,
  'after-rollback': 2,
  'verification-failed': 2,
  // Audit events wait behind everything that moves or watches a deployment.
  event: 5,
};

/** A queued Slack message is retried this long at most (backoff doubling up to a minute). */
export const NOTIFY_ATTEMPTS = 500;
export const NOTIFY_MAX_BACKOFF_MS = 60_000;

/** BullMQ's custom backoff (Worker `settings.backoffStrategy`): doubling from 1 s, capped. */
export function cappedBackoff(attemptsMade: number): number {
  return Math.min(NOTIFY_MAX_BACKOFF_MS, 1_000 * 2 ** Math.max(0, attemptsMade - 1));
}

function priorityOf(job: JobName): { priority?: number } {
  const p = JOB_PRIORITY[job];
  return p === undefined ? {} : { priority: p };
}

/** Applies the queue effects of a transition: enqueue (possibly delayed) and cancel. */
export class JobScheduler implements Scheduler {
  constructor(
    private readonly queue: Queue,
    private readonly now: () => number,
  ) {}

  async enqueue(job: JobName, deploymentId: string, at?: number): Promise<void> {
    const data: JobData = jobDataSchema.parse(at === undefined ? { deploymentId } : { deploymentId, at });
    const delay = at === undefined ? 0 : Math.max(0, at - this.now());
    await this.queue.add(job, data, { jobId: jobId(job, deploymentId, at), delay, ...priorityOf(job) });
  }

  /** A Slack message for its own retries (src/jobs/outbox.ts); one job per deployment and key. */
  async enqueueNotify(deploymentId: string, out: Outgoing): Promise<void> {
    const data: JobData = jobDataSchema.parse({ deploymentId, notify: out });
    const key = createHash('sha256').update(out.key).digest('hex').slice(0, 16);
    await this.queue.add('notify', data, {
      jobId: `${jobId('notify', deploymentId)}-${key}`,
      attempts: NOTIFY_ATTEMPTS,
      backoff: { type: 'capped' },
      ...priorityOf('notify'),
    });
  }

  /** One sync job per record version: re-renders the card, prompt and reminder from the record. */
  async enqueueSync(d: Pick<Deployment, 'id' | 'version'>): Promise<void> {
    const data: JobData = { deploymentId: d.id, at: d.version };
    await this.queue.add('sync', data, { jobId: jobId('sync', d.id, d.version), ...priorityOf('sync') });
  }

  /**
   * A job that failed for good (out of attempts) is retried again, up to `maxRepairs` times over
   * reconcile runs; after that the caller records the failure. BullMQ would otherwise keep the
   * failed job (and ignore re-adds of its id) for a week.
   */
  async repair(
    job: JobName,
    deploymentId: string,
    at: number | undefined,
    maxRepairs: number,
  ): Promise<{ status: 'fine' | 'retried' } | { status: 'exhausted'; reason: string }> {
    const found = await this.queue.getJob(jobId(job, deploymentId, at));
    if (!found || !(await found.isFailed())) return { status: 'fine' };
    const data = jobDataSchema.parse(found.data);
    const repairs = data.repairs ?? 0;
    if (repairs >= maxRepairs) return { status: 'exhausted', reason: found.failedReason ?? 'unknown error' };
    await found.updateData({ ...data, repairs: repairs + 1 });
    await found.retry('failed');
    return { status: 'retried' };
  }

  /** Removes a pending job. A job that is running (locked) cannot be removed: it re-reads the record and stops. */
  async cancel(job: JobName, deploymentId: string, at?: number): Promise<void> {
    await this.queue.remove(jobId(job, deploymentId, at));
  }

  async apply(d: Deployment, effects: readonly Effect[]): Promise<void> {
    for (const effect of effects) {
      if (effect.type === 'enqueue') await this.enqueue(effect.job, d.id, effect.at);
      else if (effect.type === 'cancel') await this.cancel(effect.job, d.id, effect.at);
      else await this.enqueueSync(d);
    }
  }
}
