/**
 * Which work an AWS call is made for, carried through async calls (AsyncLocalStorage): the worker
 * runs each job under its priority, and the client-side rate limiter (src/aws/rate-limit.ts)
 * serves waiting calls in that order. A rollback first — it is what someone clicks when
 * production hurts, and it must not queue behind a release train's cutovers — then a cutover,
 * then a precheck, then everything else (verification polls, scans, teardown polls).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export const CALL_PRIORITIES = ['rollback', 'switch', 'precheck', 'background'] as const;
export type CallPriority = (typeof CALL_PRIORITIES)[number];

const current = new AsyncLocalStorage<CallPriority>();

/** Runs `fn` with its AWS calls made at `priority`. */
export function withCallPriority<T>(priority: CallPriority, fn: () => T): T {
  return current.run(priority, fn);
}

/** The priority of the work this call is made for (`background` outside any job). */
export function callPriority(): CallPriority {
  return current.getStore() ?? 'background';
}

/** A job's priority by its name. */
export function jobCallPriority(job: string): CallPriority {
  if (job === 'rollback') return 'rollback';
  if (job === 'cutover') return 'switch';
  return job === 'precheck' ? 'precheck' : 'background';
}
