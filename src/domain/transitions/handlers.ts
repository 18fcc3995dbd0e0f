/**
 * What each accepted event does to the record: the target state, the changed fields, the jobs to
 * enqueue or cancel. Legality (is the event allowed in this state at all?) is checked by
 * `transition()` before a handler runs; handlers only check the event's own conditions
 * (deadlines due, arguments valid). Pure.
 */
import type { Deployment } from '../deployment.js';
import { formatDuration } from '../duration.js';
import type { DeploymentEvent, Effect, Refusal } from '../events.js';
import { MAX_EXTEND_MS, MAX_TOTAL_SOAK_MS } from '../limits.js';
import { type DeploymentReason, deploymentRef, type RefusalReason, reason } from '../reasons.js';
import type { State } from '../states.js';

/** The outcome of an accepted event, before the bookkeeping (version, history, sync) is added. */
export interface Step {
  to: State;
  patch: Partial<Deployment>;
  effects: Effect[];
  by?: string;
  detail?: string;
  /** The reason the event carries, for the history entry. */
  reason?: DeploymentReason;
}

function refuse(code: Refusal['code'], why: RefusalReason): Refusal {
  return { ok: false, code, reason: why };
}

function isPositiveMs(ms: number): boolean {
  return Number.isSafeInteger(ms) && ms > 0;
}

/** The reminder goes out `remindBeforeMs` ahead of the teardown, but never in the past. */
function remindTime(teardownAt: number, remindBeforeMs: number, now: number): number {
  return Math.max(now, teardownAt - remindBeforeMs);
}

function cancelScheduled(d: Deployment): Effect[] {
  const effects: Effect[] = [];
  if (d.remindAt !== undefined) effects.push({ type: 'cancel', job: 'remind', at: d.remindAt });
  if (d.teardownAt !== undefined) effects.push({ type: 'cancel', job: 'teardown', at: d.teardownAt });
  return effects;
}

function took(timing: { startedAt: number; finishedAt: number }): string {
  return formatDuration(timing.finishedAt - timing.startedAt);
}

