/**
 * The MetricsPort implemented with the AWS SDK v3 CloudWatch client. The installed client speaks
 * AWS JSON 1.0 (`X-Amz-Target: GraniteServiceVersion20100801.<Operation>`, awsQuery-compatible
 * error codes in `x-amzn-query-error`).
 * - Endpoint, region and retries come from the SDK's standard environment (AWS_REGION,
 *   AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_CLOUDWATCH, AWS_MAX_ATTEMPTS, AWS_RETRY_MODE).
 * - Throttling is retried by the SDK itself; what still fails surfaces as an AwsCallError.
 * - A query CloudWatch answers with `StatusCode: Forbidden` or `InternalError` is an error, not an
 *   empty series: a missing RequestCount would otherwise read as "0 requests" — as drained.
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type { MetricsPort } from '../app/ports/metrics.js';
import type { AlarmState, AlarmStateValue, MetricQuery, MetricResult } from '../domain/metrics.js';
import { AwsCallError } from '../errors.js';
import { createMetricsBatcher, type MetricFetch, type MetricsBatchOptions } from './metrics-batcher.js';
import { type ClientOptions, callAws, clientConfig } from './sdk-call.js';

export const ALB_NAMESPACE = 'AWS/ApplicationELB';
/** GetMetricData takes at most 500 queries per call. */
export const MAX_QUERIES_PER_CALL = 500;
/** DescribeAlarms takes at most 100 alarm names per call (and returns at most 100 per page). */
export const MAX_ALARM_NAMES_PER_CALL = 100;
/** A bound on pages per call, in case a service keeps answering with a NextToken. */
const MAX_PAGES = 1000;

/** A client configured from the standard AWS environment; `opts` (Region, credentials, …) override it. */
export function createCloudWatchClient(opts: ClientOptions = {}): CloudWatchClient {
  return new CloudWatchClient(clientConfig(opts));
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Follows NextToken until the last page (bounded, and refusing a token that repeats). */
async function eachPage(
  operation: string,
  fetch: (token: string | undefined) => Promise<string | undefined>,
) {
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    token = await fetch(token);
    if (token === undefined || token === '') return;
    if (seen.has(token)) throw new AwsCallError(operation, 'PaginationLoop', `NextToken ${token} repeated`);
    seen.add(token);
  }
  throw new AwsCallError(operation, 'PaginationLoop', `more than ${MAX_PAGES} pages`);
}

function toSdkQuery(q: MetricQuery): MetricDataQuery {
  return {
    Id: q.id,
    MetricStat: {
      Metric: {
        Namespace: ALB_NAMESPACE,
        MetricName: q.metricName,
        // The exact dimension set the metric is published with, or CloudWatch returns nothing.
        Dimensions: [
          { Name: 'LoadBalancer', Value: q.loadBalancer },
          ...(q.targetGroup !== undefined ? [{ Name: 'TargetGroup', Value: q.targetGroup }] : []),
        ],
      },
      Period: q.periodSeconds,
      Stat: q.stat,
    },
    ReturnData: true,
  };
}

const FAILED_STATUS = new Set(['Forbidden', 'InternalError']);

/**
 * Up to 500 queries per AWS call, every page (`NextToken`) merged per id. A query CloudWatch
 * answers with a failed status is reported in `failed` (its owner's read fails, not its
 * neighbours' in a shared call: src/aws/metrics-batcher.ts); a call that fails rejects.
 */
