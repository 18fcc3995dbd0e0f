/**
 * The BullMQ worker: validates job data, dispatches by job name, and turns permanent failures
 * into UnrecoverableError so BullMQ does not retry them.
 */
import { randomInt } from 'node:crypto';
import { type ConnectionOptions, DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { JobContext } from '../app/context.js';
import { classifyFailure } from '../app/failures.js';
import type { Outgoing } from '../app/ports/scheduler.js';
import { DEFAULT_WORKER_CONCURRENCY } from '../config/env.js';
import type { JobName } from '../domain/job-ids.js';
import { errorMessage } from '../errors.js';
import { runJobCalls } from '../ops/call-priority.js';
import { EVENT_BACKOFF, eventBackoff } from '../queue/event-jobs.js';
import { type JobAttempt, type JobData, jobDataSchema, jobNameSchema } from '../queue/job-data.js';
import { cappedBackoff, QUEUE_NAME } from '../queue/queue.js';
import { runAfterCutover } from './after-cutover-job.js';
import { runApprovalExpiry } from './approval-expiry-job.js';
import { runCutover } from './cutover-job.js';
import { runEventDelivery } from './event-delivery-job.js';
import { giveUp } from './give-up.js';
import { runInspect } from './inspect-job.js';
import { jobLagSeconds } from './job-lag.js';
import { runAfterRollback, runVerificationFailed } from './notification-hooks.js';
import { runNotify } from './outbox.js';
import { runPrecheck } from './precheck-job.js';
import { runRemind } from './remind-job.js';
import { runRollback } from './rollback-job.js';
import { runSync } from './sync-job.js';
import { runTeardown } from './teardown-job.js';
import { runVerify } from './verify-job.js';
import { runWatch } from './watch-job.js';

type Handler = (
  ctx: JobContext,
  deploymentId: string,
  at: number | undefined,
  data: JobData,
  attempt: JobAttempt,
) => Promise<void>;

const HANDLERS: Record<JobName, Handler> = {
  precheck: runPrecheck,
  cutover: runCutover,
  verify: runVerify,
  rollback: runRollback,
  remind: runRemind,
  teardown: runTeardown,
  'approval-expiry': runApprovalExpiry,
  sync: runSync,
  watch: runWatch,
  inspect: runInspect,
  'after-cutover': runAfterCutover,
  'after-rollback': runAfterRollback,
  'verification-failed': runVerificationFailed,
  event: (ctx, id, version) => runEventDelivery(ctx, id, version),
  notify: async (ctx, id, _at, data) => {
    // The blocks were built by our own builders and only passed through Redis.
    if (data.notify) await runNotify(ctx, id, data.notify as unknown as Outgoing);
  },
};

/** How soon a job that found its forwards locked by another deployment runs again (random within, so waiters spread out). */
export const BUSY_RETRY_MS = { min: 200, max: 1_500 };

export async function processJob(
  ctx: JobContext,
  job: Pick<Job, 'name' | 'data' | 'id'> &
    Partial<Pick<Job, 'attemptsMade' | 'opts'>> & { moveToDelayed?: Job['moveToDelayed'] },
  token?: string,
): Promise<void> {
  const name = jobNameSchema.safeParse(job.name);
  const data = jobDataSchema.safeParse(job.data);
  if (!name.success || !data.success) {
    throw new UnrecoverableError(`job ${job.id} (${job.name}) has invalid data; it will not be retried`);
  }
  try {
    // AWS calls made for this job wait for rate-limit tokens at its priority (a rollback first).
    const jobName = name.data;
    const attempt: JobAttempt = { made: job.attemptsMade ?? 0, allowed: job.opts?.attempts ?? 1 };
    await runJobCalls(jobName, () =>
      HANDLERS[jobName](ctx, data.data.deploymentId, data.data.at, data.data, attempt),
    );
  } catch (err) {
    const kind = classifyFailure(err);
    if (kind === 'permanent') throw new UnrecoverableError(errorMessage(err));
    if (kind === 'busy' && job.moveToDelayed && token) {
      // Another service is rewriting some of the same forwards: run again shortly, without holding a
      // worker and without spending one of the job's tries (a busy load balancer is not a failure).
      await job.moveToDelayed(Date.now() + randomInt(BUSY_RETRY_MS.min, BUSY_RETRY_MS.max), token);
      throw new DelayedError();
    }
    throw err;
  }
}

export const DEFAULT_LOCK_DURATION_MS = 10_000;
export const DEFAULT_STALLED_INTERVAL_MS = 5_000;

export function startWorker(
  ctx: JobContext,
  connection: ConnectionOptions,
  opts: { concurrency?: number; prefix?: string; lockDuration?: number; stalledInterval?: number } = {},
): Worker {
  const processor = (job: Job, token?: string) => {
    // How long after it was due the job started (its first start; a known job name as the label).
    const lag = jobLagSeconds(job);
    if (lag !== undefined && jobNameSchema.safeParse(job.name).success)
      ctx.metrics.observeJobLag(job.name, lag);
    return processJob(ctx, job, token);
  };
  const worker = new Worker(QUEUE_NAME, processor, {
    connection,
    concurrency: opts.concurrency ?? DEFAULT_WORKER_CONCURRENCY,
    ...(opts.prefix ? { prefix: opts.prefix } : {}),
    // A worker that died (SIGKILL, OOM, a lost node) loses its jobs' locks within lockDuration
    // (renewed every half of it while alive); the stall check, every stalledInterval, gives them to
    // a live worker: a cutover cut short resumes within about 15 s, not BullMQ's default ~60 s.
    // The job's re-run takes its deployment's forward lock over at once (forward-lock.ts).
    lockDuration: opts.lockDuration ?? DEFAULT_LOCK_DURATION_MS,
    stalledInterval: opts.stalledInterval ?? DEFAULT_STALLED_INTERVAL_MS,
    // Crashes in a row (a chaos run, a crash loop) must not fail a job that is safe to re-run.
    maxStalledCount: 5,
    // Event deliveries get jitter and honour Retry-After (src/queue/event-jobs.ts); the rest the plain doubling.
    settings: {
      backoffStrategy: (attemptsMade: number, type?: string, err?: Error) =>
        type === EVENT_BACKOFF ? eventBackoff(attemptsMade, err) : cappedBackoff(attemptsMade),
    },
  });
  worker.on('failed', (job, err) => {
    ctx.log.warn(
      { job: job?.id, attempts: job?.attemptsMade, err: errorMessage(err) },
      `job ${job?.name} failed`,
    );
    if (!job) return;
    // Out of attempts (or permanent): record the failure so the deployment is not left holding
    // the service lock in a working state with nobody told.
    const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    const data = jobDataSchema.safeParse(job.data);
    // A message that Slack would not take is a message lost, not a deployment failed.
    if (final && data.success && job.name !== 'notify') {
      giveUp(ctx, job.name, data.data.deploymentId, errorMessage(err)).catch((e: unknown) =>
        ctx.log.error({ err: errorMessage(e), job: job.id }, 'could not record a job that gave up'),
      );
    }
  });
  worker.on('error', (err) => ctx.log.error({ err: errorMessage(err) }, 'worker error'));
  return worker;
}
