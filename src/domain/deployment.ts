/**
 * The deployment record: the single source of truth for one `/deploy` request.
 * Plain data (JSON-serialisable), stored in Redis, changed only through `transition()`.
 */

import type { ScaleDownReport } from './evidence.js';
import type { HealthWait } from './health-wait.js';
import type { LbBaseline } from './lb-errors.js';
import type { DeploymentReason } from './reasons.js';
import type { TeardownReport } from './reports.js';
import type { SlotVersion } from './slot-version.js';
import type { State } from './states.js';

/** A state in words for people: `awaiting approval`, `rolled back`. */
export const STATE_LABEL: Record<State, string> = {
  requested: 'requested',
  prechecking: 'prechecking',
  awaiting_approval: 'awaiting approval',
  cutting_over: 'cutting over',
  verifying: 'verifying',
  soaking: 'soaking',
  tearing_down: 'tearing down',
  done: 'done',
  blocked: 'blocked',
  cancelled: 'cancelled',
  expired: 'expired',
  failed: 'failed',
  rolling_back: 'rolling back',
  rolled_back: 'rolled back',
};

/** States in which the deployment is over and the service lock is released. */
export const TERMINAL_STATES: readonly State[] = [
  'done',
  'blocked',
  'cancelled',
  'expired',
  'failed',
  'rolled_back',
];

export function isTerminal(state: State): boolean {
  return TERMINAL_STATES.includes(state);
}

export interface HistoryEntry {
  at: number;
  event: string;
  from: State;
  to: State;
  by?: string;
  /**
   * Plain words (`live slot: blue`, `+1d`). Entries written before reasons were data hold the
   * reason here, as text.
   */
  detail?: string;
  /** The reason the event carried (cancelled by, failure, …), rendered by src/messages/reasons.ts. */
  reason?: DeploymentReason;
}

/**
 * One line of a service's audit trail (what `/deploy history` shows): a history entry with the
 * deployment it belongs to. `from`/`to` are plain strings: the `created` entry's `from` is '', and
 * entries read back from Redis are only checked to be strings.
 */
export interface AuditEntry {
  at: number;
  deploymentId: string;
  event: string;
  from: string;
  to: string;
  by?: string;
  detail?: string;
  reason?: DeploymentReason;
}

export interface CutoverTiming {
  startedAt: number;
  finishedAt: number;
  /** Milliseconds spent inside AWS API calls (the rest is our overhead). */
  awsMs: number;
  /** Number of listener/rule action lists rewritten. */
  changed: number;
  /**
   * The forward sites rewritten (`forwardSiteKey`): what a rollback locks first, without reading
   * the load balancer to find out (it reads under the lock, and locks again by a fresh plan if the
   * forwards changed since). Absent on records written before it was kept.
   */
  sites?: string[];
}

/** Slack message timestamps the bot owns for this deployment (edited in place). */
export interface MessageRefs {
  /** The status card in the service's channel; the thread parent for everything else. */
  card?: string;
  /** The approval prompt (thread reply) carrying Approve / Cancel. */
  prompt?: string;
  /** The teardown reminder posted in the channel itself. */
  reminder?: string;
  /** The traffic evidence table (thread reply), edited in place as periods arrive. */
  traffic?: string;
  /** Fingerprint of what the traffic message shows now (it is edited only when that changes). */
  trafficShown?: string;
  /** The precheck's health-check progress (thread reply), edited in place while it waits. */
  health?: string;
  /** What the health progress message shows now (edited only when that changes). */
  healthShown?: string;
  /** Keys of one-shot thread messages already posted (idempotent re-runs post nothing twice). */
  posted: string[];
}

/**
 * How far a teardown got, so that each step runs once and the waits are delayed polls (the job
 * never sleeps): the drain (targets deregistered, until they left or the bound), then the compute
 * scale-down (asked, until nothing is left or `computeTimeout`).
 */
export interface TeardownProgress {
  /** The beforeTeardown hook answered 2xx (or there is none). */
  hookDone?: boolean;
  drain?: { startedAt: number; until: number; leaving: string[]; deregistered: number };
  scale?: { startedAt: number; until: number; report: ScaleDownReport };
}

export interface Deployment {
  /** `<service>-<yyyymmddhhmmss>-<4 hex>`: safe as part of a BullMQ job id (no `:`). */
  id: string;
  service: string;
  channel: string;
  /** Slack user id of the person who typed `/deploy`. */
  requester: string;
  /**
   * Why the requester asked (`/deploy checkout green <reason…>`, or the modal's reason), as typed:
   * shown to approvers and kept in the audit. Not `reason`, which says why a deployment ended.
   */
  requestReason?: string;
  /** Slot that was live when the precheck read the ALB (null until the precheck ran). */
  fromSlot: string | null;
  toSlot: string;
  state: State;
  /** Incremented on every transition; used for optimistic concurrency in the store. */
  version: number;
  createdAt: number;
  updatedAt: number;
  approvalExpiresAt?: number;
  /** Set while the precheck waits for the target slot's health checks (after attaching it). */
  healthWait?: HealthWait;
  approvedBy?: string;
  /** What ran on each slot when the precheck read them (src/domain/slot-version.ts). */
  slotVersions?: Record<string, SlotVersion>;
  /**
   * Why the deployment ended blocked/failed/cancelled/expired, or why it was rolled back: a code
   * and its parameters (src/domain/reasons.ts), rendered for people by src/messages/reasons.ts.
   */
  reason?: DeploymentReason;
  cutover?: CutoverTiming;
  /** Set just before the first Modify call of the cutover: from then on the ALB may be touched. */
  switchStartedAt?: number;
  rollback?: CutoverTiming;
  soakMs: number;
  remindBeforeMs: number;
  verifyEndsAt?: number;
  soakStartedAt?: number;
  teardownAt?: number;
  /** Teardown reminder time: teardownAt - remindBeforeMs (never before the soak start). */
  remindAt?: number;
  teardownStartedAt?: number;
  finishedAt?: number;
  /** What the teardown scaled down, with the previous sizes (shown by a later deploy). */
  scaleDown?: ScaleDownReport;
  /** How the old slot's targets drained at teardown. */
  drain?: TeardownReport;
  /** The teardown's steps so far (while tearing down). */
  teardown?: TeardownProgress;
  /** Priority of the old slot's preview rule deleted at teardown (detached); null: it had none. */
  detached?: number | null;
  /** Why the old slot's preview rule could not be deleted at teardown (it is still attached). */
  detachError?: string;
  /** The load balancer's own 5xx per period before the switch (the soak's gates judge the excess). */
  lbBaseline?: LbBaseline;
  messages: MessageRefs;
  history: HistoryEntry[];
}

/**
 * Of a service's deployments (newest first), the newest that moved (or may have moved) traffic:
 * the one a Rollback acts on. A later deployment that never reached the switch (blocked,
 * cancelled, expired, or waiting for approval) leaves the load balancer as that one left it.
 */
export function lastToMoveTraffic(newestFirst: readonly Deployment[]): Deployment | undefined {
  return newestFirst.find((d) => d.switchStartedAt !== undefined || d.cutover !== undefined);
}
