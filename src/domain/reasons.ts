/**
 * Why something happened or was refused, as data: a code and its parameters. The domain, the use
 * cases and the jobs produce reasons; src/messages/reasons.ts renders them for people (the
 * mentions, channel links, bold names and `/deploy` hints live there, never here). Pure and
 * JSON-serialisable: a deployment's reason is stored on its record and in its history.
 */
import type { State } from './states.js';

/** Slack user ids and user-group ids (who may act). */
export interface People {
  users: readonly string[];
  usergroups: readonly string[];
}

/** The deployment a refusal is about, as much of it as the refusal names. */
export interface DeploymentRef {
  service: string;
  fromSlot: string | null;
  toSlot: string;
  state: State;
}

/** The job steps that record a failure. */
export const FAILURE_STEPS = ['precheck', 'cutover', 'verify', 'teardown', 'rollback'] as const;
export type FailureStep = (typeof FAILURE_STEPS)[number];

/** Where a health gate was breached when Greenlight rolled back by itself. */
export type GateWindow = 'verification' | 'soak';

/**
 * Why a deployment ended blocked, cancelled, expired or failed, or why it is rolled back: what
 * `Deployment.reason`, the events' `reason` and the history entries carry (stored in Redis).
 */
export type DeploymentReason =
  /** Cancel clicked or `/deploy cancel` by `user`. */
  | { code: 'cancelled'; params: { user: string } }
  /** Rollback clicked or `/deploy rollback` by `user`. */
  | { code: 'rollback_requested'; params: { user: string } }
  /** Break-glass `/deploy unlock` by `user` while the deployment was in `state`. */
  | { code: 'unlocked'; params: { user: string; state: State } }
  /** Nobody approved before the approval prompt expired. */
  | { code: 'approval_expired'; params: Record<string, never> }
  /** An error during a job step: `detail` is the AWS / error message. */
  | { code: 'failure'; params: { step: FailureStep; detail: string } }
  /** A job step stopped and says why in its own words (`detail`: one plain sentence, no markup). */
  | { code: 'stopped'; params: { step: FailureStep; detail: string } }
  /** The job used up its attempts (or failed for good): `why` is its last error. */
  | { code: 'gave_up'; params: { job: string; why: string } }
  /**
   * A health gate was breached (`summary`: the breaches' own sentences); with `rollback`, Greenlight
   * rolled back by itself during that window, otherwise verification failed.
   */
  | { code: 'gate_breached'; params: { summary: string; rollback?: GateWindow } }
  /** A reason stored as text by an earlier version of Greenlight (read back as it was). */
  | { code: 'text'; params: { text: string } };

/** The actions only an approver may take. */
export type ApproverAction = 'approve' | 'extend' | 'teardown_now' | 'unlock';

/** Why an action was refused: authorization, the state machine, the record store. Not stored. */
export type RefusalReason =
  /** Deployers are configured and the actor is neither one nor an approver. */
  | { code: 'not_deployer'; params: { service: string; allowed: People } }
  /** Only an approver may `action`. */
  | { code: 'not_approver'; params: { service: string; action: ApproverAction; approvers: People } }
  /** The requester may not approve their own deployment (allowSelfApproval is off). */
  | { code: 'self_approval'; params: { service: string; approvers: People } }
  /** Only the requester or an approver may `action`. */
  | {
      code: 'not_requester_or_approver';
      params: { service: string; action: 'cancel' | 'rollback'; requester: string; approvers: People };
    }
  /** `/deploy <command>` is taken only in the service's channel. */
  | { code: 'wrong_channel'; params: { service: string; command: string; channel: string } }
  /** The event (an EventType) is not accepted in the deployment's state. */
  | { code: 'event_not_allowed'; params: { deployment: DeploymentRef; event: string } }
  /** An event type the state machine does not know (from deserialised job data). */
  | { code: 'unknown_event'; params: { type: string } }
  /** A failed deployment that cannot be rolled back, and why. */
  | {
      code: 'rollback_impossible';
      params: { deployment: DeploymentRef; why: 'rolled_back' | 'not_switched' | 'torn_down' };
    }
  /** Approve clicked after the approval prompt expired (fail closed). */
  | { code: 'approval_closed'; params: { deployment: DeploymentRef } }
  /** A deadline event that came early: it is due in `inMs`. */
  | {
      code: 'not_due';
      params: { deployment: DeploymentRef; what: 'approval_expiry' | 'teardown'; inMs: number };
    }
  /** A configured duration that is not a positive number of milliseconds. */
  | { code: 'invalid_duration'; params: { what: 'approval_timeout' | 'verify_window'; got: number } }
  /** One extension must be positive and at most `maxMs`. */
  | { code: 'extend_out_of_range'; params: { maxMs: number } }
  /** The whole soak may last at most `maxMs`; `roomMs` is what is left to extend by. */
  | { code: 'soak_cap'; params: { maxMs: number; roomMs: number } }
  /** No deployment record with this id. */
  | { code: 'deployment_missing'; params: { id: string } }
  /** The service is locked by another deployment (`holder`). */
  | { code: 'service_busy'; params: { service: string; holder: string } };

export type Reason = DeploymentReason | RefusalReason;
export type ReasonCode = Reason['code'];
export type ReasonOf<C extends ReasonCode> = Extract<Reason, { code: C }>;

/** `reason('cancelled', { user })`: a reason with its parameters checked against its code. */
export function reason<C extends ReasonCode>(code: C, params: ReasonOf<C>['params']): ReasonOf<C> {
  return { code, params } as ReasonOf<C>;
}

/** The parts of a deployment a refusal names. */
export function deploymentRef(d: DeploymentRef): DeploymentRef {
  return { service: d.service, fromSlot: d.fromSlot, toSlot: d.toSlot, state: d.state };
}
