/**
 * Traffic evidence after a switch, as pure functions over CloudWatch results (no I/O, no clock:
 * `now` is always passed in). The verify job asks the metrics port for `trafficQueries`, turns
 * the results into per-period points with `slotTraffic`, and `evaluateTraffic` decides whether the
 * old slot drained and whether the new slot breaches a health gate. The soak watch uses
 * `evaluateGates` (same gate rules, no drain verdict).
 *
 * CloudWatch facts these rules rest on (FACTS.md, "CloudWatch"): ALB metrics are published per
 * 60 s period, late (a minute or two after the period), and only while requests flow — there is
 * no `RequestCount` datapoint of 0, and `HTTPCode_Target_5XX_Count` is absent when zero.
 */

import type { GateBreach, SlotTraffic, TrafficPoint, TrafficReport } from './evidence.js';
import { type LbBaseline, lbBaseline, lbBasisText, type UserFacing, userFacing5xx } from './lb-errors.js';
import type { AlarmState, MetricQuery, MetricResult } from './metrics.js';
import type { GateSettings } from './service.js';
import { hhmm } from './utc-time.js';

export { userFacing5xx } from './lb-errors.js';

/** CloudWatch dimensions of a target group behind the load balancer of a listener. */
export function albDimensions(
  listenerArn: string,
  targetGroupArn: string,
): { loadBalancer: string; targetGroup: string } {
  const lb = /:listener\/(app\/[^/]+\/[^/]+)\/[^/]+$/.exec(listenerArn)?.[1];
  if (!lb) throw new Error(`not an ALB listener ARN: ${listenerArn}`);
  const tg = /:(targetgroup\/[^/]+\/[^/]+)$/.exec(targetGroupArn)?.[1];
  if (!tg) throw new Error(`not a target group ARN: ${targetGroupArn}`);
  return { loadBalancer: lb, targetGroup: tg };
}

export type SlotPrefix = 'old' | 'new';

const SERIES = [
  { suffix: 'req', metricName: 'RequestCount', stat: 'Sum' },
  { suffix: '5xx', metricName: 'HTTPCode_Target_5XX_Count', stat: 'Sum' },
  { suffix: 'p99', metricName: 'TargetResponseTime', stat: 'p99' },
] as const;

/** What the gates read of the new slot besides requests, 5xx and p99. */
const NEW_ONLY = [
  { suffix: 'conn', metricName: 'TargetConnectionErrorCount', stat: 'Sum' },
  { suffix: 'unhealthy', metricName: 'UnHealthyHostCount', stat: 'Maximum' },
] as const;

/** Published with the LoadBalancer dimension alone: the load balancer's own 5xx. */
const LOAD_BALANCER = [
  { id: 'lb_5xx', metricName: 'HTTPCode_ELB_5XX_Count', stat: 'Sum' },
  { id: 'lb_503', metricName: 'HTTPCode_ELB_503_Count', stat: 'Sum' },
  { id: 'lb_req', metricName: 'RequestCount', stat: 'Sum' },
] as const;

/** The new slot's gate queries, and the load balancer's own 5xx when `loadBalancerErrors`. */
function gateQueries(input: {
  loadBalancer: string;
  newTargetGroup: string;
  periodSeconds: number;
  loadBalancerErrors: boolean;
}): MetricQuery[] {
  const group = NEW_ONLY.map((s) => ({
    id: `new_${s.suffix}`,
    metricName: s.metricName,
    stat: s.stat,
    loadBalancer: input.loadBalancer,
    targetGroup: input.newTargetGroup,
    periodSeconds: input.periodSeconds,
  }));
  const balancer = input.loadBalancerErrors
    ? LOAD_BALANCER.map((s) => ({
        id: s.id,
        metricName: s.metricName,
        stat: s.stat,
        loadBalancer: input.loadBalancer,
        periodSeconds: input.periodSeconds,
      }))
    : [];
  return [...group, ...balancer];
}

