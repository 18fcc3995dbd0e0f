/**
 * The notification hooks, `afterRollback` and `verificationFailed`: when each is owed, and what
 * its payload adds to the common one (src/hooks/hook-payload.ts). They tell a service what already
 * happened; their answer undoes and blocks nothing. Each is owed by the record, once per
 * deployment, until marked called (`called:<hook>` in messages.posted). Pure.
 */
import type { Deployment, HistoryEntry } from '../domain/deployment.js';
import type { DeploymentReason } from '../domain/reasons.js';
import { rollbackCause } from '../domain/rollback-cause.js';
import { scrubReason } from '../domain/transition-event.js';

export const NOTIFICATION_HOOKS = ['afterRollback', 'verificationFailed'] as const;
export type NotificationHook = (typeof NOTIFICATION_HOOKS)[number];

/** The queue job that pays each hook. */
export const NOTIFICATION_JOB = {
  afterRollback: 'after-rollback',
  verificationFailed: 'verification-failed',
} as const satisfies Record<NotificationHook, string>;

/** Marked on the record (messages.posted) once the hook was called, whatever it answered. */
export function calledMark(hook: NotificationHook): string {
  return `called:${hook}`;
}

/**
 * The history entry where verification failed: `verify_failed` while verifying, or the automatic
 * rollback a health gate started during verification (`gates.autoRollback`). A Rollback clicked
 * while verifying is not a failed verification.
 */
export function verificationFailure(d: Deployment): HistoryEntry | undefined {
  return d.history.findLast(
    (h) =>
      h.from === 'verifying' &&
      (h.event === 'verify_failed' ||
        (h.event === 'rollback' && rollbackCause(h.reason) === 'auto_verification')),
  );
}

/** Whether `hook` is owed by `d` (configured, its moment came, not called yet). */
export function notificationOwed(hook: NotificationHook, d: Deployment, configured: boolean): boolean {
  if (!configured || d.messages.posted.includes(calledMark(hook))) return false;
  return hook === 'afterRollback' ? d.state === 'rolled_back' : verificationFailure(d) !== undefined;
}

/** Which part of verification failed. */
export type VerificationCheck = 'configuration' | 'traffic' | 'metrics' | 'health_gates' | 'verification';

export interface FailedCheck {
  check: VerificationCheck;
  /** The sentence Greenlight said in the thread (ARNs and URLs removed). */
  detail: string;
}

/**
 * The failing checks, from the reason verification failed with (the verify job's wording:
 * src/jobs/verify-job.ts and src/jobs/traffic-evidence.ts).
 */
export function failedChecks(reason: DeploymentReason | undefined): FailedCheck[] {
  if (!reason) return [{ check: 'verification', detail: 'verification failed' }];
  const r = scrubReason(reason);
  switch (r.code) {
    case 'gate_breached':
      return [{ check: 'health_gates', detail: r.params.summary }];
    case 'failure':
      // Reading the listeners back (part 1) failed.
      return [{ check: 'configuration', detail: r.params.detail }];
    case 'stopped': {
      const detail = r.params.detail;
      if (detail.startsWith('Verification failed:')) return [{ check: 'configuration', detail }];
      if (detail.startsWith('Traffic did not leave')) return [{ check: 'traffic', detail }];
      if (detail.startsWith('Not verified:')) return [{ check: 'metrics', detail }];
      return [{ check: 'verification', detail }];
    }
    case 'gave_up':
      return [{ check: 'verification', detail: `the ${r.params.job} step gave up: ${r.params.why}` }];
    default:
      return [{ check: 'verification', detail: r.code }];
  }
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** What the hook's payload adds to the common fields, from the record. */
export function notificationExtra(hook: NotificationHook, d: Deployment): Record<string, unknown> {
  if (hook === 'afterRollback') {
    const started = d.history.findLast((h) => h.event === 'rollback');
    return {
      rollback: {
        /** manual, auto_verification, auto_soak, other: as greenlight_rollbacks_total counts it. */
        cause: rollbackCause(started?.reason),
        reason: started?.reason ? scrubReason(started.reason) : null,
        by: started?.by ?? null,
        requestedAt: iso(started?.at),
        switchedBackAt: iso(d.rollback?.finishedAt),
        /** Traffic left this slot … */
        from: d.toSlot,
        /** … and is back on this one. */
        to: d.fromSlot,
      },
    };
  }
  const failure = verificationFailure(d);
  const autoRollback = failure?.event === 'rollback';
  return {
    verification: {
      failedAt: iso(failure?.at),
      /** true: Greenlight rolls back by itself (`gates.autoRollback`); false: the deployment failed. */
      autoRollback,
      reason: failure?.reason ? scrubReason(failure.reason) : null,
      checks: failedChecks(failure?.reason),
    },
  };
}
