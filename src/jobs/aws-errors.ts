/** Which AWS failures are worth retrying (after the SDK's own retries) rather than reporting. */
import { AwsCallError } from '../aws/elb-port.js';
import { SwitchAbortedError } from '../aws/switch-restore.js';

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
