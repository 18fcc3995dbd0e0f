/**
 * The deployment state machine: `transition(record, event, now)` returns the next record and the
 * side effects (jobs to enqueue or cancel, a re-render) for the edges to carry out, or a refusal
 * with its reason (src/domain/reasons.ts; src/messages/reasons.ts words it for the Slack user).
 * Pure: no I/O, no clock reads, never mutates its input.
 *
 * requested → prechecking → awaiting_approval → cutting_over → verifying → soaking →
 * tearing_down → done, with exits blocked, cancelled, expired, failed, rolling_back → rolled_back.
 */
import type { Deployment, HistoryEntry } from './deployment.js';
import { isTerminal } from './deployment.js';
import type { DeploymentEvent, EventType, Refusal, TransitionResult } from './events.js';
import { deploymentRef, reason } from './reasons.js';
import type { State } from './states.js';
import { applyEvent } from './transitions/handlers.js';
import { EVENT_RULES, EVENT_TYPES } from './transitions/rules.js';

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
  const why =
    d.rollback !== undefined ? 'rolled_back' : d.cutover === undefined ? 'not_switched' : 'torn_down';
  return {
    ok: false,
    code: 'illegal',
    reason: reason('rollback_impossible', { deployment: deploymentRef(d), why }),
  };
}

export function transition(d: Deployment, event: DeploymentEvent, now: number): TransitionResult {
  // Events can arrive from deserialised job data: an unknown type is refused, not a crash.
  if (!Object.hasOwn(EVENT_RULES, event.type)) {
    return { ok: false, code: 'invalid', reason: reason('unknown_event', { type: String(event.type) }) };
  }
  if (!EVENT_RULES[event.type].from.includes(d.state)) {
    return {
      ok: false,
      code: 'illegal',
      reason: reason('event_not_allowed', { deployment: deploymentRef(d), event: event.type }),
    };
  }
  if (event.type === 'rollback' && !canRollBack(d)) return rollbackRefusal(d);

  const step = applyEvent(d, event, now);
  if ('ok' in step) return step;

  const entry: HistoryEntry = { at: now, event: event.type, from: d.state, to: step.to };
  if (step.by !== undefined) entry.by = step.by;
  if (step.detail !== undefined) entry.detail = step.detail;
  if (step.reason !== undefined) entry.reason = step.reason;

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
