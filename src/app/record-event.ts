/**
 * Recording an event: what a Slack click, a slash command and a job all do to move a deployment.
 */
import { type Deployment, TERMINAL_STATES } from '../domain/deployment.js';
import type { DeploymentEvent, TransitionResult } from '../domain/events.js';
import { type RefusalReason, reason } from '../domain/reasons.js';
import { transition } from '../domain/state-machine.js';
import { errorMessage } from '../errors.js';
import type { JobContext } from './context.js';

/** What applying an event needs: the Slack listeners use it too (they record intent this way). */
export type EventDeps = Pick<JobContext, 'store' | 'scheduler' | 'clock' | 'log' | 'metrics'>;

export type EventOutcome =
  | { ok: true; deployment: Deployment }
  /** Refused: `reason` says why (src/messages/reasons.ts words it). */
  | { ok: false; code: string; reason: RefusalReason; deployment?: Deployment };

/**
 * The one use case every surface shares: applies `event` to the stored record through the pure
 * state machine (optimistic concurrency), and on success runs the transition's queue effects.
 */
export async function recordEvent(ctx: EventDeps, id: string, event: DeploymentEvent): Promise<EventOutcome> {
  const outcome = await ctx.store.update<TransitionResult>(id, (current) => {
    const result = transition(current, event, ctx.clock.now());
    return { next: result.ok ? result.deployment : null, result };
  });
  if (!outcome.found) return { ok: false, code: 'not_found', reason: reason('deployment_missing', { id }) };
  if (outcome.lockedBy) {
    return {
      ok: false,
      code: 'locked',
      reason: reason('service_busy', { service: outcome.deployment.service, holder: outcome.lockedBy }),
      deployment: outcome.deployment,
    };
  }
  const result = outcome.result;
  if (!result.ok)
    return { ok: false, code: result.code, reason: result.reason, deployment: outcome.deployment };
  if (outcome.written) {
    try {
      await ctx.scheduler.apply(outcome.deployment, result.effects);
    } catch (err) {
      // The transition is recorded; the worker's reconcile loop enqueues what the state needs.
      ctx.log.warn({ deployment: id, err: errorMessage(err) }, 'could not enqueue a job');
    }
    if (TERMINAL_STATES.includes(outcome.deployment.state)) {
      ctx.metrics.deploymentFinished(outcome.deployment.service, outcome.deployment.state);
    }
    if (event.type === 'rollback') ctx.metrics.rollbackStarted(outcome.deployment.service, event.reason);
    ctx.log.info(
      { deployment: id, event: event.type, state: outcome.deployment.state },
      `deployment ${id}: ${event.type} → ${outcome.deployment.state}`,
    );
  }
  return { ok: true, deployment: outcome.deployment };
}
