/**
 * A fake CloudWatch for tests and the sandbox, speaking the protocol the installed SDK client
 * (`@aws-sdk/client-cloudwatch`) uses: AWS JSON 1.0 — POST `/`,
 * `X-Amz-Target: GraniteServiceVersion20100801.<Operation>`,
 * `Content-Type: application/x-amz-json-1.0`, timestamps as epoch seconds. The service is
 * awsQuery-compatible: errors carry `{"__type", "message"}` plus the header
 * `x-amzn-query-error: <Code>;<Sender|Receiver>`, from which the SDK takes the error code.
 *
 * `handleCloudWatch` is one request → one response, without a server, so a combined local AWS
 * endpoint can dispatch to it (`isCloudWatchRequest`); `startFakeCloudWatch` serves only it.
 */
import { randomUUID } from 'node:crypto';
import { failureStatus } from './failure-injection.js';
import { describeAlarms, FakeCloudWatchError, getMetricData } from './fake-cloudwatch-operations.js';
import { awsAnswer, type HttpAnswer, startAnsweringServer } from './local-http.js';
import type { TrafficModel } from './traffic-model.js';

export { FakeCloudWatchError } from './fake-cloudwatch-operations.js';

export const CLOUDWATCH_TARGET_PREFIX = 'GraniteServiceVersion20100801.';
export const SUPPORTED_CLOUDWATCH_OPERATIONS = ['GetMetricData', 'DescribeAlarms'] as const;

export type Headers = Record<string, string | string[] | undefined>;

export interface CloudWatchRequest {
  headers: Headers;
  body: string;
}

export type CloudWatchResponse = HttpAnswer;

export interface HandleOptions {
  /** Largest number of datapoints per GetMetricData page (to exercise NextToken). */
  pageSize?: number;
  requestId?: string;
}

function header(headers: Headers, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/** True for a request of the CloudWatch JSON 1.0 protocol (by its `X-Amz-Target`). */
export function isCloudWatchRequest(headers: Headers): boolean {
  return header(headers, 'x-amz-target')?.startsWith(CLOUDWATCH_TARGET_PREFIX) ?? false;
}

/** The modelled exception shape of a query-compatible code (what AWS puts in `__type`). */
const TYPES: Record<string, string> = {
  InvalidParameterValue: 'com.amazonaws.cloudwatch#InvalidParameterValueException',
  InvalidParameterCombination: 'com.amazonaws.cloudwatch#InvalidParameterCombinationException',
  MissingParameter: 'com.amazonaws.cloudwatch#MissingRequiredParameterException',
  InvalidNextToken: 'com.amazonaws.cloudwatch#InvalidNextToken',
  InternalServiceError: 'com.amazonaws.cloudwatch#InternalServiceFault',
  Throttling: 'com.amazon.coral.availability#ThrottlingException',
  SerializationException: 'com.amazon.coral.service#SerializationException',
  UnknownOperationException: 'com.amazon.coral.service#UnknownOperationException',
};

/** HTTP status CloudWatch uses for an error code (injected failures included). */
const statusOf = (code: string) => failureStatus(code, ['InternalServiceError', 'InternalFailure']);

function respond(status: number, payload: unknown, requestId: string, extra: Record<string, string> = {}) {
  return awsAnswer(status, 'application/x-amz-json-1.0', JSON.stringify(payload), requestId, extra);
}

function failure(err: FakeCloudWatchError, requestId: string): CloudWatchResponse {
  const fault = err.status >= 500 ? 'Receiver' : 'Sender';
  return respond(err.status, { __type: TYPES[err.code] ?? err.code, message: err.message }, requestId, {
    'x-amzn-query-error': `${err.code};${fault}`,
  });
}

export function handleCloudWatch(
  model: TrafficModel,
  req: CloudWatchRequest,
  opts: HandleOptions = {},
): CloudWatchResponse {
  const requestId = opts.requestId ?? randomUUID();
  try {
    const target = header(req.headers, 'x-amz-target') ?? '';
    const operation = target.startsWith(CLOUDWATCH_TARGET_PREFIX)
      ? target.slice(CLOUDWATCH_TARGET_PREFIX.length)
      : '';
    if (!(SUPPORTED_CLOUDWATCH_OPERATIONS as readonly string[]).includes(operation)) {
      throw new FakeCloudWatchError(
        'UnknownOperationException',
        `The operation ${target || '(no X-Amz-Target)'} is not supported by this fake CloudWatch.`,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(req.body === '' ? '{}' : req.body);
    } catch {
      throw new FakeCloudWatchError('SerializationException', 'The request body is not valid JSON.');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new FakeCloudWatchError('SerializationException', 'The request body must be a JSON object.');
    }
    const input = body as Record<string, unknown>;
    model.calls.push({ operation, input });
    const injected = model.takeFailure(operation);
    if (injected) {
      throw new FakeCloudWatchError(injected.code, injected.message, statusOf(injected.code));
    }
    const result =
      operation === 'GetMetricData'
        ? getMetricData(model, input, opts.pageSize)
        : describeAlarms(model, input);
    return respond(200, result, requestId);
  } catch (err) {
    if (err instanceof FakeCloudWatchError) return failure(err, requestId);
    const message = err instanceof Error ? err.message : String(err);
    return failure(
      new FakeCloudWatchError('InternalServiceError', `The fake failed: ${message}`, 500),
      requestId,
    );
  }
}

export interface FakeCloudWatch {
  url: string;
  model: TrafficModel;
  close(): Promise<void>;
}

/** Serves `handleCloudWatch` alone over HTTP (the SDK's `endpoint` = `url`). */
export async function startFakeCloudWatch(opts: {
  model: TrafficModel;
  port?: number;
  host?: string;
  pageSize?: number;
}): Promise<FakeCloudWatch> {
  const handleOpts: HandleOptions = opts.pageSize === undefined ? {} : { pageSize: opts.pageSize };
  const served = await startAnsweringServer({
    port: opts.port,
    host: opts.host,
    tooLarge: () => new FakeCloudWatchError('SerializationException', 'Request body too large'),
    answer: (req, body) => handleCloudWatch(opts.model, { headers: req.headers, body }, handleOpts),
    onError: (err) =>
      failure(
        err instanceof FakeCloudWatchError
          ? err
          : new FakeCloudWatchError('SerializationException', 'Unreadable request body'),
        'fake-cloudwatch-unreadable',
      ),
  });
  return { ...served, model: opts.model };
}
