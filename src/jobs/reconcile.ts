/**
 * Level-triggered safety net: for every active deployment, make sure the job its state needs is
 * in the queue. Adding a job whose id exists is a no-op, so this is safe to run any time (worker
 * start, then periodically). It repairs the window where a process died between writing a
 * transition and enqueueing its job; a needed job that failed for good is retried (a few times,
 * one reconcile apart) and then recorded as its state's failure event — so no deployment stays
 * stuck holding its service, whether or not the worker that saw the failure lived to record it.
 * A cutover whose switch started long ago and never finished is reported as failed (touched:
 * Rollback stays possible), never silently resumed hours later.
 */

import type { JobContext } from '../app/context.js';
import { afterCutoverOwed } from '../domain/after-cutover.js';
import { type Deployment, isTerminal } from '../domain/deployment.js';
import { formatDuration } from '../domain/duration.js';
import { type JobName, nextOnGrid } from '../domain/job-ids.js';
import { STALE_SWITCH_MS } from '../domain/limits.js';
import { nextPollAt } from '../domain/traffic/periods.js';
import {
  NOTIFICATION_HOOKS,
  NOTIFICATION_JOB,
  type NotificationHook,
  notificationOwed,
} from '../hooks/notification-hooks.js';
import { giveUp } from './give-up.js';
import { scheduleWatch } from './watch-job.js';

/** Retries of a job that failed for good before its failure is recorded. */
export const MAX_REPAIRS = 3;

/** Enqueues the job (a no-op when it exists); repairs it when it failed for good. */
async function need(ctx: JobContext, d: Deployment, job: JobName, at?: number): Promise<void> {
  await ctx.scheduler.enqueue(job, d.id, at);
  const repaired = await ctx.scheduler.repair(job, d.id, at, MAX_REPAIRS);
  if (repaired.status === 'retried')
    ctx.log.warn({ deployment: d.id, job }, 'reconcile retried a failed job');
  if (repaired.status === 'exhausted') {
    await giveUp(ctx, job, d.id, `${repaired.reason} (still failing after ${MAX_REPAIRS} more tries)`);
  }
}

export async function ensureJobsFor(ctx: JobContext, d: Deployment): Promise<void> {
  const s = { enqueue: (job: JobName, _id: string, at?: number) => need(ctx, d, job, at) };
  if (
    d.state === 'cutting_over' &&
    d.switchStartedAt !== undefined &&
    ctx.clock.now() - d.switchStartedAt > STALE_SWITCH_MS
  ) {
    const ago = formatDuration(ctx.clock.now() - d.switchStartedAt);
    await giveUp(
      ctx,
      'cutover',
      d.id,
      `its switch started ${ago} ago and never finished; it is not resumed this late`,
    );
    return;
  }
  const svc = ctx.config.services[d.service];
  if (svc && afterCutoverOwed(d, Boolean(svc.hooks?.afterCutover))) await need(ctx, d, 'after-cutover');
  switch (d.state) {
    case 'requested':
      return s.enqueue('precheck', d.id);
    case 'prechecking':
      // Waiting for health checks: the next poll on its grid (the untimed job may be long done).
      if (d.healthWait)
        return s.enqueue('precheck', d.id, nextOnGrid(d.healthWait.since, ctx.healthPollMs, ctx.clock.now()));
      return s.enqueue('precheck', d.id);
    case 'awaiting_approval':
      if (d.approvalExpiresAt !== undefined) await s.enqueue('approval-expiry', d.id, d.approvalExpiresAt);
      return;
    case 'cutting_over':
      return s.enqueue('cutover', d.id);
    case 'verifying': {
      // The next poll on the verification grid (the first one, untimed, may be long gone).
      if (!svc) return s.enqueue('verify', d.id);
      return s.enqueue('verify', d.id, nextPollAt(svc.traffic.pollIntervalMs, ctx.clock.now()));
    }
    case 'soaking':
      if (d.remindAt !== undefined && !d.messages.posted.includes(`remind-${d.teardownAt}`)) {
        await s.enqueue('remind', d.id, d.remindAt);
      }
      if (d.teardownAt !== undefined) await s.enqueue('teardown', d.id, d.teardownAt);
      return scheduleWatch(ctx, d);
    case 'tearing_down': {
      // Waiting for the drain or the scale-down: the next poll on that step's grid.
      const step = d.teardown?.scale ?? d.teardown?.drain;
      if (step) {
        const every = d.teardown?.scale ? ctx.computePollMs : ctx.drainPollMs;
        return s.enqueue('teardown', d.id, nextOnGrid(step.startedAt, every, ctx.clock.now()));
      }
      // Same id as the job that started it: the due teardown (at teardownAt) or "Tear down now".
      return s.enqueue('teardown', d.id, lastEvent(d, 'teardown_now') ? d.teardownStartedAt : d.teardownAt);
    }
    case 'rolling_back':
      return s.enqueue('rollback', d.id, lastEvent(d, 'rollback')?.at);
    default:
      return;
  }
}

