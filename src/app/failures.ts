/**
 * How a failure inside a job is handled, decided here once for every job: run the job again
 * (transient), run it again shortly without spending a try (busy), stop writing (lock lost), give
 * up (permanent) or record the failure on the deployment. `runStep` applies it to one step.
 */
import {
  AwsCallError,
  errorMessage,
  ListenerBusyError,
  LockLostError,
  PermanentJobError,
  SwitchAbortedError,
} from '../errors.js';

const TRANSIENT = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'InternalFailure',
  'RequestTimeout',
  'TimeoutError',
  'NetworkingError',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'SlowDown',
]);

export function isTransientAwsError(err: unknown): boolean {
  if (err instanceof AwsCallError) return TRANSIENT.has(err.code);
  return false;
}

/**
 * A switch that a transient failure (a throttled or failed Modify) stopped half-way, whose put-back
 * read back as the state before it: the load balancer is as it was, so the job is retried rather
 * than failed — one 500 from AWS must not end a deployment.
 */
export function isRetryableSwitchAbort(err: unknown): boolean {
  return err instanceof SwitchAbortedError && err.confirmedRestored && isTransientAwsError(err.cause);
}

/**
 * Redis failing under a job (a restart, a failover, a connection cut): ioredis gives up on the
 * command (`MaxRetriesPerRequestError`), finds the connection closed, or Redis answers LOADING
 * (replaying its AOF) or READONLY (a replica during failover). Jobs are level-triggered, so the
 * answer is to run again, never to record the deployment as failed.
 */
export function isTransientRedisError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  if (/^(LOADING|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN)\b/.test(err.message)) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code))
    return true;
  return err.message === 'Connection is closed.' || err.message.startsWith("Stream isn't writeable");
}

/** Worth running the job again: a transient AWS failure or Redis failing under it. */
export function isTransientError(err: unknown): boolean {
  return isTransientAwsError(err) || isTransientRedisError(err);
}

export type FailureKind =
  /** AWS throttling, 5xx or network; Redis restarting; a switch put back after one: run again. */
  | 'transient'
  /** Another deployment holds the forwards this one writes: run again shortly, no try spent. */
  | 'busy'
  /** This run no longer owns the switch (a newer run, an expired lock): stop, then look. */
  | 'lock-lost'
  /** Retrying cannot fix it (the deployment or its service is gone): not retried. */
  | 'permanent'
  /** An answer that will not change by itself: recorded on the deployment. */
  | 'failure';

export function classifyFailure(err: unknown): FailureKind {
  if (err instanceof ListenerBusyError) return 'busy';
  if (err instanceof LockLostError) return 'lock-lost';
  if (err instanceof PermanentJobError) return 'permanent';
  if (isTransientError(err) || isRetryableSwitchAbort(err)) return 'transient';
  return 'failure';
}

/** Transient or busy: the queue runs the job again (the job rethrows instead of recording it). */
export function mustRunAgain(err: unknown): boolean {
  const kind = classifyFailure(err);
  return kind === 'transient' || kind === 'busy';
}

export type StepResult<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Runs one step of a job. A transient or busy failure is rethrown, so the queue runs the job
 * again (jobs are level-triggered: the re-run starts from the record); any other failure is
 * returned with its message for the job to record or report.
 */
export async function runStep<T>(step: () => Promise<T>): Promise<StepResult<T>> {
  try {
    return { ok: true, value: await step() };
  } catch (err) {
    if (mustRunAgain(err)) throw err;
    return { ok: false, message: errorMessage(err) };
  }
}
