/**
 * The deployment state machine: `transition(record, event, now)` returns the next record and the
 * side effects (jobs to enqueue or cancel, a re-render) for the edges to carry out, or a refusal
 * worded for the Slack user. Pure: no I/O, no clock reads, never mutates its input.
 *
 * requested → prechecking → awaiting_approval → cutting_over → verifying → soaking →
 * tearing_down → done, with exits blocked, cancelled, expired, failed, rolling_back → rolled_back.
 */
import type { CutoverTiming, Deployment, HistoryEntry, State } from './deployment.js';
import { isTerminal } from './deployment.js';
import type { DeploymentEvent, EventType, Refusal, TransitionResult } from './events.js';
import { applyEvent } from './transitions/handlers.js';
import { deploymentName, EVENT_RULES, EVENT_TYPES, illegalMessage } from './transitions/rules.js';

export type { DeploymentEvent, Effect, EventType, Refusal, TransitionResult } from './events.js';
export { MAX_EXTEND_MS } from './limits.js';
export { describeState, EVENT_TYPES } from './transitions/rules.js';

/**
 * Rollback is one routing change while the old slot exists: allowed while verifying or soaking,
 * and after a failure when traffic was switched, the teardown has not started and no rollback
 * has finished (so a failed rollback can be retried).
 */
export function canRollBack(d: Deployment): boolean {
  if (d.state === 'verifying' || d.state === 'soaking') return true;
  return (
    d.state === 'failed' &&
    d.cutover !== undefined &&
    d.teardownStartedAt === undefined &&
    d.rollback === undefined
  );
}

/** Events that may be accepted in `state` (for `failed`, rollback still depends on `canRollBack`). */
export function allowedEvents(state: State): EventType[] {
  return EVENT_TYPES.filter((type) => EVENT_RULES[type].from.includes(state));
}

function rollbackRefusal(d: Deployment): Refusal {
  const name = deploymentName(d);
  let message: string;
  if (d.rollback !== undefined) message = `${name} was already rolled back.`;
  else if (d.cutover === undefined)
    message = `${name} failed before traffic was switched; there is nothing to roll back.`;
  else
    message = `${name} failed after the teardown of the old slot started; rolling back is no longer possible.`;
  return { ok: false, code: 'illegal', message };
}

export function transition(d: Deployment, event: DeploymentEvent, now: number): TransitionResult {
  // Events can arrive from deserialised job data: an unknown type is refused, not a crash.
  if (!Object.hasOwn(EVENT_RULES, event.type)) {
    return { ok: false, code: 'invalid', message: `Unknown deployment event "${String(event.type)}".` };
  }
  if (!EVENT_RULES[event.type].from.includes(d.state)) {
    return { ok: false, code: 'illegal', message: illegalMessage(d, event.type) };
  }
  if (event.type === 'rollback' && !canRollBack(d)) return rollbackRefusal(d);

  const step = applyEvent(d, event, now);
  if ('ok' in step) return step;

  const entry: HistoryEntry = { at: now, event: event.type, from: d.state, to: step.to };
  if (step.by !== undefined) entry.by = step.by;
  if (step.detail !== undefined) entry.detail = step.detail;

  const next: Deployment = {
    ...d,
    ...step.patch,
    state: step.to,
    version: d.version + 1,
    updatedAt: now,
    messages: { ...d.messages, posted: [...d.messages.posted] },
    history: [...d.history, entry],
  };
  if (isTerminal(step.to)) next.finishedAt = now;
  // Leaving a terminal state (rollback after a failure) reopens the deployment.
  else if (isTerminal(d.state)) delete next.finishedAt;

  return { ok: true, deployment: next, effects: [...step.effects, { type: 'sync' }] };
}