/**
 * The queries of a verification: requests, target 5xx and p99 latency of both slots; the new
 * slot's connection errors and unhealthy hosts; the load balancer's own 5xx and 503 when
 * `loadBalancerErrors` (default true). `newOnly`: only what the soak's gates read of the new slot.
 */
export function trafficQueries(input: {
  loadBalancer: string;
  oldTargetGroup: string;
  newTargetGroup: string;
  periodSeconds: number;
  loadBalancerErrors?: boolean;
  newOnly?: boolean;
}): MetricQuery[] {
  const slots: [SlotPrefix, string][] = [
    ['old', input.oldTargetGroup],
    ['new', input.newTargetGroup],
  ];
  const basic = slots
    .filter(([prefix]) => !input.newOnly || prefix === 'new')
    .flatMap(([prefix, targetGroup]) =>
      SERIES.map((s) => ({
        id: `${prefix}_${s.suffix}`,
        metricName: s.metricName,
        stat: s.stat,
        loadBalancer: input.loadBalancer,
        targetGroup,
        periodSeconds: input.periodSeconds,
      })),
    );
  return [...basic, ...gateQueries({ ...input, loadBalancerErrors: input.loadBalancerErrors ?? true })];
}

function valuesById(results: MetricResult[], id: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const r of results) {
    if (r.id !== id) continue;
    r.timestamps.forEach((t, i) => {
      const v = r.values[i];
      if (v !== undefined && Number.isFinite(v)) out.set(t, v);
    });
  }
  return out;
}

/**
 * One point per period start in `periods`: a missing RequestCount or 5xx datapoint is 0, a
 * missing p99 is null. TargetResponseTime is in seconds; `p99Ms` is milliseconds (0.1 ms steps).
 * The new slot's points also carry its connection errors and unhealthy hosts, and — when they
 * were queried — the load balancer's own 5xx and 503 of the period.
 */
export function slotTraffic(
  slot: string,
  results: MetricResult[],
  prefix: SlotPrefix,
  periods: number[],
): SlotTraffic {
  const req = valuesById(results, `${prefix}_req`);
  const err = valuesById(results, `${prefix}_5xx`);
  const p99 = valuesById(results, `${prefix}_p99`);
  const withGates = prefix === 'new';
  const conn = valuesById(results, 'new_conn');
  const unhealthy = valuesById(results, 'new_unhealthy');
  const lbQueried = results.some((r) => r.id === 'lb_5xx');
  const lb5xx = valuesById(results, 'lb_5xx');
  const lb503 = valuesById(results, 'lb_503');
  const lbReq = valuesById(results, 'lb_req');
  const oldReq = valuesById(results, 'old_req');
  const points = periods.map<TrafficPoint>((at) => {
    const seconds = p99.get(at);
    const point: TrafficPoint = {
      at,
      requests: req.get(at) ?? 0,
      errors5xx: err.get(at) ?? 0,
      p99Ms: seconds === undefined ? null : Math.round(seconds * 10_000) / 10,
    };
    if (!withGates) return point;
    point.connectionErrors = conn.get(at) ?? 0;
    point.unhealthyHosts = unhealthy.get(at) ?? null;
    if (lbQueried) {
      point.lb5xx = lb5xx.get(at) ?? 0;
      point.lb503 = lb503.get(at) ?? 0;
      // What else the load balancer carried (its RequestCount is the sum over its target groups).
      point.lbOtherRequests = Math.max(0, (lbReq.get(at) ?? 0) - point.requests - (oldReq.get(at) ?? 0));
    }
    return point;
  });
  return { slot, points };
}

/** Start times of every period of the grid that overlaps [fromMs, toMs), ascending. */
export function periodStarts(fromMs: number, toMs: number, periodMs: number): number[] {
  if (!(periodMs > 0) || !(toMs > fromMs)) return [];
  const out: number[] = [];
  for (let at = Math.floor(fromMs / periodMs) * periodMs; at < toMs; at += periodMs) out.push(at);
  return out;
}

