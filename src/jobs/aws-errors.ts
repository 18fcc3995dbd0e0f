/** Which AWS failures are worth retrying (after the SDK's own retries) rather than reporting. */
import { AwsCallError } from '../aws/elb-port.js';

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