/** The latest history entry, when it is of this event type. */
function lastEvent(d: Deployment, event: string) {
  const last = d.history.findLast(
    (h) => h.event === 'teardown_now' || h.event === 'teardown_due' || h.event === 'rollback',
  );
  return last?.event === event ? last : undefined;
}

/** A deployment that ended this long ago or less may still owe a hook. */
export const OWED_HOOK_WINDOW_MS = 24 * 3_600_000;

/** The hooks an ended deployment may still owe: each with the job that pays it and when it is owed. */
const OWABLE_HOOKS: readonly {
  hook: 'afterCutover' | NotificationHook;
  job: JobName;
  owed: (d: Deployment, configured: boolean) => boolean;
}[] = [
  { hook: 'afterCutover', job: 'after-cutover', owed: afterCutoverOwed },
  ...NOTIFICATION_HOOKS.map((hook) => ({
    hook,
    job: NOTIFICATION_JOB[hook],
    owed: (d: Deployment, configured: boolean) => notificationOwed(hook, d, configured),
  })),
];

/** The jobs of the hooks `d` still owes (of those its service configures). */
function owedHookJobs(ctx: JobContext, d: Deployment): JobName[] {
  const hooks = ctx.config.services[d.service]?.hooks;
  if (!hooks) return [];
  return OWABLE_HOOKS.filter(({ hook, owed }) => owed(d, Boolean(hooks[hook]))).map(({ job }) => job);
}

/**
 * Ended deployments (the newest few per service) that owe a hook: afterCutover, or a notification
 * (afterRollback, verificationFailed) whose job was lost (a crash before its enqueue, a Redis loss).
 */
async function endedOwingHooks(ctx: JobContext): Promise<Deployment[]> {
  const withHooks = Object.values(ctx.config.services).filter((svc) =>
    OWABLE_HOOKS.some(({ hook }) => svc.hooks?.[hook]),
  );
  const recent = await Promise.all(withHooks.map((svc) => ctx.store.listByService(svc.name, 3)));
  const since = ctx.clock.now() - OWED_HOOK_WINDOW_MS;
  return recent
    .flat()
    .filter(
      (d) => isTerminal(d.state) && (d.finishedAt ?? d.updatedAt) >= since && owedHookJobs(ctx, d).length > 0,
    );
}

export async function reconcileAll(ctx: JobContext): Promise<number> {
  const active = await ctx.store.listActive();
  for (const d of active) {
    try {
      await ensureJobsFor(ctx, d);
    } catch (err) {
      ctx.log.warn({ err, deployment: d.id }, 'reconcile could not enqueue a job');
    }
  }
  const owing = await endedOwingHooks(ctx).catch((err: unknown) => {
    ctx.log.warn({ err }, 'reconcile could not read ended deployments owing a hook');
    return [];
  });
  for (const d of owing) {
    // `need` also brings back a job that failed for good, as for every other job.
    for (const job of owedHookJobs(ctx, d)) {
      await need(ctx, d, job).catch((err: unknown) =>
        ctx.log.warn({ err, deployment: d.id, job }, 'reconcile could not enqueue an owed hook'),
      );
    }
  }
  return active.length;
}
