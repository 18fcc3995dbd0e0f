/**
 * Job lag: how long after it was due a queue job started (greenlight_job_lag_seconds). A job is
 * due at its creation time (`timestamp`) plus the delay it was added with (`opts.delay`: a delayed
 * job's deadline); the worker records `processedOn` as it takes the job. Only a job's first start
 * is measured: a retried job (after a failure, a stall or a busy forward) waits for its backoff on
 * purpose, and BullMQ keeps no record of when that ended.
 */
import type { Job } from 'bullmq';

export type LagFields = Pick<Job, 'timestamp' | 'processedOn' | 'attemptsStarted'> & {
  opts: Pick<Job['opts'], 'delay'>;
};

/** Seconds from due to started, at least 0; undefined when it is not a job's first start. */
export function jobLagSeconds(job: LagFields): number | undefined {
  if (job.attemptsStarted !== 1 || job.processedOn === undefined) return undefined;
  const due = job.timestamp + (job.opts.delay ?? 0);
  return Math.max(0, job.processedOn - due) / 1000;
}