export function applyEvent(d: Deployment, event: DeploymentEvent, now: number): Step | Refusal {
  switch (event.type) {
    case 'precheck_started':
      return { to: 'prechecking', patch: {}, effects: [] };

    case 'precheck_passed': {
      if (!isPositiveMs(event.approvalTimeoutMs)) {
        return refuse(
          'invalid',
          reason('invalid_duration', { what: 'approval_timeout', got: event.approvalTimeoutMs }),
        );
      }
      const approvalExpiresAt = now + event.approvalTimeoutMs;
      return {
        to: 'awaiting_approval',
        patch: { fromSlot: event.fromSlot, approvalExpiresAt },
        effects: [{ type: 'enqueue', job: 'approval-expiry', at: approvalExpiresAt }],
        detail: `live slot: ${event.fromSlot ?? 'none'}`,
      };
    }

    case 'precheck_failed':
      return { to: 'blocked', patch: { reason: event.reason }, effects: [], reason: event.reason };

    case 'cancel': {
      const why = reason('cancelled', { user: event.user });
      const effects: Effect[] =
        d.approvalExpiresAt === undefined
          ? []
          : [{ type: 'cancel', job: 'approval-expiry', at: d.approvalExpiresAt }];
      return { to: 'cancelled', patch: { reason: why }, effects, by: event.user, reason: why };
    }

    case 'approve': {
      // Fail closed: once the approval window has closed, a late click must not start a cutover,
      // even if the expiry job has not run yet.
      if (d.approvalExpiresAt !== undefined && now >= d.approvalExpiresAt) {
        return refuse('illegal', reason('approval_closed', { deployment: deploymentRef(d) }));
      }
      const effects: Effect[] = [];
      if (d.approvalExpiresAt !== undefined) {
        effects.push({ type: 'cancel', job: 'approval-expiry', at: d.approvalExpiresAt });
      }
      effects.push({ type: 'enqueue', job: 'cutover' });
      return { to: 'cutting_over', patch: { approvedBy: event.user }, effects, by: event.user };
    }

    case 'approval_expired': {
      if (d.approvalExpiresAt !== undefined && now < d.approvalExpiresAt) {
        return refuse(
          'not_due',
          reason('not_due', {
            deployment: deploymentRef(d),
            what: 'approval_expiry',
            inMs: d.approvalExpiresAt - now,
          }),
        );
      }
      const why = reason('approval_expired', {});
      return { to: 'expired', patch: { reason: why }, effects: [], reason: why };
    }

    case 'cutover_succeeded': {
      if (!isPositiveMs(event.verifyWindowMs)) {
        return refuse(
          'invalid',
          reason('invalid_duration', { what: 'verify_window', got: event.verifyWindowMs }),
        );
      }
      return {
        to: 'verifying',
        patch: { cutover: event.timing, verifyEndsAt: now + event.verifyWindowMs },
        effects: [{ type: 'enqueue', job: 'verify' }],
        detail: `${event.timing.changed} forward action list(s) switched in ${took(event.timing)}`,
      };
    }

    case 'cutover_failed':
      // When the load balancer may have been touched (a partial switch whose restore was not
      // confirmed), record the cutover so that Rollback stays possible.
      return {
        to: 'failed',
        patch: { reason: event.reason, ...(event.touched ? { cutover: event.touched } : {}) },
        effects: [],
        reason: event.reason,
      };

    case 'verify_passed': {
      const teardownAt = now + d.soakMs;
      const remindAt = remindTime(teardownAt, d.remindBeforeMs, now);
      return {
        to: 'soaking',
        patch: { soakStartedAt: now, teardownAt, remindAt },
        effects: [
          { type: 'enqueue', job: 'remind', at: remindAt },
          { type: 'enqueue', job: 'teardown', at: teardownAt },
        ],
        detail: `old slot kept for ${formatDuration(d.soakMs)}`,
      };
    }

    case 'verify_failed':
      return { to: 'failed', patch: { reason: event.reason }, effects: [], reason: event.reason };

    case 'extend': {
      if (!isPositiveMs(event.byMs) || event.byMs > MAX_EXTEND_MS) {
        return refuse('invalid', reason('extend_out_of_range', { maxMs: MAX_EXTEND_MS }));
      }
      // An overdue teardown (workers were down) is extended from now, not from the past deadline.
      const teardownAt = Math.max(d.teardownAt ?? now, now) + event.byMs;
      // A cap on the whole soak, however many extensions (or replays of one): a slot kept "for
      // rollback" for months is the forgotten environment this product exists to prevent.
      const soakStart = d.soakStartedAt ?? now;
      if (teardownAt - soakStart > MAX_TOTAL_SOAK_MS) {
        const room = Math.max(0, soakStart + MAX_TOTAL_SOAK_MS - Math.max(d.teardownAt ?? now, now));
        return refuse('invalid', reason('soak_cap', { maxMs: MAX_TOTAL_SOAK_MS, roomMs: room }));
      }
      const remindAt = remindTime(teardownAt, d.remindBeforeMs, now);
      return {
        to: 'soaking',
        patch: { teardownAt, remindAt },
        effects: [
          ...cancelScheduled(d),
          { type: 'enqueue', job: 'remind', at: remindAt },
          { type: 'enqueue', job: 'teardown', at: teardownAt },
        ],
        by: event.user,
        detail: `+${formatDuration(event.byMs)}`,
      };
    }

    case 'teardown_now':
      return {
        to: 'tearing_down',
        patch: { teardownStartedAt: now },
        effects: [...cancelScheduled(d), { type: 'enqueue', job: 'teardown', at: now }],
        by: event.user,
      };

    case 'teardown_due': {
      if (d.teardownAt !== undefined && now < d.teardownAt) {
        return refuse(
          'not_due',
          reason('not_due', { deployment: deploymentRef(d), what: 'teardown', inMs: d.teardownAt - now }),
        );
      }
      const effects: Effect[] =
        d.remindAt === undefined ? [] : [{ type: 'cancel', job: 'remind', at: d.remindAt }];
      return { to: 'tearing_down', patch: { teardownStartedAt: now }, effects };
    }

    case 'teardown_done':
      return {
        to: 'done',
        patch: {},
        effects: [],
        ...(event.detail === undefined ? {} : { detail: event.detail }),
      };

    case 'teardown_failed':
      return { to: 'failed', patch: { reason: event.reason }, effects: [], reason: event.reason };

    case 'rollback': {
      const why = event.reason ?? reason('rollback_requested', { user: event.user });
      return {
        to: 'rolling_back',
        patch: { reason: why },
        // Timed with `now` so that a retry after a failed rollback gets a fresh job id.
        effects: [...cancelScheduled(d), { type: 'enqueue', job: 'rollback', at: now }],
        by: event.user,
        reason: why,
      };
    }

    case 'rollback_done':
      return {
        to: 'rolled_back',
        patch: { rollback: event.timing },
        effects: [],
        detail: `switched back in ${took(event.timing)}`,
      };

    case 'rollback_failed':
      return { to: 'failed', patch: { reason: event.reason }, effects: [], reason: event.reason };

    case 'unlock': {
      // A switch that may have started stays on record as touched, so Rollback stays possible.
      const touched =
        d.cutover === undefined && d.switchStartedAt !== undefined
          ? { cutover: { startedAt: d.switchStartedAt, finishedAt: now, awsMs: 0, changed: 0 } }
          : {};
      const why = reason('unlocked', { user: event.user, state: d.state });
      const effects: Effect[] = [...cancelScheduled(d), { type: 'enqueue', job: 'inspect', at: now }];
      if (d.approvalExpiresAt !== undefined)
        effects.push({ type: 'cancel', job: 'approval-expiry', at: d.approvalExpiresAt });
      return { to: 'failed', patch: { reason: why, ...touched }, effects, by: event.user, reason: why };
    }
  }
}
