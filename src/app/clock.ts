/** The clock of the use cases. */

/** Time for the jobs (injectable: tests and the sandbox move it). Jobs never sleep: a wait is a delayed job. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
