/** Which failures are worth retrying (after the SDK's own retries) rather than reporting. */
import { AwsCallError, SwitchAbortedError } from '../errors.js';

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