/**
 * Start times of the *full* periods since `since`: a full period starts at or after `since`
 * (the first one is `since` rounded UP to the grid, so the minute the switch happened in never
 * counts) and has ended (start + period ≤ now).
 */
function fullPeriods(since: number, now: number, periodMs: number): number[] {
  const first = Math.ceil(since / periodMs) * periodMs;
  return periodStarts(first, now - periodMs + 1, periodMs);
}

/** Whether CloudWatch published anything for the point (it never publishes a 0 count). */
function hasDatapoint(p: TrafficPoint | undefined): boolean {
  return p !== undefined && (p.requests > 0 || p.errors5xx > 0 || p.p99Ms !== null);
}

const EMPTY: TrafficPoint = { at: 0, requests: 0, errors5xx: 0, p99Ms: null };

function pointAt(slot: SlotTraffic, at: number): TrafficPoint | undefined {
  return slot.points.find((p) => p.at === at);
}

function percent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

function ms(value: number): string {
  return `${Number(value.toFixed(1))} ms`;
}

/** The period with the largest value (the earliest on a tie), or undefined when none. */
function worst<T extends { value: number }>(items: T[]): T | undefined {
  return items.reduce<T | undefined>(
    (best, it) => (best === undefined || it.value > best.value ? it : best),
    undefined,
  );
}

function overLimitNote(count: number): string {
  return count > 1 ? `; ${count} periods were over the limit` : '';
}

/** Default of `gates.minRequests`: fewer requests in a period are too few to judge a rate by. */
export const DEFAULT_MIN_REQUESTS = 20;

interface MetricGate {
  kind: 'error_rate' | 'p99_latency' | 'unhealthy_hosts';
  limit: number;
  /** The value of a period the gate judges, or null when there is nothing to judge. */
  value: (p: TrafficPoint) => number | null;
  detail: (worst: { p: TrafficPoint; value: number }, overCount: number) => string;
}

/**
 * One metric gate over `all` (ascending, full periods from the start of the lookback); only the
 * periods starting at or after `windowStart` can breach. A breach is the current *run* of
 * over-limit periods — the one that ends with the latest over-limit period in the window: a
 * period within the limit ends a run, a period that cannot be judged (too few requests, no
 * datapoint) neither ends nor extends it. The detail names the run's worst period in the window
 * and how many of its periods there were over the limit; the key names where the run began
 * (which may be before the window), so it stays the same while the run goes on.
 */
function metricBreach(
  gate: MetricGate,
  all: TrafficPoint[],
  windowStart: number,
  lookbackCut: boolean,
): GateBreach | undefined {
  const over = (p: TrafficPoint): number | undefined => {
    const v = gate.value(p);
    return v !== null && v > gate.limit ? v : undefined;
  };
  const latest = all.filter((p) => p.at >= windowStart && over(p) !== undefined).at(-1);
  if (!latest) return undefined;
  const run: { p: TrafficPoint; value: number }[] = [];
  let ended = false;
  for (let i = all.indexOf(latest); i >= 0; i -= 1) {
    const p = all[i] as TrafficPoint;
    const value = over(p);
    if (value !== undefined) run.unshift({ p, value });
    else if (gate.value(p) !== null) {
      ended = true;
      break;
    }
  }
  const inWindow = run.filter((x) => x.p.at >= windowStart);
  const w = worst(inWindow);
  const start = run[0];
  if (!w || !start) return undefined;
  // A run that reaches back past a cut lookback has no known start: a key tied to the first
  // period read would change every period (and re-alert every minute) — use one stable key.
  const key = ended || !lookbackCut ? `${gate.kind}@${start.p.at}` : `${gate.kind}@long-run`;
  return { kind: gate.kind, detail: gate.detail(w, inWindow.length), key };
}

