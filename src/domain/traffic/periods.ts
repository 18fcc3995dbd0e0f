/** The period grid CloudWatch aggregates on: period starts are multiples of the period. Pure. */
import { nextOnGrid } from '../job-ids.js';

/** Start times of every period of the grid that overlaps [fromMs, toMs), ascending. */
export function periodStarts(fromMs: number, toMs: number, periodMs: number): number[] {
  if (!(periodMs > 0) || !(toMs > fromMs)) return [];
  const out: number[] = [];
  for (let at = Math.floor(fromMs / periodMs) * periodMs; at < toMs; at += periodMs) out.push(at);
  return out;
}

/** The first period that starts at or after `since`: `since` rounded UP to the grid. */
export function firstFullPeriod(since: number, periodMs: number): number {
  return Math.ceil(since / periodMs) * periodMs;
}

/**
 * Start times of the *full* periods since `since`: a full period starts at or after `since`
 * (see `firstFullPeriod`: the minute the switch happened in never counts) and has ended
 * (start + period ≤ now).
 */
export function fullPeriods(since: number, now: number, periodMs: number): number[] {
  return periodStarts(firstFullPeriod(since, periodMs), now - periodMs + 1, periodMs);
}

/**
 * When a verification or soak watch polls CloudWatch next: the first multiple of `everyMs` since
 * the epoch after `now`. One grid for every deployment, so the polls of fifty deployments with
 * the same interval fall due at the same instant and their reads share GetMetricData calls
 * (src/aws/metrics-batcher.ts). Still deterministic: a re-enqueue after a crash names the same job.
 */
export function nextPollAt(everyMs: number, now: number): number {
  return nextOnGrid(0, everyMs, now);
}
