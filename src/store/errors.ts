/** Errors raised by the store. Each carries a stable `code` callers can switch on. */

/** A stored record is not valid JSON or does not match the deployment schema. */
export class CorruptRecordError extends Error {
  readonly code = 'STORE_CORRUPT_RECORD';
  constructor(
    readonly key: string,
    readonly problems: string[],
  ) {
    super(`corrupt record at ${key}: ${problems.join('; ')}`);
    this.name = 'CorruptRecordError';
  }
}

/** Optimistic concurrency gave up: the record kept changing under us. */
export class StoreConflictError extends Error {
  readonly code = 'STORE_CONFLICT';
  constructor(
    readonly id: string,
    readonly attempts: number,
  ) {
    super(`deployment ${id} kept changing concurrently; gave up after ${attempts} attempts`);
    this.name = 'StoreConflictError';
  }
}

/** A caller asked for something the store's invariants forbid (a programming error). */
export class StoreMisuseError extends Error {
  readonly code = 'STORE_MISUSE';
  constructor(message: string) {
    super(message);
    this.name = 'StoreMisuseError';
  }
}
