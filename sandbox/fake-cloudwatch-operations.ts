/**
 * The two CloudWatch operations the fake answers, over a TrafficModel, with AWS JSON 1.0 shapes
 * (timestamps as epoch seconds): GetMetricData (Period, StartTime, EndTime, ScanBy,
 * MaxDatapoints / page size, NextToken) and DescribeAlarms (AlarmNames, AlarmNamePrefix,
 * AlarmTypes, StateValue, MaxRecords, NextToken).
 */
import { createHash } from 'node:crypto';
import { ACCOUNT, REGION } from './fake-elb/state.js';
import {
  BALANCER_METRICS,
  type BalancerMetric,
  type FakeAlarm,
  GROUP_METRICS,
  type GroupMetric,
  type TrafficModel,
} from './traffic-model.js';

/** An AWS-shaped failure: its query-compatible code, message and HTTP status. */
export class FakeCloudWatchError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'FakeCloudWatchError';
  }
}

type Json = Record<string, unknown>;

const GROUP = new Set<string>(GROUP_METRICS);
const BALANCER = new Set<string>(BALANCER_METRICS);
const DEFAULT_MAX_DATAPOINTS = 100_800;

function invalid(message: string): FakeCloudWatchError {
  return new FakeCloudWatchError('InvalidParameterValue', message);
}

function required<T>(value: T | undefined | null, name: string): T {
  if (value === undefined || value === null) {
    throw new FakeCloudWatchError('MissingParameter', `The parameter ${name} is required.`);
  }
  return value;
}

/** JSON 1.0 timestamps are epoch seconds; ISO strings are accepted too. */
function timeMs(value: unknown, name: string): number {
  const ms =
    typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw invalid(`The parameter ${name} is not a valid timestamp.`);
  return ms;
}

function positiveInt(value: unknown, name: string, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw invalid(`The value ${String(value)} for parameter ${name} is not an integer from 1 to ${max}.`);
  }
  return value;
}

/** Tokens are bound to the request they continue (everything but NextToken), like AWS's. */
function fingerprint(body: Json): string {
  const { NextToken: _ignored, ...rest } = body;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 16);
}

function encodeToken(offset: number, body: Json): string {
  return Buffer.from(JSON.stringify({ o: offset, f: fingerprint(body) })).toString('base64url');
}

function decodeToken(token: unknown, body: Json): number {
  if (token === undefined || token === null || token === '') return 0;
  try {
    const t = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as {
      o?: unknown;
      f?: unknown;
    };
    if (typeof t.o === 'number' && Number.isInteger(t.o) && t.o >= 0 && t.f === fingerprint(body)) return t.o;
  } catch {
    // fall through
  }
  throw new FakeCloudWatchError('InvalidNextToken', 'The service returned an invalid NextToken.');
}

function arnEndingWith<T>(map: Map<string, T>, tail: string): string | undefined {
  for (const arn of map.keys()) if (arn.endsWith(tail)) return arn;
  return undefined;
}

interface Query {
  id: string;
  label: string;
  points: { at: number; value: number }[];
}

/** One MetricDataQuery → its points, or none when the metric/dimension set is not published. */
function runQuery(model: TrafficModel, raw: unknown, startMs: number, endMs: number): Query {
  const q = (raw ?? {}) as Json;
  const id = q.Id;
  if (typeof id !== 'string' || !/^[a-z][a-zA-Z0-9_]{0,254}$/.test(id)) {
    throw invalid(`The value ${String(id)} for parameter MetricDataQueries.member.Id is not valid.`);
  }
  if (q.Expression !== undefined) throw invalid(`Query ${id}: expressions are not supported by the fake.`);
  const stat = required(q.MetricStat as Json | undefined, `MetricDataQueries.member.MetricStat (${id})`);
  const metric = required(stat.Metric as Json | undefined, `MetricStat.Metric (${id})`);
  const period = required(
    positiveInt(stat.Period, `MetricStat.Period (${id})`, 86_400 * 7),
    `MetricStat.Period (${id})`,
  );
  if (typeof stat.Stat !== 'string' || stat.Stat === '') {
    throw new FakeCloudWatchError('MissingParameter', `The parameter MetricStat.Stat (${id}) is required.`);
  }
  const name = String(metric.MetricName ?? '');
  const label = typeof q.Label === 'string' ? q.Label : name;
  const dims = new Map(
    ((metric.Dimensions ?? []) as Json[]).map((d) => [String(d.Name), String(d.Value)] as const),
  );
  // CloudWatch only matches the exact dimension set a metric is published with ("CloudWatch
  // metrics for your Application Load Balancer"): the load balancer's own 5xx only with
  // LoadBalancer alone, the target groups' metrics with LoadBalancer + TargetGroup.
  const none = { id, label, points: [] };
  const lb = dims.get('LoadBalancer');
  const tg = dims.get('TargetGroup');
  if (metric.Namespace !== 'AWS/ApplicationELB' || !lb) return none;
  const lbArn = arnEndingWith(model.elb.loadBalancers, `:loadbalancer/${lb}`);
  if (!lbArn) return none;
  const periodMs = period * 1000;
  if (dims.size === 1 && BALANCER.has(name)) {
    return {
      id,
      label,
      points: model.balancerSeries(lbArn, name as BalancerMetric, startMs, endMs, periodMs),
    };
  }
  if (dims.size !== 2 || !tg || !GROUP.has(name)) return none;
  const tgArn = arnEndingWith(model.elb.targetGroups, `:${tg}`);
  if (!tgArn) return none;
  return {
    id,
    label,
    points: model.series(tgArn, name as GroupMetric, startMs, endMs, periodMs, stat.Stat),
  };
}

