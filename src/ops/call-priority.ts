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

const current = new AsyncLocalStorage<{ priority: CallPriority; job?: string }>();

/** Runs `fn` with its AWS calls made at `priority` (for the same job as the caller's). */
export function withCallPriority<T>(priority: CallPriority, fn: () => T): T {
  const job = current.getStore()?.job;
  return current.run(job === undefined ? { priority } : { priority, job }, fn);
}

/** Runs a job: its AWS calls are made at the job's priority, and name the job (logs, benchmarks). */
export function runJobCalls<T>(job: string, fn: () => T): T {
  return current.run({ priority: jobCallPriority(job), job }, fn);
}

/** The priority of the work this call is made for (`background` outside any job). */
export function callPriority(): CallPriority {
  return current.getStore()?.priority ?? 'background';
}

/** The job this call is made for (undefined outside any job). */
export function callJob(): string | undefined {
  return current.getStore()?.job;
}

/** A job's priority by its name. */
export function jobCallPriority(job: string): CallPriority {
  if (job === 'rollback') return 'rollback';
  if (job === 'cutover') return 'switch';
  return job === 'precheck' ? 'precheck' : 'background';
}
