/**
 * CloudWatch results (of the queries in queries.ts) as one point per period and slot. Pure.
 *
 * ALB metrics are published per 60 s period, late, and only while requests flow: there is no
 * `RequestCount` datapoint of 0, and `HTTPCode_Target_5XX_Count` is absent when zero
 * (docs/platform-facts.md, "CloudWatch ALB metrics").
 */
import type { SlotTraffic, TrafficPoint } from '../evidence.js';
import type { MetricResult } from '../metrics.js';
import type { SlotPrefix } from './queries.js';

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

/** The slot's point of the period that starts at `at`, if it has one. */
export function pointAt(slot: SlotTraffic, at: number): TrafficPoint | undefined {
  return slot.points.find((p) => p.at === at);
}
