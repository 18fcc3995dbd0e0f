/**
 * Reads the traffic evidence of a deployment from CloudWatch and evaluates it (pure rules in
 * `src/domain/traffic/`). Shared by verification (drain + gates) and the soak watch (gates).
 * A failure to read the metrics is returned as an `unreadable` report, never as success.
 */

import type { JobContext } from '../app/context.js';
import type { Deployment } from '../domain/deployment.js';
import type { GateBreach, TrafficReport } from '../domain/evidence.js';
import type { AlarmState, MetricQuery, MetricResult } from '../domain/metrics.js';
import type { ServiceConfig } from '../domain/service.js';
import { evaluateGates } from '../domain/traffic/gates.js';
import { periodStarts } from '../domain/traffic/periods.js';
import { slotTraffic } from '../domain/traffic/points.js';
import { albDimensions, trafficQueries } from '../domain/traffic/queries.js';
import { evaluateTraffic, unreadableTraffic } from '../domain/traffic/verdict.js';
import { errorMessage } from '../errors.js';

/** The slot traffic should have left: the one live before, else the only other slot. */
function oldSlotOf(d: Deployment, svc: ServiceConfig): string | undefined {
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
  return (
    g.maxErrorRate !== undefined ||
    g.maxP99LatencyMs !== undefined ||
    g.maxUnhealthyHosts !== undefined ||
    g.alarms.length > 0
  );
}

/** The reason recorded when a verification ends with an `unreadable` report. */
export function unverifiedReason(report: TrafficReport): string {
  if (report.unverifiedCause === undefined || report.unverifiedCause === 'read_failed') {
    return `Not verified: the CloudWatch metrics could not be read (${report.error ?? 'unknown error'}).`;
  }
  return `Not verified: ${report.error ?? 'the traffic could not be verified'}.`;
}

/** Periods before the switch read for the baseline of the load balancer's own 5xx. */
const BASELINE_PERIODS = 5;

/** The soak judges the full periods that started in the last this-many periods (see `readGates`). */
const SOAK_WINDOW_PERIODS = 5;
/** How far back the soak looks to find where a run of over-limit periods began (alert keys). */
const SOAK_LOOKBACK_PERIODS = 60;

/** The configured alarms DescribeAlarms did not return: they do not exist, so they can never fire. */
export function missingAlarms(requested: string[], found: AlarmState[]): string[] {
  const names = new Set(found.map((a) => a.name));
  return [...new Set(requested)].filter((n) => !names.has(n));
}

function missingAlarmsError(names: string[]): string {
  const list = names.map((n) => `"${n}"`).join(', ');
  return names.length === 1
    ? `the CloudWatch alarm ${list} (gates.alarms) does not exist, so that gate can never fire`
    : `the CloudWatch alarms ${list} (gates.alarms) do not exist, so those gates can never fire`;
}

function unverifiedBreach(slot: string, error: string): GateBreach {
  return {
    kind: 'metrics_unreadable',
    detail: `The health gates of ${slot} are not verified: ${error}.`,
    key: `metrics_unreadable@${error}`,
  };
}

interface Fetched {
  results: MetricResult[];
  alarms: AlarmState[];
  /** Configured alarms that do not exist. */
  missing: string[];
}

async function fetchEvidence(
  ctx: JobContext,
  svc: ServiceConfig,
  queries: MetricQuery[],
  startMs: number,
  now: number,
): Promise<Fetched> {
  const cloudwatch = ctx.metricsFor(svc);
  const results = await cloudwatch.getMetricData(queries, startMs, now);
  const requested = svc.gates.alarms;
  const alarms = requested.length > 0 ? await cloudwatch.describeAlarms(requested) : [];
  return { results, alarms, missing: missingAlarms(requested, alarms) };
}

function periodSeconds(periodMs: number): number {
  return Math.max(1, Math.round(periodMs / 1000));
}

/**
 * Reads and evaluates the traffic since the switch (`evaluateTraffic`), as of `opts.now` (by
 * default the clock, read once: pass the instant the caller also decides on). Null when there is
 * no old slot or listener to compare. A configured alarm that does not exist makes the report
 * `unreadable` (the alarm gate could never fire); metrics that cannot be read too.
 */
