/**
 * What each accepted event does to the record: the target state, the changed fields, the jobs to
 * enqueue or cancel. Legality (is the event allowed in this state at all?) is checked by
 * `transition()` before a handler runs; handlers only check the event's own conditions
 * (deadlines due, arguments valid). Pure.
 */
import type { Deployment, State } from '../deployment.js';
import { formatDuration } from '../duration.js';
import type { DeploymentEvent, Effect, Refusal } from '../events.js';
import { MAX_EXTEND_MS, MAX_TOTAL_SOAK_MS } from '../limits.js';
import { userMention } from '../mentions.js';
import { deploymentName, describeState } from './rules.js';

/** The outcome of an accepted event, before the bookkeeping (version, history, sync) is added. */
export interface Step {
  to: State;
  patch: Partial<Deployment>;
  effects: Effect[];
  by?: string;
  detail?: string;
}

function refuse(code: Refusal['code'], message: string): Refusal {
  return { ok: false, code, message };
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
          `The approval timeout must be a positive duration (got ${event.approvalTimeoutMs}).`,
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
      return { to: 'blocked', patch: { reason: event.reason }, effects: [], detail: event.reason };

    case 'cancel': {
      const reason = `cancelled by ${userMention(event.user)}`;
      const effects: Effect[] =
        d.approvalExpiresAt === undefined
          ? []
          : [{ type: 'cancel', job: 'approval-expiry', at: d.approvalExpiresAt }];
      return { to: 'cancelled', patch: { reason }, effects, by: event.user, detail: reason };
    }

    case 'approve': {
      // Fail closed: once the approval window has closed, a late click must not start a cutover,
      // even if the expiry job has not run yet.
      if (d.approvalExpiresAt !== undefined && now >= d.approvalExpiresAt) {
        return refuse(
          'illegal',
          `${deploymentName(d)} can no longer be approved: its approval prompt expired. ` +
            `Request it again with \`/deploy ${d.service} ${d.toSlot}\`.`,
        );
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
          `The approval prompt of ${deploymentName(d)} does not expire for another ${formatDuration(d.approvalExpiresAt - now)}.`,
        );
      }
      const reason = 'nobody approved it before the approval prompt expired';
      return { to: 'expired', patch: { reason }, effects: [], detail: reason };
    }

    case 'cutover_succeeded': {
      if (!isPositiveMs(event.verifyWindowMs)) {
        return refuse(
          'invalid',
          `The verify window must be a positive duration (got ${event.verifyWindowMs}).`,
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
        detail: event.reason,
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
      return { to: 'failed', patch: { reason: event.reason }, effects: [], detail: event.reason };

    case 'extend': {
      if (!isPositiveMs(event.byMs) || event.byMs > MAX_EXTEND_MS) {
        return refuse(
          'invalid',
          `The soak can be extended by a positive duration of at most ${formatDuration(MAX_EXTEND_MS)} at a time.`,
        );
      }
      // An overdue teardown (workers were down) is extended from now, not from the past deadline.
      const teardownAt = Math.max(d.teardownAt ?? now, now) + event.byMs;
      // A cap on the whole soak, however many extensions (or replays of one): a slot kept "for
      // rollback" for months is the forgotten environment this product exists to prevent.
      const soakStart = d.soakStartedAt ?? now;
      if (teardownAt - soakStart > MAX_TOTAL_SOAK_MS) {
        const room = Math.max(0, soakStart + MAX_TOTAL_SOAK_MS - Math.max(d.teardownAt ?? now, now));
        return refuse(
          'invalid',
          `The soak can last at most ${formatDuration(MAX_TOTAL_SOAK_MS)} in total, counted from the cutover's verification; ` +
            (room >= 60_000
              ? `it can still be extended by up to ${formatDuration(room)}.`
              : 'it cannot be extended any more. Tear down now, or deploy to this slot again to start over.'),
        );
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
          `The teardown of ${deploymentName(d)} is not due for another ${formatDuration(d.teardownAt - now)}.`,
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
      return { to: 'failed', patch: { reason: event.reason }, effects: [], detail: event.reason };

    case 'rollback': {
      const reason = event.reason ?? `rollback requested by ${userMention(event.user)}`;
      return {
        to: 'rolling_back',
        patch: { reason },
        // Timed with `now` so that a retry after a failed rollback gets a fresh job id.
        effects: [...cancelScheduled(d), { type: 'enqueue', job: 'rollback', at: now }],
        by: event.user,
        detail: reason,
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
      return { to: 'failed', patch: { reason: event.reason }, effects: [], detail: event.reason };

    case 'unlock': {
      // A switch that may have started stays on record as touched, so Rollback stays possible.
      const touched =
        d.cutover === undefined && d.switchStartedAt !== undefined
          ? { cutover: { startedAt: d.switchStartedAt, finishedAt: now, awsMs: 0, changed: 0 } }
          : {};
      const reason = `unlocked by ${userMention(event.user)} (break-glass) while it was ${describeState(d.state)}`;
      const effects: Effect[] = [...cancelScheduled(d), { type: 'enqueue', job: 'inspect', at: now }];
      if (d.approvalExpiresAt !== undefined)
        effects.push({ type: 'cancel', job: 'approval-expiry', at: d.approvalExpiresAt });
      return { to: 'failed', patch: { reason, ...touched }, effects, by: event.user, detail: reason };
    }
  }
}
