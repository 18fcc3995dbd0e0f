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

/** HTTP status AWS uses for an error code (injected failures included). */
export function statusOf(code: string): number {
  if (code === 'InternalFailure' || code === 'InternalError') return 500;
  if (code === 'ServiceUnavailable') return 503;
  return 400;
}
