/**
 * Deterministic BullMQ job ids. The same (job, deployment, time) always gives the same id, so a
 * re-enqueue after a crash is deduplicated by BullMQ and a cancel can name the exact job. Pure.
 */

export const JOB_NAMES = [
  'precheck',
  'cutover',
  'verify',
  'rollback',
  'remind',
  'teardown',
  'approval-expiry',
  'sync',
  /** Health gates during the soak (only for services with gates). */
  'watch',
  /** One Slack message that could not be sent when its job ran, retried on its own. */
  'notify',
  /** After a break-glass unlock: read the load balancer and say in the thread what it looks like. */
  'inspect',
  /** The afterCutover hook the record says is owed (src/domain/after-cutover.ts). */
  'after-cutover',
  /** The afterRollback hook, once traffic is back on the previous slot (src/jobs/notification-hooks.ts). */
  'after-rollback',
  /** The verificationFailed hook, once verification failed (src/jobs/notification-hooks.ts). */
  'verification-failed',
  /** One transition for the events webhook, timed by its record version (src/jobs/event-delivery-job.ts). */
  'event',
] as const;
export type JobName = (typeof JOB_NAMES)[number];

/**
 * BullMQ ids must not contain `:` (docs/platform-facts.md, "BullMQ and Redis"). Deployment ids
 * never contain one, but an odd id is escaped rather than trusted: `%` → `%25`, `:` → `%3A`
 * (injective, so two different deployment ids never share a job id).
 */
function escapeIdPart(text: string): string {
  return text.replaceAll('%', '%25').replaceAll(':', '%3A');
}

/** `${job}-${deploymentId}`, or `${job}-${deploymentId}-${at}` for a job timed at `at` (epoch ms). */
export function jobId(job: JobName, deploymentId: string, at?: number): string {
  const base = `${job}-${escapeIdPart(deploymentId)}`;
  if (at === undefined) return base;
  if (!Number.isSafeInteger(at))
    throw new RangeError(`job time must be integer epoch milliseconds, got ${at}`);
  return `${base}-${at}`;
}

/** The first point of the grid `origin + k·step` strictly after `now`: deterministic poll times. */
export function nextOnGrid(origin: number, step: number, now: number): number {
  if (step <= 0) return now;
  const k = Math.max(1, Math.floor((now - origin) / step) + 1);
  return origin + k * step;
}
