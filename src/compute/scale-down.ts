/**
 * Scales the compute behind a drained slot to zero, in steps the teardown job takes as separate
 * runs (it never sleeps): `beginScaleDown` reads the sizes (recorded as `previous`) and asks for
 * zero; `countRemaining` is run again on a delayed poll until nothing is left to wait for or the
 * bound (`computeTimeout`) ran out; `finishScaleDown` writes the report. What each kind of compute
 * does in those steps is its backend's (src/compute/<backend>.ts, found through the registry).
 *
 * Idempotent: a re-run reads the current sizes and skips the update when they are already 0; the
 * caller keeps the first run's `previous`. A service, group or cluster that does not exist gives a
 * finished report with `error`, nothing thrown. A failed first describe or update throws the
 * AwsCallError (the job retries). Describe failures while polling are blips: counted as unknown
 * until the bound; if the last read failed the report says so.
 */

import type { ComputePorts } from '../app/ports/compute.js';
import type { ScaleDownReport } from '../domain/evidence.js';
import type { ComputeTarget } from '../domain/service.js';
import { errorMessage } from '../errors.js';
import type { ScaleDownContext, ScaleDownCount, ScaleDownStart } from './backend.js';
import { COMPUTE_BACKENDS, computeBackend } from './registry.js';

/** `backends`: the registered ones unless told (a test plugs in its own). */
export async function beginScaleDown(
  target: ComputeTarget,
  deps: ComputePorts,
  context: ScaleDownContext,
  backends = COMPUTE_BACKENDS,
): Promise<ScaleDownStart> {
  return computeBackend(target.kind, backends).begin(target, deps, context);
}

/** What is left of the compute now (a resource that disappeared has nothing left). */
export async function countRemaining(
  target: ComputeTarget,
  deps: ComputePorts,
  backends = COMPUTE_BACKENDS,
): Promise<ScaleDownCount> {
  try {
    return await computeBackend(target.kind, backends).count(target, deps);
  } catch (err) {
    return { remaining: -1, held: 0, heldNotes: [], error: errorMessage(err) };
  }
}

/** True when there is nothing more to wait for. */
export function settledCount(count: ScaleDownCount): boolean {
  return count.error === undefined && count.remaining === 0;
}

/**
 * The final report from the start's and the last count: reached zero only when nothing is left,
 * nothing is held and the last read worked; what is held and why is in the notes.
 */
export function finishScaleDown(
  started: ScaleDownReport,
  count: ScaleDownCount,
  waitedMs: number,
): ScaleDownReport {
  const notes = [...(started.notes ?? []), ...count.heldNotes];
  const known = count.error === undefined ? count.remaining : started.remaining;
  const remaining = Math.max(0, known) + count.held;
  const report: ScaleDownReport = {
    ...started,
    reachedZero: count.error === undefined && remaining === 0,
    remaining,
    waitedMs,
  };
  if (count.error !== undefined)
    report.error = `could not read the count at the end of the wait: ${count.error}`;
  else if (count.remaining > 0)
    report.error = `${count.remaining} still running after ${Math.round(waitedMs / 1000)}s`;
  if (notes.length > 0) report.notes = notes;
  else delete report.notes;
  return report;
}