function errorDetail(
  slot: string,
  w: { p: TrafficPoint; value: number },
  limit: number,
  n: number,
  seen: UserFacing,
) {
  const split =
    seen.fromLb > 0
      ? ` (${w.p.errors5xx} from its targets, ${seen.fromLb} generated by the load balancer: ${lbBasisText(seen.basis)})`
      : '';
  return (
    `${slot} answered ${percent(w.value)} of ${seen.requests} requests with a ${seen.fromLb > 0 ? '5xx' : 'target 5xx'}${split} ` +
    `(limit ${percent(limit)}) in the period from ${hhmm(w.p.at)} UTC${overLimitNote(n)}.`
  );
}

/**
 * The gate rules, over the new slot's full periods since `since` that had at least
 * `gates.minRequests` requests (default 20; fewer are noise):
 * - error rate: the 5xx users saw (`userFacing5xx`: the targets' and the load balancer's own) /
 *   requests of each such period; above `maxErrorRate` → breach `error_rate` (the worst period of
 *   the current run of over-limit periods is named, see `metricBreach`). `attributed(at)` says
 *   whether the load balancer's 5xx of a period count against the new slot (default: always);
 * - latency: p99 above `maxP99LatencyMs` → breach `p99_latency` (named the same way);
 * - unhealthy hosts: the period's largest UnHealthyHostCount above `maxUnhealthyHosts` → breach
 *   `unhealthy_hosts` (judged whatever the requests);
 * - alarms: every alarm in state ALARM → breach `alarm`, with its reason.
 * Each breach is one sentence naming the slot, the value, the limit and the period (UTC), with a
 * `key` that stays the same while the same breach goes on: the start of its run of over-limit
 * periods (looked up from `runsFrom`, default `since`), or the alarm and its state reason.
 */
export function evaluateGates(input: {
  slot: SlotTraffic;
  since: number;
  now: number;
  periodMs: number;
  gates: GateSettings;
  alarms: AlarmState[];
  /** Earlier periods from here on only tell where a run of over-limit periods began. */
  runsFrom?: number;
  /** True when `runsFrom` is later than where the data begins (the lookback was cut short). */
  lookbackCut?: boolean;
  /**
   * Whether the load balancer's own 5xx of the period may count against the new slot: it held all
   * the service's traffic then (default: yes). See lb-errors.ts for how much of them does.
   */
  attributed?: (at: number) => boolean;
  /** The load balancer's own 5xx per period before the switch (for a shared load balancer). */
  baseline?: LbBaseline;
}): GateBreach[] {
  const { slot, gates, periodMs } = input;
  const cut = input.lookbackCut ?? false;
  const minRequests = Math.max(1, gates.minRequests ?? DEFAULT_MIN_REQUESTS);
  const windowStart = Math.ceil(input.since / periodMs) * periodMs;
  const all = fullPeriods(Math.min(input.runsFrom ?? input.since, input.since), input.now, periodMs).map(
    (at) => ({ ...(pointAt(slot, at) ?? EMPTY), at }),
  );
  const attributed = (at: number) => gates.loadBalancerErrors !== false && (input.attributed?.(at) ?? true);
  const seenAt = (p: TrafficPoint) => userFacing5xx(p, attributed(p.at), input.baseline);
  const judged = (p: TrafficPoint) => p.requests >= minRequests;
  const breaches: GateBreach[] = [];

  if (gates.maxErrorRate !== undefined) {
    const limit = gates.maxErrorRate;
    const b = metricBreach(
      {
        kind: 'error_rate',
        limit,
        value: (p) => {
          const seen = seenAt(p);
          return seen.requests >= minRequests ? seen.errors / seen.requests : null;
        },
        detail: (w, n) => errorDetail(slot.slot, w, limit, n, seenAt(w.p)),
      },
      all,
      windowStart,
      cut,
    );
    if (b) breaches.push(b);
  }

  if (gates.maxUnhealthyHosts !== undefined) {
    const limit = gates.maxUnhealthyHosts;
    const b = metricBreach(
      {
        kind: 'unhealthy_hosts',
        limit,
        value: (p) => p.unhealthyHosts ?? null,
        detail: (w, n) =>
          `${slot.slot} had ${w.value} unhealthy target(s) (UnHealthyHostCount, limit ${limit}) ` +
          `in the period from ${hhmm(w.p.at)} UTC${overLimitNote(n)}.`,
      },
      all,
      windowStart,
      cut,
    );
    if (b) breaches.push(b);
  }

  if (gates.maxP99LatencyMs !== undefined) {
    const limit = gates.maxP99LatencyMs;
    const b = metricBreach(
      {
        kind: 'p99_latency',
        limit,
        value: (p) => (judged(p) ? p.p99Ms : null),
        detail: (w, n) =>
          `${slot.slot} answered with a p99 latency of ${ms(w.value)} (limit ${ms(limit)}) ` +
          `in the period from ${hhmm(w.p.at)} UTC${overLimitNote(n)}.`,
      },
      all,
      windowStart,
      cut,
    );
    if (b) breaches.push(b);
  }

  for (const alarm of input.alarms) {
    if (alarm.state !== 'ALARM') continue;
    const why = alarm.reason ? `: ${alarm.reason}` : '';
    breaches.push({
      kind: 'alarm',
      detail: `CloudWatch alarm ${alarm.name} is in ALARM while ${slot.slot} is live${why}`.replace(
        /\.?$/,
        '.',
      ),
      key: `alarm@${alarm.name}@${alarm.reason ?? ''}`,
    });
  }
  return breaches;
}