export function getMetricData(model: TrafficModel, body: Json, pageSize?: number): Json {
  const raw = required(body.MetricDataQueries, 'MetricDataQueries');
  if (!Array.isArray(raw) || raw.length === 0) throw invalid('MetricDataQueries must hold 1 to 500 queries.');
  if (raw.length > 500)
    throw invalid('The collection MetricDataQueries must not have a size greater than 500.');
  // CloudWatch rounds a recent StartTime down to the whole minute.
  const startMs = Math.floor(timeMs(required(body.StartTime, 'StartTime'), 'StartTime') / 60_000) * 60_000;
  const endMs = timeMs(required(body.EndTime, 'EndTime'), 'EndTime');
  if (!(endMs > startMs)) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
  const scan = body.ScanBy ?? 'TimestampDescending';
  if (scan !== 'TimestampDescending' && scan !== 'TimestampAscending') {
    throw invalid(`The value ${String(scan)} for parameter ScanBy is not valid.`);
  }
  const limit = Math.min(
    positiveInt(body.MaxDatapoints, 'MaxDatapoints', DEFAULT_MAX_DATAPOINTS) ?? DEFAULT_MAX_DATAPOINTS,
    pageSize ?? DEFAULT_MAX_DATAPOINTS,
  );
  const queries = raw.map((q) => runQuery(model, q, startMs, endMs));
  const ids = new Set<string>();
  for (const q of queries) {
    if (ids.has(q.id))
      throw invalid(`The values for parameter Id in MetricDataQueries are not unique: ${q.id}.`);
    ids.add(q.id);
    if (scan === 'TimestampDescending') q.points.reverse();
  }

  const offset = decodeToken(body.NextToken, body);
  const end = offset + limit;
  let index = 0;
  const results = queries.map((q) => {
    const first = index;
    index += q.points.length;
    const page = q.points.slice(Math.max(0, offset - first), Math.max(0, end - first));
    return {
      Id: q.id,
      Label: q.label,
      Timestamps: page.map((p) => p.at / 1000),
      Values: page.map((p) => p.value),
      StatusCode: index <= end ? 'Complete' : 'PartialData',
    };
  });
  const out: Json = { MetricDataResults: results, Messages: [] };
  if (end < index) out.NextToken = encodeToken(end, body);
  return out;
}

function alarmJson(a: FakeAlarm): Json {
  const common = {
    AlarmName: a.name,
    AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${a.name}`,
    ActionsEnabled: true,
    OKActions: [],
    AlarmActions: [],
    InsufficientDataActions: [],
    StateValue: a.state,
    StateReason: a.reason ?? `Alarm state set to ${a.state}`,
    StateUpdatedTimestamp: a.updatedAt / 1000,
    StateTransitionedTimestamp: a.updatedAt / 1000,
  };
  if (a.kind === 'composite') return { ...common, AlarmRule: `ALARM("${a.name}-members")` };
  return {
    ...common,
    AlarmConfigurationUpdatedTimestamp: a.updatedAt / 1000,
    MetricName: 'HTTPCode_Target_5XX_Count',
    Namespace: 'AWS/ApplicationELB',
    Statistic: 'Sum',
    Dimensions: [],
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 10,
    ComparisonOperator: 'GreaterThanThreshold',
  };
}

export function describeAlarms(model: TrafficModel, body: Json): Json {
  const names = body.AlarmNames as unknown;
  if (names !== undefined && (!Array.isArray(names) || names.length > 100)) {
    throw invalid('AlarmNames must be a list of at most 100 names.');
  }
  if (names !== undefined && body.AlarmNamePrefix !== undefined) {
    throw new FakeCloudWatchError(
      'InvalidParameterCombination',
      'AlarmNames and AlarmNamePrefix cannot be used together.',
    );
  }
  // Without AlarmTypes, DescribeAlarms returns metric alarms only (as AWS does).
  const types = new Set((body.AlarmTypes as string[] | undefined) ?? ['MetricAlarm']);
  const max = positiveInt(body.MaxRecords, 'MaxRecords', 100) ?? 50;
  const wanted = names === undefined ? undefined : new Set((names as unknown[]).map(String));
  const prefix = typeof body.AlarmNamePrefix === 'string' ? body.AlarmNamePrefix : '';
  const selected = [...model.alarms.values()]
    .filter((a) => (wanted ? wanted.has(a.name) : a.name.startsWith(prefix)))
    .filter((a) => types.has(a.kind === 'composite' ? 'CompositeAlarm' : 'MetricAlarm'))
    .filter((a) => body.StateValue === undefined || a.state === body.StateValue)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const offset = decodeToken(body.NextToken, body);
  const page = selected.slice(offset, offset + max);
  const out: Json = {
    MetricAlarms: page.filter((a) => a.kind === 'metric').map(alarmJson),
    CompositeAlarms: page.filter((a) => a.kind === 'composite').map(alarmJson),
  };
  if (offset + max < selected.length) out.NextToken = encodeToken(offset + max, body);
  return out;
}
