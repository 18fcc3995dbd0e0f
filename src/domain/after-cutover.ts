/**
 * When the `afterCutover` hook is owed, and what it says. A service may freeze itself in
 * `beforeCutover` (read-only mode for a schema cutover, say); it must hear that the attempt ended,
 * whatever happened to the process that made it. So the hook is not a line after the switch that a
 * crash can skip: it is owed by the record, and a job (re-enqueued by reconcile) pays it once. Pure.
 */
import type { Deployment } from './deployment.js';

/** Marked on the record (messages.posted) right before the hook is called. */
export const BEFORE_CUTOVER_CALLED = 'called:beforeCutover';
/** Marked once beforeCutover answered 2xx: a re-run of the cutover does not call it again. */
export const BEFORE_CUTOVER_PASSED = 'passed:beforeCutover';
/** Marked on the record once the hook was called (whatever it answered). */
export const AFTER_CUTOVER_CALLED = 'called:afterCutover';

/** How far the load balancer got: `all`, `none`, or `partial_or_unknown` (old and new may both serve). */
export type Switched = 'all' | 'none' | 'partial_or_unknown';

export function switchedOf(d: Deployment): Switched {
  if (d.history.some((h) => h.event === 'cutover_succeeded')) return 'all';
  return d.cutover !== undefined || d.switchStartedAt !== undefined ? 'partial_or_unknown' : 'none';
}

/**
 * Owed once the attempt ended (no longer `cutting_over`) when the service has the hook and either
 * `beforeCutover` was called or the load balancer was (or may have been) touched.
 */
export function afterCutoverOwed(d: Deployment, hasHook: boolean): boolean {
  if (!hasHook || d.state === 'cutting_over') return false;
  if (d.messages.posted.includes(AFTER_CUTOVER_CALLED)) return false;
  return d.messages.posted.includes(BEFORE_CUTOVER_CALLED) || switchedOf(d) !== 'none';
}