/**
 * The verdict of a verification, from the old and new slots' points.
 * - A *full period* starts at or after the switch (the first is `switchedAt` rounded UP to the
 *   period grid) and has ended (start + period ≤ now).
 * - A full period is *settled* when the old slot has a datapoint for it, or when it ended at
 *   least two periods before now. CloudWatch publishes late and only while requests flow: a
 *   missing old-slot RequestCount means "0 requests" only once the period is settled by age
 *   (a datapoint of the new slot alone says nothing about the old slot's).
 * - `drained` as soon as a settled full period has old-slot requests ≤ `toleranceRequests` AND
 *   new-slot requests > 0 — evidence that traffic flows and goes to the new slot (`drainedAt` =
 *   the start of the first such period). Otherwise `waiting` until now ≥ `windowEndsAt`, then:
 *   - `not_drained` when a settled period had new-slot requests (traffic flowed, the old slot
 *     kept more than the tolerance), or when every settled period had old-slot requests above
 *     the tolerance (traffic stayed on the old slot);
 *   - with `allowIdle`, `drained` at the first settled period with the old slot within the
 *     tolerance, with a `note` that no request reached the new slot;
 *   - else `unreadable`: no request was observed on the new slot (or no full period settled
 *     within the window), so the traffic could not be verified.
 * - Gates (see `evaluateGates`) over the new slot's full periods since the switch.
 */
