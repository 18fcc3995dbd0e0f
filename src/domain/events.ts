/** The events a deployment accepts, the effects a transition asks for, and its result. Types only. */
import type { CutoverTiming, Deployment } from './deployment.js';
import type { JobName } from './job-ids.js';

export type DeploymentEvent =
  | { type: 'precheck_started' }
  | { type: 'precheck_passed'; fromSlot: string | null; approvalTimeoutMs: number }
  | { type: 'precheck_failed'; reason: string }
  | { type: 'approve'; user: string }
  | { type: 'cancel'; user: string }
  | { type: 'approval_expired' }
  | { type: 'cutover_succeeded'; timing: CutoverTiming; verifyWindowMs: number }
  | { type: 'cutover_failed'; reason: string; touched?: CutoverTiming }
  | { type: 'verify_passed' }
  | { type: 'verify_failed'; reason: string }
  | { type: 'extend'; user: string; byMs: number }
  | { type: 'teardown_now'; user: string }
  | { type: 'teardown_due' }
  | { type: 'teardown_done'; detail?: string }
  | { type: 'teardown_failed'; reason: string }
  | { type: 'rollback'; user: string; reason?: string }
  | { type: 'rollback_done'; timing: CutoverTiming }
  | { type: 'rollback_failed'; reason: string }
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

export type Refusal = { ok: false; code: 'illegal' | 'not_due' | 'invalid'; message: string };
export type TransitionResult = { ok: true; deployment: Deployment; effects: Effect[] } | Refusal;
