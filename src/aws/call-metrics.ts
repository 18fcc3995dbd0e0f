/**
 * AWS failures counted at one seam: middleware on each SDK client's stack (AWS SDK for JavaScript
 * v3 developer guide, "Middleware stack"), so every command sent through a client is seen,
 * whichever adapter sent it. Two middlewares per client:
 * - step `initialize`, outside the SDK's retry middleware (step `finalizeRequest`): a call that
 *   still fails after its retries → `greenlight_aws_errors_total{service,operation,code}`;
 * - step `deserialize`, priority `high`: inside the retry middleware and around the deserializer
 *   that turns an error response into an exception, so it sees every attempt → each one AWS
 *   answered with a throttling error → `greenlight_aws_throttled_requests_total{service,operation}`.
 * A client given to a second runtime (tests) has its middlewares replaced (`override`), not doubled.
 */
import type { AwsServiceLabel, Metrics } from '../ops/metrics.js';
import { toAwsCallError } from './sdk-call.js';

/** A middleware for any command's input and output. */
type Middleware = <A, R>(
  next: (args: A) => Promise<R>,
  context: { commandName?: string },
) => (args: A) => Promise<R>;

interface Placement {
  name: string;
  priority: 'high';
  override: true;
}

/** The part of an SDK v3 client's middleware stack used here. */
export interface MeteredClient {
  middlewareStack: {
    add(middleware: Middleware, options: Placement & { step: 'initialize' }): void;
    add(middleware: Middleware, options: Placement & { step: 'deserialize' }): void;
  };
}

/**
 * The error codes the SDK's standard retry strategy treats as throttling
 * (@smithy/service-error-classification, THROTTLING_ERROR_CODES, as the SDK ships it), besides
 * HTTP 429 and errors modelled as throttling (`$retryable.throttling`).
 */
const THROTTLING_CODES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

interface SdkError {
  name?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

/** Whether the SDK would classify `err` as throttling (and retry it as such). */
function isThrottling(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as SdkError;
  return (
    e.$metadata?.httpStatusCode === 429 ||
    (e.name !== undefined && THROTTLING_CODES.has(e.name)) ||
    e.$retryable?.throttling === true
  );
}

/** `DescribeRulesCommand` → `DescribeRules`. */
function operationOf(context: { commandName?: string }): string {
  return (context.commandName ?? 'unknown').replace(/Command$/, '');
}

/** Adds the two counting middlewares to one client. */
export function meterAwsClient(
  client: MeteredClient,
  service: AwsServiceLabel,
  metrics: Pick<Metrics, 'awsError' | 'awsThrottled'>,
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        const operation = operationOf(context);
        // The code as the adapters report it (the wire code, `ListenerNotFound`; errno for network errors).
        metrics.awsError(service, operation, toAwsCallError(operation, err).code);
        throw err;
      }
    },
    { step: 'initialize', name: 'greenlightCallErrors', priority: 'high', override: true },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (isThrottling(err)) metrics.awsThrottled(service, operationOf(context));
        throw err;
      }
    },
    { step: 'deserialize', name: 'greenlightThrottledAttempts', priority: 'high', override: true },
  );
}

/** Meters the four clients a runtime uses. */
export function meterAwsClients(
  clients: { elb: MeteredClient; cloudwatch: MeteredClient; ecs: MeteredClient; asg: MeteredClient },
  metrics: Pick<Metrics, 'awsError' | 'awsThrottled'>,
): void {
  meterAwsClient(clients.elb, 'elasticloadbalancing', metrics);
  meterAwsClient(clients.cloudwatch, 'cloudwatch', metrics);
  meterAwsClient(clients.ecs, 'ecs', metrics);
  meterAwsClient(clients.asg, 'autoscaling', metrics);
}
