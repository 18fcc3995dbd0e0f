/**
 * Every error class Greenlight throws, in one module, each with a stable `code` callers and logs
 * can switch on. Jobs: `PermanentJobError` is not retried (BullMQ UnrecoverableError); anything
 * else is retried with backoff (src/app/failures.ts classifies them once).
 */

export type ErrorCode =
  | 'GL_DEPLOYMENT_NOT_FOUND'
  | 'GL_SERVICE_NOT_CONFIGURED'
  | 'GL_NOT_DUE_YET'
  | 'GL_THREAD_NOT_YET'
  | 'GL_LISTENER_BUSY'
  | 'GL_LOCK_LOST'
  | 'GL_SWITCH_ABORTED'
  | 'GL_SLOT_NOT_READY'
  | 'GL_EVENT_NOT_DELIVERED'
  | 'STORE_CORRUPT_RECORD'
  | 'STORE_CONFLICT'
  | 'STORE_MISUSE';

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What every error of ours is: an Error with a stable code (AwsCallError carries AWS's instead). */
export abstract class GreenlightError extends Error {
  abstract readonly code: ErrorCode;
}

/** A failure that retrying cannot fix (bad job data, a deployment or service that no longer exists). */
export class PermanentJobError extends GreenlightError {
  override name = 'PermanentJobError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

// ── Jobs and their timing ─────────────────────────────────────────────────────────────────────

/** A timed job that ran before its deadline by this worker's clock: retried, not completed. */
export class NotDueYetError extends GreenlightError {
  readonly code: ErrorCode = 'GL_NOT_DUE_YET';
  override name = 'NotDueYetError';
}

/** A Slack message can wait: the thread it belongs in does not exist yet (src/jobs/outbox.ts). */
export class NotYetError extends GreenlightError {
  readonly code: ErrorCode = 'GL_THREAD_NOT_YET';
  override name = 'NotYetError';
}

/**
 * An event of the events webhook was not delivered and is tried again (src/jobs/event-delivery-job.ts).
 * `retryAfterMs`: how long the receiver asked to wait (`Retry-After` on a 429 or 503); the queue's
 * backoff honours it up to its cap (src/queue/event-jobs.ts).
 */
export class EventNotDeliveredError extends GreenlightError {
  readonly code: ErrorCode = 'GL_EVENT_NOT_DELIVERED';
  override name = 'EventNotDeliveredError';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

// ── The forward lock (src/store/forward-lock.ts) ──────────────────────────────────────────────

/**
 * A forward this deployment must write is not its to write now: another deployment holds its lock
 * (`held`), or the forwards changed since they were locked and the plan needs one more
 * (`plan-changed`). The job runs again shortly.
 */
export class ListenerBusyError extends GreenlightError {
  readonly code: ErrorCode = 'GL_LISTENER_BUSY';
  override name = 'ListenerBusyError';
  constructor(
    message: string,
    readonly why: 'held' | 'plan-changed' = 'held',
  ) {
    super(message);
  }
}

/**
 * The slot a switch was about to send traffic to turned out not fit for it (a health read made
 * alongside the switch's own reads): nothing was written. The message says why.
 */
export class SlotNotReadyError extends GreenlightError {
  readonly code: ErrorCode = 'GL_SLOT_NOT_READY';
  override name = 'SlotNotReadyError';
}

/** The lock changed hands (a newer run of the deployment, or it expired): stop writing. */
export class LockLostError extends GreenlightError {
  readonly code: ErrorCode = 'GL_LOCK_LOST';
  override name = 'LockLostError';
}

// ── AWS ───────────────────────────────────────────────────────────────────────────────────────

/** An AWS error surfaced by an adapter; `code` is AWS's own (`ListenerNotFound`, `Throttling`, …). */
export class AwsCallError extends Error {
  constructor(
    readonly operation: string,
    readonly code: string,
    message: string,
  ) {
    super(`${operation} failed: ${code}: ${message}`);
    this.name = 'AwsCallError';
  }
}

/**
 * The switch failed part-way. `touched`: a Modify call was made, so traffic may have moved;
 * `confirmedRestored`: every touched forward read back as it was before the switch.
 */
export class SwitchAbortedError extends GreenlightError {
  readonly code: ErrorCode = 'GL_SWITCH_ABORTED';
  override readonly cause: AwsCallError | Error;
  readonly touched: boolean;
  readonly touchedSites: string[];
  readonly unconfirmed: string[];
  readonly confirmedRestored: boolean;
  constructor(
    cause: AwsCallError | Error,
    readonly restored: number,
    readonly restoreFailures: string[],
    targetSlot: string,
    readBack: { touchedSites: readonly string[]; unconfirmed: readonly string[] },
  ) {
    const touched = readBack.touchedSites.length > 0;
    const confirmed = readBack.unconfirmed.length === 0;
    const failures =
      restoreFailures.length > 0 ? ` Switching back failed: ${restoreFailures.join('; ')}.` : '';
    const back = !touched
      ? 'no forward had been modified: the load balancer is in its previous state.'
      : confirmed
        ? `the ${readBack.touchedSites.length} forward(s) touched were switched back: the load balancer is back to its previous state (read back).`
        : `the load balancer may be partly switched: ${readBack.unconfirmed.join(', ')} (not read back as before); fix by hand.${failures}`;
    super(`Switch to ${targetSlot} aborted (${cause.message}); ${back}`, { cause });
    this.name = 'SwitchAbortedError';
    this.cause = cause;
    this.touched = touched;
    this.touchedSites = [...readBack.touchedSites];
    this.unconfirmed = [...readBack.unconfirmed];
    this.confirmedRestored = confirmed;
  }
}

// ── The store (src/store) ─────────────────────────────────────────────────────────────────────
/** A stored record is not valid JSON or does not match the deployment schema. */
export class CorruptRecordError extends GreenlightError {
  readonly code: ErrorCode = 'STORE_CORRUPT_RECORD';
  constructor(
    readonly key: string,
    readonly problems: string[],
  ) {
    super(`corrupt record at ${key}: ${problems.join('; ')}`);
    this.name = 'CorruptRecordError';
  }
}

/** Optimistic concurrency gave up: the record kept changing under us. */
export class StoreConflictError extends GreenlightError {
  readonly code: ErrorCode = 'STORE_CONFLICT';
  constructor(
    readonly id: string,
    readonly attempts: number,
  ) {
    super(`deployment ${id} kept changing concurrently; gave up after ${attempts} attempts`);
    this.name = 'StoreConflictError';
  }
}

/** A caller asked for something the store's invariants forbid (a programming error). */
export class StoreMisuseError extends GreenlightError {
  readonly code: ErrorCode = 'STORE_MISUSE';
  constructor(message: string) {
    super(message);
    this.name = 'StoreMisuseError';
  }
}
