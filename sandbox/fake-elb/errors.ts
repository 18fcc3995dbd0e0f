import { failureStatus } from '../failure-injection.js';

/** An AWS-shaped failure of the fake: sent as `<ErrorResponse>` with its code and HTTP status. */
export class FakeElbError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'FakeElbError';
  }

  /** `Sender` for the caller's mistakes (4xx), `Receiver` for the service's (5xx). */
  get type(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

/** HTTP status ELBv2 uses for an error code (injected failures included). */
export const statusOf = (code: string): number => failureStatus(code, ['InternalFailure', 'InternalError']);