export async function readTraffic(
  ctx: JobContext,
  d: Deployment,
  svc: ServiceConfig,
  opts: { switchedAt: number; windowEndsAt: number; now?: number },
): Promise<TrafficReport | null> {
  const oldSlot = oldSlotOf(d, svc);
  const oldArn = oldSlot ? svc.slots[oldSlot] : undefined;
  const newArn = svc.slots[d.toSlot];
  const listener = svc.listeners[0];
  if (!oldSlot || !oldArn || !newArn || !listener) return null;
  const now = opts.now ?? ctx.clock.now();
  const periodMs = svc.traffic.periodMs;
  // Periods that have ended (the one in progress would show as a misleading row of zeros), from a
  // few before the switch: the load balancer's own 5xx then are the baseline of a shared one.
  const periods = periodStarts(opts.switchedAt - BASELINE_PERIODS * periodMs, now - periodMs + 1, periodMs);
  const shownFrom = opts.switchedAt - periodMs;
  const { loadBalancer } = albDimensions(listener, newArn);
  const queries = trafficQueries({
    loadBalancer,
    oldTargetGroup: albDimensions(listener, oldArn).targetGroup,
    newTargetGroup: albDimensions(listener, newArn).targetGroup,
    periodSeconds: periodSeconds(periodMs),
    loadBalancerErrors: svc.gates.loadBalancerErrors !== false,
  });
  let fetched: Fetched;
  try {
    fetched = await fetchEvidence(ctx, svc, queries, periods[0] ?? opts.switchedAt, now);
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
  const evaluated = evaluateTraffic({
    oldSlot: slotTraffic(oldSlot, fetched.results, 'old', periods),
    newSlot: slotTraffic(d.toSlot, fetched.results, 'new', periods),
    switchedAt: opts.switchedAt,
    now,
    windowEndsAt: opts.windowEndsAt,
    periodMs,
    toleranceRequests: svc.traffic.toleranceRequests,
    gates: svc.gates,
    alarms: fetched.alarms,
    allowIdle: svc.traffic.allowIdle,
  });
  // Shown from the period of the switch on; the earlier ones only gave the baseline.
  const shown = (slot: typeof evaluated.oldSlot) => ({
    ...slot,
    points: slot.points.filter((p) => p.at >= shownFrom),
  });
  const report = { ...evaluated, oldSlot: shown(evaluated.oldSlot), newSlot: shown(evaluated.newSlot) };
  if (fetched.missing.length === 0) return report;
  const missing = missingAlarmsError(fetched.missing);
  const error = report.error ? `${missing}; also, ${report.error}` : missing;
  const { drainedAt: _drainedAt, note: _note, ...rest } = report;
  return {
    ...rest,
    verdict: 'unreadable',
    error,
    unverifiedCause: 'missing_alarms',
    breaches: [...report.breaches, unverifiedBreach(d.toSlot, missing)],
  };
}

/** What one soak check found: gate breaches, and why the gates could not (all) be checked. */
export interface GateReading {
  /** The instant the reading is as of. */
  now: number;
  breaches: GateBreach[];
  /** Set when the metrics or alarms could not be read, or a configured alarm does not exist. */
  error?: string;
}

/**
 * The health gates of the new slot during the soak, as of `opts.now` (default: the clock). The
 * judged periods are the full periods that started at or after max(`since`, now − 5 periods)
 * and ended at least one period before now: the period that just ended is left out (CloudWatch
 * has usually not published it yet), and each period is judged in several consecutive checks,
 * so a datapoint published late — or a check that did not run — is still seen. Up to 60 periods
 * before that are read only to find where a run of over-limit periods began (the breach key).
 * Null when the new slot or the listener is unknown.
 */
export async function readGates(
  ctx: JobContext,
  d: Deployment,
  svc: ServiceConfig,
  opts: { since: number; now?: number },
): Promise<GateReading | null> {
  const newArn = svc.slots[d.toSlot];
  const listener = svc.listeners[0];
  if (!newArn || !listener) return null;
  const now = opts.now ?? ctx.clock.now();
  const periodMs = svc.traffic.periodMs;
  // Wide enough that checks `watchInterval` apart judge every settled period at least once.
  const windowMs = Math.max(SOAK_WINDOW_PERIODS * periodMs, svc.gates.watchIntervalMs + 3 * periodMs);
  const since = Math.max(opts.since, now - windowMs);
  const runsFrom = Math.max(opts.since, now - SOAK_LOOKBACK_PERIODS * periodMs);
  const judgedUntil = now - periodMs;
  const periods = periodStarts(runsFrom - periodMs, judgedUntil, periodMs);
  const { loadBalancer, targetGroup } = albDimensions(listener, newArn);
  const queries = trafficQueries({
    loadBalancer,
    oldTargetGroup: targetGroup,
    newTargetGroup: targetGroup,
    periodSeconds: periodSeconds(periodMs),
    loadBalancerErrors: svc.gates.loadBalancerErrors !== false,
    newOnly: true,
  });
  let fetched: Fetched;
  try {
    fetched = await fetchEvidence(ctx, svc, queries, periods[0] ?? runsFrom, now);
  } catch (err) {
    ctx.log.warn({ deployment: d.id, err: errorMessage(err) }, 'could not read CloudWatch metrics');
    return {
      now,
      breaches: [],
      error: `the CloudWatch metrics and alarms of ${d.toSlot} could not be read (${errorMessage(err)})`,
    };
  }
  const breaches = evaluateGates({
    slot: slotTraffic(d.toSlot, fetched.results, 'new', periods),
    since,
    now: judgedUntil,
    periodMs,
    gates: svc.gates,
    alarms: fetched.alarms,
    runsFrom,
    lookbackCut: runsFrom > opts.since,
    ...(d.lbBaseline ? { baseline: d.lbBaseline } : {}),
  });
  const reading: GateReading = { now, breaches };
  if (fetched.missing.length > 0) reading.error = missingAlarmsError(fetched.missing);
  return reading;
}
