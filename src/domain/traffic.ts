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

import type { AlarmState, MetricQuery, MetricResult } from '../aws/metrics-port.js';
import type { GateSettings } from '../config/evidence-schema.js';
import type { GateBreach, SlotTraffic, TrafficPoint, TrafficReport } from './evidence.js';

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

/** The six queries of a verification: requests, target 5xx and p99 latency of both slots. */
export function trafficQueries(input: {
  loadBalancer: string;
  oldTargetGroup: string;
  newTargetGroup: string;
  periodSeconds: number;
}): MetricQuery[] {
  const slots: [SlotPrefix, string][] = [
    ['old', input.oldTargetGroup],
    ['new', input.newTargetGroup],
  ];
  return slots.flatMap(([prefix, targetGroup]) =>
    SERIES.map((s) => ({
      id: `${prefix}_${s.suffix}`,
      metricName: s.metricName,
      stat: s.stat,
      loadBalancer: input.loadBalancer,
      targetGroup,
      periodSeconds: input.periodSeconds,
    })),
  );
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
  const points = periods.map<TrafficPoint>((at) => {
    const seconds = p99.get(at);
    return {
      at,
      requests: req.get(at) ?? 0,
      errors5xx: err.get(at) ?? 0,
      p99Ms: seconds === undefined ? null : Math.round(seconds * 10_000) / 10,
    };
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

function hhmm(at: number): string {
  return new Date(at).toISOString().slice(11, 16);
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

/**
 * The gate rules, over the new slot's full periods since `since`:
 * - error rate: 5xx / requests of each period with requests > 0; above `maxErrorRate` → breach
 *   `error_rate` (the worst period is named);
 * - latency: p99 above `maxP99LatencyMs` → breach `p99_latency` (the worst period is named);
 * - alarms: every alarm in state ALARM → breach `alarm`, with its reason.
 * Each breach is one sentence naming the slot, the value, the limit and the period (UTC).
 */
export function evaluateGates(input: {
  slot: SlotTraffic;
  since: number;
  now: number;
  periodMs: number;
  gates: GateSettings;
  alarms: AlarmState[];
}): GateBreach[] {
  const { slot, gates } = input;
  const points = fullPeriods(input.since, input.now, input.periodMs).map((at) => ({
    ...(pointAt(slot, at) ?? EMPTY),
    at,
  }));
  const breaches: GateBreach[] = [];

  if (gates.maxErrorRate !== undefined) {
    const limit = gates.maxErrorRate;
    const over = points
      .filter((p) => p.requests > 0)
      .map((p) => ({ p, value: p.errors5xx / p.requests }))
      .filter((x) => x.value > limit);
    const w = worst(over);
    if (w) {
      breaches.push({
        kind: 'error_rate',
        detail:
          `${slot.slot} answered ${percent(w.value)} of ${w.p.requests} requests with a target 5xx ` +
          `(limit ${percent(limit)}) in the period from ${hhmm(w.p.at)} UTC${overLimitNote(over.length)}.`,
      });
    }
  }

  if (gates.maxP99LatencyMs !== undefined) {
    const limit = gates.maxP99LatencyMs;
    const over = points
      .filter((p): p is TrafficPoint & { p99Ms: number } => p.p99Ms !== null && p.p99Ms > limit)
      .map((p) => ({ p, value: p.p99Ms }));
    const w = worst(over);
    if (w) {
      breaches.push({
        kind: 'p99_latency',
        detail:
          `${slot.slot} answered with a p99 latency of ${ms(w.value)} (limit ${ms(limit)}) ` +
          `in the period from ${hhmm(w.p.at)} UTC${overLimitNote(over.length)}.`,
      });
    }
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
    });
  }
  return breaches;
}

/**
 * The verdict of a verification, from the old and new slots' points.
 * - A *full period* starts at or after the switch (the first is `switchedAt` rounded UP to the
 *   period grid) and has ended (start + period ≤ now).
 * - A full period is *settled* when either slot has a datapoint for it, or when it ended at least
 *   two periods before now. CloudWatch publishes late and only while requests flow: a missing
 *   RequestCount means "0 requests" only once the period is settled, never before.
 * - `drained` as soon as a settled full period has old-slot requests ≤ `toleranceRequests`
 *   (`drainedAt` = the start of the first such period); otherwise `not_drained` once
 *   now ≥ `windowEndsAt`; otherwise `waiting`.
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
}): TrafficReport {
  const { oldSlot, newSlot, now, periodMs } = input;
  const settled = fullPeriods(input.switchedAt, now, periodMs).filter(
    (at) =>
      hasDatapoint(pointAt(oldSlot, at)) ||
      hasDatapoint(pointAt(newSlot, at)) ||
      at + periodMs + 2 * periodMs <= now,
  );
  const drainedAt = settled.find((at) => (pointAt(oldSlot, at)?.requests ?? 0) <= input.toleranceRequests);
  const verdict = drainedAt !== undefined ? 'drained' : now >= input.windowEndsAt ? 'not_drained' : 'waiting';
  const report: TrafficReport = {
    oldSlot,
    newSlot,
    verdict,
    windowEndsAt: input.windowEndsAt,
    toleranceRequests: input.toleranceRequests,
    breaches: evaluateGates({
      slot: newSlot,
      since: input.switchedAt,
      now,
      periodMs,
      gates: input.gates,
      alarms: input.alarms,
    }),
  };
  if (drainedAt !== undefined) report.drainedAt = drainedAt;
  return report;
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
