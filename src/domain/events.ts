/** The events a deployment accepts, the effects a transition asks for, and its result. Types only. */
import type { CutoverTiming, Deployment } from './deployment.js';
import type { JobName } from './job-ids.js';
import type { DeploymentReason, RefusalReason } from './reasons.js';

export type DeploymentEvent =
  | { type: 'precheck_started' }
  | { type: 'precheck_passed'; fromSlot: string | null; approvalTimeoutMs: number }
  | { type: 'precheck_failed'; reason: DeploymentReason }
  | { type: 'approve'; user: string }
  | { type: 'cancel'; user: string }
  | { type: 'approval_expired' }
  | { type: 'cutover_succeeded'; timing: CutoverTiming; verifyWindowMs: number }
  | { type: 'cutover_failed'; reason: DeploymentReason; touched?: CutoverTiming }
  | { type: 'verify_passed' }
  | { type: 'verify_failed'; reason: DeploymentReason }
  | { type: 'extend'; user: string; byMs: number }
  | { type: 'teardown_now'; user: string }
  | { type: 'teardown_due' }
  | { type: 'teardown_done'; detail?: string }
  | { type: 'teardown_failed'; reason: DeploymentReason }
  | { type: 'rollback'; user: string; reason?: DeploymentReason }
  | { type: 'rollback_done'; timing: CutoverTiming }
  | { type: 'rollback_failed'; reason: DeploymentReason }
  /** Break-glass: an approver ends a stuck deployment, whatever its state. */
  | { type: 'unlock'; user: string };
export type EventType = DeploymentEvent['type'];

export type Effect =
  /** Add the job `jobId(job, d.id, at)`; `at` = when it should run (delayed job), absent = now. */
  | { type: 'enqueue'; job: JobName; at?: number }
  /** Remove the job with exactly the id `jobId(job, d.id, at)`. */
  | { type: 'cancel'; job: JobName; at?: number }
  /** Re-render the card / prompt / reminder from the record. */
  | { type: 'sync' };

/** A refused event: why, as a reason for src/messages/reasons.ts to word. */
export type Refusal = { ok: false; code: 'illegal' | 'not_due' | 'invalid'; reason: RefusalReason };
export type TransitionResult = { ok: true; deployment: Deployment; effects: Effect[] } | Refusal;
