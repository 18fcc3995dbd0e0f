/**
 * Coded errors, in one place (bolt-js convention). A job that throws `PermanentJobError` is not
 * retried (it becomes a BullMQ UnrecoverableError); anything else is retried with backoff.
 */

export type ErrorCode = 'GL_DEPLOYMENT_NOT_FOUND' | 'GL_SERVICE_NOT_CONFIGURED';

export class GreenlightError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'GreenlightError';
  }
}

/** A failure that retrying cannot fix (bad job data, a deployment or service that no longer exists). */
export class PermanentJobError extends GreenlightError {
  override name = 'PermanentJobError';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A timed job that ran before its deadline by this worker's clock: retried, not completed. */
export class NotDueYetError extends Error {
  override name = 'NotDueYetError';
}