export function evaluateTraffic(input: {
  oldSlot: SlotTraffic;
  newSlot: SlotTraffic;
  switchedAt: number;
  now: number;
  windowEndsAt: number;
  periodMs: number;
  toleranceRequests: number;
  gates: GateSettings;
  alarms: AlarmState[];
  /** `traffic.allowIdle`: a window with no request on the new slot may end drained (default false). */
  allowIdle?: boolean;
}): TrafficReport {
  const { oldSlot, newSlot, now, periodMs } = input;
  const full = fullPeriods(input.switchedAt, now, periodMs);
  const settled = full.filter(
    (at) => hasDatapoint(pointAt(oldSlot, at)) || at + periodMs + 2 * periodMs <= now,
  );
  const oldRequests = (at: number) => pointAt(oldSlot, at)?.requests ?? 0;
  const newRequests = (at: number) => pointAt(newSlot, at)?.requests ?? 0;
  const quiet = (at: number) => oldRequests(at) <= input.toleranceRequests;
  const baseline = lbBaseline(newSlot.points, input.switchedAt, periodMs);
  const report: TrafficReport = {
    oldSlot,
    newSlot,
    verdict: 'waiting',
    windowEndsAt: input.windowEndsAt,
    toleranceRequests: input.toleranceRequests,
    firstFullPeriod: Math.ceil(input.switchedAt / periodMs) * periodMs,
    breaches: evaluateGates({
      slot: newSlot,
      since: input.switchedAt,
      now,
      periodMs,
      gates: input.gates,
      alarms: input.alarms,
      // The load balancer's own 5xx count against the new slot only in settled periods in which
      // it held all the service's traffic (an unpublished old-slot datapoint reads 0 too).
      attributed: (at) => settled.includes(at) && oldRequests(at) <= input.toleranceRequests,
      baseline,
    }),
    ...(newSlot.points.some((p) => p.lb5xx !== undefined) ? { lbBaseline: baseline } : {}),
  };
  const drainedAt = settled.find((at) => quiet(at) && newRequests(at) > 0);
  if (drainedAt !== undefined) return { ...report, verdict: 'drained', drainedAt };
  if (now < input.windowEndsAt) return report;

  const idleAt = settled.find(quiet);
  if (settled.some((at) => newRequests(at) > 0) || (settled.length > 0 && idleAt === undefined)) {
    return { ...report, verdict: 'not_drained' };
  }
  if (input.allowIdle && idleAt !== undefined) {
    return {
      ...report,
      verdict: 'drained',
      drainedAt: idleAt,
      note:
        `No requests were observed on ${newSlot.slot} after the switch; counted as drained because ` +
        `traffic.allowIdle is on (${oldSlot.slot} was quiet in the period from ${hhmm(idleAt)} UTC).`,
    };
  }
  if (settled.length === 0 && (input.allowIdle || full.some((at) => newRequests(at) > 0))) {
    return {
      ...report,
      verdict: 'unreadable',
      unverifiedCause: 'not_settled',
      error:
        'no full period after the switch was settled before the verify window ended (CloudWatch publishes late), so the traffic could not be verified',
    };
  }
  return {
    ...report,
    verdict: 'unreadable',
    unverifiedCause: 'no_requests',
    error: `no requests were observed on ${newSlot.slot} after the switch, so the traffic could not be verified`,
  };
}

/**
 * The report of a verification whose metrics could not be read: verdict `unreadable` with a
 * `metrics_unreadable` breach — never counted as success.
 */
export function unreadableTraffic(input: {
  oldSlot: string;
  newSlot: string;
  windowEndsAt: number;
  toleranceRequests: number;
  error: string;
}): TrafficReport {
  return {
    oldSlot: { slot: input.oldSlot, points: [] },
    newSlot: { slot: input.newSlot, points: [] },
    verdict: 'unreadable',
    windowEndsAt: input.windowEndsAt,
    toleranceRequests: input.toleranceRequests,
    breaches: [
      {
        kind: 'metrics_unreadable',
        detail: `The CloudWatch metrics of ${input.oldSlot} and ${input.newSlot} could not be read (${input.error}), so the traffic is not verified.`,
      },
    ],
    error: input.error,
    unverifiedCause: 'read_failed',
  };
}

const BARS = '▁▂▃▄▅▆▇█';

/**
 * A sparkline scaled to the largest value. Zero (or less) is always `▁` and any positive value
 * is at least `▂`, so a single straggler request on a drained slot stays visible.
 */
export function sparkline(values: number[]): string {
  const max = Math.max(0, ...values.filter((v) => Number.isFinite(v)));
  return values
    .map((v) => {
      if (!(v > 0) || max === 0) return BARS[0];
      return BARS[1 + Math.round((Math.min(v, max) / max) * (BARS.length - 2))];
    })
    .join('');
}