export async function fetchMetricData(
  client: CloudWatchClient,
  queries: MetricQuery[],
  startMs: number,
  endMs: number,
): Promise<MetricFetch> {
  const ids = new Set<string>();
  for (const q of queries) {
    if (ids.has(q.id))
      throw new AwsCallError('GetMetricData', 'InvalidParameterValue', `duplicate id ${q.id}`);
    ids.add(q.id);
  }
  // Per id: timestamp → value. A value repeated on a later page replaces the earlier one.
  const merged = new Map<string, Map<number, number>>(queries.map((q) => [q.id, new Map()]));
  const failed = new Map<string, AwsCallError>();
  for (const batch of chunks(queries, MAX_QUERIES_PER_CALL)) {
    await callAws('GetMetricData', () =>
      eachPage('GetMetricData', async (NextToken) => {
        const out = await client.send(
          new GetMetricDataCommand({
            MetricDataQueries: batch.map(toSdkQuery),
            StartTime: new Date(startMs),
            EndTime: new Date(endMs),
            ScanBy: 'TimestampAscending',
            NextToken,
          }),
        );
        for (const r of out.MetricDataResults ?? []) {
          if (r.Id !== undefined && r.StatusCode && FAILED_STATUS.has(r.StatusCode)) {
            const why = (r.Messages ?? []).map((m) => m.Value ?? m.Code).filter(Boolean);
            failed.set(
              r.Id,
              new AwsCallError(
                'GetMetricData',
                r.StatusCode,
                `query ${r.Id}: ${why.join('; ') || `CloudWatch answered ${r.StatusCode}`}`,
              ),
            );
          }
          const series = r.Id === undefined ? undefined : merged.get(r.Id);
          if (!series) continue;
          (r.Timestamps ?? []).forEach((t, i) => {
            const v = r.Values?.[i];
            if (v !== undefined) series.set(t.getTime(), v);
          });
        }
        return out.NextToken;
      }),
    );
  }
  const results = queries.map((q) => {
    const points = [...(merged.get(q.id) ?? new Map<number, number>()).entries()].sort((a, b) => a[0] - b[0]);
    return { id: q.id, timestamps: points.map((p) => p[0]), values: points.map((p) => p[1]) };
  });
  return { results, failed };
}

/** One requester's read: a query that failed fails the read (a missing series is not "0"). */
async function getMetricData(
  client: CloudWatchClient,
  queries: MetricQuery[],
  startMs: number,
  endMs: number,
): Promise<MetricResult[]> {
  const { results, failed } = await fetchMetricData(client, queries, startMs, endMs);
  const first = failed.values().next();
  if (!first.done) throw first.value;
  return results;
}

const ALARM_STATES = new Set<string>(['OK', 'ALARM', 'INSUFFICIENT_DATA']);

function toAlarm(a: {
  AlarmName?: string;
  StateValue?: string;
  StateReason?: string;
}): AlarmState | undefined {
  if (!a.AlarmName) return undefined;
  const state = (
    ALARM_STATES.has(a.StateValue ?? '') ? a.StateValue : 'INSUFFICIENT_DATA'
  ) as AlarmStateValue;
  const alarm: AlarmState = { name: a.AlarmName, state };
  if (a.StateReason) alarm.reason = a.StateReason;
  return alarm;
}

async function describeAlarms(client: CloudWatchClient, names: string[]): Promise<AlarmState[]> {
  const wanted = [...new Set(names)];
  const found = new Map<string, AlarmState>();
  for (const batch of chunks(wanted, MAX_ALARM_NAMES_PER_CALL)) {
    await callAws('DescribeAlarms', () =>
      eachPage('DescribeAlarms', async (NextToken) => {
        const out = await client.send(
          new DescribeAlarmsCommand({
            AlarmNames: batch,
            // Without AlarmTypes, DescribeAlarms returns metric alarms only.
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            MaxRecords: MAX_ALARM_NAMES_PER_CALL,
            NextToken,
          }),
        );
        for (const a of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])]) {
          const alarm = toAlarm(a);
          if (alarm) found.set(alarm.name, alarm);
        }
        return out.NextToken;
      }),
    );
  }
  return wanted.flatMap((n) => {
    const a = found.get(n);
    return a ? [a] : [];
  });
}

/**
 * `batch`: reads arriving within its window share GetMetricData calls (src/aws/metrics-batcher.ts);
 * the runtime batches, `check-config` (one read at a time) does not.
 */
export function createMetricsAdapter(
  client: CloudWatchClient,
  opts: { batch?: MetricsBatchOptions } = {},
): MetricsPort {
  const batcher = opts.batch
    ? createMetricsBatcher(
        (queries, startMs, endMs) => fetchMetricData(client, queries, startMs, endMs),
        opts.batch,
      )
    : undefined;
  return {
    getMetricData: (queries, startMs, endMs) =>
      queries.length === 0
        ? Promise.resolve([])
        : batcher
          ? batcher.getMetricData(queries, startMs, endMs)
          : getMetricData(client, queries, startMs, endMs),
    describeAlarms: (names) => (names.length === 0 ? Promise.resolve([]) : describeAlarms(client, names)),
  };
}
