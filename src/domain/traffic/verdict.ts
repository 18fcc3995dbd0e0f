/**
 * The verdict of a verification: did the old slot drain (and is the new slot within its health
 * gates, gates.ts)? Pure: no I/O, no clock (`now` is passed in). The verify job asks the metrics
 * port for `trafficQueries` (queries.ts), turns the results into points with `slotTraffic`
 * (points.ts) and calls `evaluateTraffic`; a failed read becomes `unreadableTraffic`.
 */
import type { SlotTraffic, TrafficPoint, TrafficReport } from '../evidence.js';
import { lbBaseline } from '../lb-errors.js';
import type { AlarmState } from '../metrics.js';
import type { GateSettings } from '../service.js';
import { hhmm } from '../utc-time.js';
import { evaluateGates } from './gates.js';
import { firstFullPeriod, fullPeriods } from './periods.js';
import { pointAt } from './points.js';

/** Whether CloudWatch published anything for the point (it never publishes a 0 count). */
function hasDatapoint(p: TrafficPoint | undefined): boolean {
  return p !== undefined && (p.requests > 0 || p.errors5xx > 0 || p.p99Ms !== null);
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
    firstFullPeriod: firstFullPeriod(input.switchedAt, periodMs),
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
