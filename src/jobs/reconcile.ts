/**
 * Level-triggered safety net: for every active deployment, make sure the job its state needs is
 * in the queue. Adding a job whose id exists is a no-op, so this is safe to run any time (worker
 * start, then periodically). It repairs the window where a process died between writing a
 * transition and enqueueing its job.
 */
import type { Deployment } from '../domain/deployment.js';
import { nextOnGrid } from '../domain/job-ids.js';
import type { JobContext } from './job-context.js';
import { scheduleWatch } from './watch-job.js';

export async function ensureJobsFor(ctx: JobContext, d: Deployment): Promise<void> {
  const s = ctx.scheduler;
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
      const svc = ctx.config.services[d.service];
      const origin = d.cutover?.finishedAt ?? d.updatedAt;
      if (!svc) return s.enqueue('verify', d.id);
      return s.enqueue('verify', d.id, nextOnGrid(origin, svc.traffic.pollIntervalMs, ctx.clock.now()));
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

export async function reconcileAll(ctx: JobContext): Promise<number> {
  const active = await ctx.store.listActive();
  for (const d of active) {
    try {
      await ensureJobsFor(ctx, d);
    } catch (err) {
      ctx.log.warn({ err, deployment: d.id }, 'reconcile could not enqueue a job');
    }
  }
  return active.length;
}
