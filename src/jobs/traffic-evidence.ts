/**
 * Reads the traffic evidence of a deployment from CloudWatch and evaluates it (pure rules in
 * `src/domain/traffic.ts`). Shared by verification (drain + gates) and the soak watch (gates).
 * A failure to read the metrics is returned as an `unreadable` report, never as success.
 */
import type { AlarmState } from '../aws/metrics-port.js';
import type { ServiceConfig } from '../config/schema.js';
import type { Deployment } from '../domain/deployment.js';
import type { TrafficReport } from '../domain/evidence.js';
import {
  albDimensions,
  evaluateTraffic,
  periodStarts,
  slotTraffic,
  trafficQueries,
  unreadableTraffic,
} from '../domain/traffic.js';
import { errorMessage } from '../errors.js';
import type { JobContext } from './job-context.js';

/** The slot traffic should have left: the one live before, else the only other slot. */
export function oldSlotOf(d: Deployment, svc: ServiceConfig): string | undefined {
  if (d.fromSlot) return d.fromSlot;
  const others = Object.keys(svc.slots).filter((s) => s !== d.toSlot);
  return others.length === 1 ? others[0] : undefined;
}

/** Health-gate breaches proper: unreadable metrics are "not verified", not a reason to roll back. */
export function gateBreaches(report: TrafficReport): TrafficReport['breaches'] {
  return report.breaches.filter((b) => b.kind !== 'metrics_unreadable');
}

export function hasGates(svc: ServiceConfig): boolean {
  const g = svc.gates;
  return g.maxErrorRate !== undefined || g.maxP99LatencyMs !== undefined || g.alarms.length > 0;
}

export async function readTraffic(
  ctx: JobContext,
  d: Deployment,
  svc: ServiceConfig,
  opts: { switchedAt: number; windowEndsAt: number },
): Promise<TrafficReport | null> {
  const oldSlot = oldSlotOf(d, svc);
  const oldArn = oldSlot ? svc.slots[oldSlot] : undefined;
  const newArn = svc.slots[d.toSlot];
  const listener = svc.listeners[0];
  if (!oldSlot || !oldArn || !newArn || !listener) return null;
  const now = ctx.clock.now();
  const periodMs = svc.traffic.periodMs;
  const periods = periodStarts(opts.switchedAt - periodMs, now, periodMs);
  const base = {
    switchedAt: opts.switchedAt,
    now,
    windowEndsAt: opts.windowEndsAt,
    periodMs,
    toleranceRequests: svc.traffic.toleranceRequests,
    gates: svc.gates,
  };
  const { loadBalancer } = albDimensions(listener, newArn);
  const queries = trafficQueries({
    loadBalancer,
    oldTargetGroup: albDimensions(listener, oldArn).targetGroup,
    newTargetGroup: albDimensions(listener, newArn).targetGroup,
    periodSeconds: Math.max(1, Math.round(periodMs / 1000)),
  });
  try {
    const start = periods[0] ?? opts.switchedAt;
    const results = await ctx.cloudwatch.getMetricData(queries, start, now);
    const alarms: AlarmState[] =
      svc.gates.alarms.length > 0 ? await ctx.cloudwatch.describeAlarms(svc.gates.alarms) : [];
    return evaluateTraffic({
      ...base,
      oldSlot: slotTraffic(oldSlot, results, 'old', periods),
      newSlot: slotTraffic(d.toSlot, results, 'new', periods),
      alarms,
    });
  } catch (err) {
    ctx.log.warn({ deployment: d.id, err: errorMessage(err) }, 'could not read CloudWatch metrics');
    return unreadableTraffic({
      oldSlot,
      newSlot: d.toSlot,
      windowEndsAt: opts.windowEndsAt,
      toleranceRequests: svc.traffic.toleranceRequests,
      error: errorMessage(err),
    });
  }
}
