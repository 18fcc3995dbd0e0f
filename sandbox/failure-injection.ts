/**
 * The failure queue every fake AWS service state shares: a test (or the sandbox) queues an AWS
 * error for the next call of an operation, and the fake's handler takes it when that call comes.
 */
import type { InjectedFailure } from './fake-elb/types.js';

/**
 * The HTTP status AWS answers an error code with (injected failures included): 500 for the
 * service's own server faults (`serverFaults`), 503 for ServiceUnavailable, 400 otherwise.
 */
export function failureStatus(code: string, serverFaults: readonly string[]): number {
  if (serverFaults.includes(code)) return 500;
  return code === 'ServiceUnavailable' ? 503 : 400;
}

export class FailureInjection {
  /** Queued failures, oldest first. */
  readonly failures: InjectedFailure[] = [];
  /** Queued hangs: the next call of the operation is answered only after this many ms. */
  readonly hangs: { operation: string; ms: number }[] = [];

  /** The next call of `operation` hangs for `ms` before it is handled (a slow or stuck AWS call). */
  hangNext(operation: string, ms: number): void {
    this.hangs.push({ operation, ms });
  }

  /** Removes and returns the oldest hang queued for `operation` (in ms), or 0. */
  takeHang(operation: string): number {
    const i = this.hangs.findIndex((h) => h.operation === operation);
    return i < 0 ? 0 : (this.hangs.splice(i, 1)[0]?.ms ?? 0);
  }

  /** The next call of `operation` fails with this AWS error code (queue several for several calls). */
  failNext(operation: string, code: string, message?: string): void {
    this.failures.push({ operation, code, message: message ?? `Injected ${code} failure for ${operation}` });
  }

  /** Removes and returns the oldest failure queued for `operation`. */
  takeFailure(operation: string): InjectedFailure | undefined {
    const i = this.failures.findIndex((f) => f.operation === operation);
    return i < 0 ? undefined : this.failures.splice(i, 1)[0];
  }
}
