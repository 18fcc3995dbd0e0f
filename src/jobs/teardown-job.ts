/**
 * Teardown at the end of the soak (or on "Tear down now"):
 * 1. make sure nothing routes to the old slot any more (someone may have pointed a rule back at
 *    it during the soak) — if something does, stop and say so;
 * 2. the optional `beforeTeardown` hook (e.g. drain the old slot's database pool);
 * 3. deregister the old slot's targets and wait until they have left (bounded by the
 *    deregistration delay), then delete its preview rule (detach it: AWS stops health-checking a
 *    slot that serves nothing; a later deploy to it attaches it again);
 * 4. scale its compute to zero (ECS service, Auto Scaling group or webhook), recording the
 *    previous size, and wait for it (bounded);
 * then record the outcome and post the summary from the record.
 * The job never sleeps: each wait (the drain, the scale-down) is a delayed teardown job on a grid,
 * and how far the teardown got is on the record (`teardown`), so a restart in any step resumes it
 * and a worker is never held by a drain. A teardown job scheduled for a deadline that Extend moved
 * does nothing.
 */

import { failedWith, type JobContext, loadDeployment, patchDeployment, serviceOf } from '../app/context.js';
import { mustRunAgain } from '../app/failures.js';
import { recordEvent } from '../app/record-event.js';
import { beginScaleDown, countRemaining, finishScaleDown, settledCount } from '../compute/scale-down.js';
import { soakCost } from '../domain/cost.js';
import type { Deployment, TeardownProgress } from '../domain/deployment.js';
import { offenderPlace } from '../domain/forwards.js';
import { nextOnGrid } from '../domain/job-ids.js';
import { reason } from '../domain/reasons.js';
import type { TeardownReport } from '../domain/reports.js';
import type { ServiceConfig } from '../domain/service.js';
import { errorMessage, NotDueYetError } from '../errors.js';
import { refusalMessage, renderReason, teardownMessage } from '../messages/index.js';
import { hookAnswer, runHook, scaleDownHook } from './hook-runner.js';
import { postOnce } from './outbox.js';

export async function runTeardown(
  ctx: JobContext,
  deploymentId: string,
  at: number | undefined,
): Promise<void> {
  let d = await loadDeployment(ctx, deploymentId);
  if (d.state === 'soaking') {
    if (at !== undefined && at !== d.teardownAt) return;
    const due = await recordEvent(ctx, d.id, { type: 'teardown_due' });
    if (!due.ok && due.code === 'not_due') throw new NotDueYetError(renderReason(due.reason));
    if (!due.ok) return;
    d = due.deployment;
  }
  let after = d; // a re-run: just report
  if (d.state === 'tearing_down') {
    await tearDown(ctx, d, serviceOf(ctx, d));
    after = await loadDeployment(ctx, deploymentId);
  }
  if (after.state === 'done' && after.drain) {
    const svc = serviceOf(ctx, after);
    const cost = soakCost(after, svc, after.finishedAt ?? ctx.clock.now());
    const extra = { ...(after.scaleDown ? { scaleDown: after.scaleDown } : {}), ...(cost ? { cost } : {}) };
    await postOnce(ctx, after, 'teardown', teardownMessage(after, after.drain, extra));
  } else if (failedWith(after, 'teardown_failed')) {
    await postOnce(
      ctx,
      after,
      'teardown-failed',
      refusalMessage(`⚠️ *Teardown stopped.* ${after.reason ? renderReason(after.reason) : ''}`),
    );
  }
}

async function tearDown(ctx: JobContext, d: Deployment, svc: ServiceConfig): Promise<void> {
  const old = d.fromSlot;
  const oldArn = old ? svc.slots[old] : undefined;
  if (!old || !oldArn) {
    await recordEvent(ctx, d.id, { type: 'teardown_done', detail: 'no previous slot to tear down' });
    return;
  }
  try {
    let progress = d.teardown ?? {};
    if (!progress.drain) {
      const refusal = await beforeDrain(ctx, d, svc, old, progress);
      if (refusal) {
        await recordEvent(ctx, d.id, {
          type: 'teardown_failed',
          reason: reason('stopped', { step: 'teardown', detail: refusal }),
        });
        return;
      }
      const started = await ctx.router.startDrain(svc, old);
      const now = ctx.clock.now();
      progress = {
        ...progress,
        hookDone: true,
        drain: {
          startedAt: now,
          until: now + started.boundMs,
          leaving: started.leaving,
          deregistered: started.deregistered,
        },
      };
      await saveProgress(ctx, d.id, progress);
    }
    if (!d.drain) {
      const drain = progress.drain as NonNullable<typeof progress.drain>;
      const remaining = await ctx.router.stillDraining(svc, old, drain.leaving);
      const now = ctx.clock.now();
      if (remaining > 0 && now < drain.until) return pollAgain(ctx, d, drain.startedAt, ctx.drainPollMs, now);
      await finishDrain(ctx, d, svc, old, {
        slot: old,
        deregistered: drain.deregistered,
        drainMs: now - drain.startedAt,
        timedOut: remaining > 0,
      });
    }
    const target = svc.compute[old];
    if (target && !d.scaleDown) {
      const deps = { ...ctx.computeFor(svc), webhook: scaleDownHook(ctx, svc) };
      let scale = progress.scale;
      if (!scale) {
        const begun = await beginScaleDown(target, deps, {
          deploymentId: d.id,
          service: d.service,
          slot: old,
        });
        const now = ctx.clock.now();
        if (begun.done) {
          await patchDeployment(ctx, d.id, (cur) => ({ ...cur, scaleDown: begun.report }));
          return finish(ctx, d.id);
        }
        scale = { startedAt: now, until: now + svc.computeTimeoutMs, report: begun.report };
        progress = { ...progress, scale };
        await saveProgress(ctx, d.id, progress);
      }
      const count = await countRemaining(target, deps);
      const now = ctx.clock.now();
      if (!settledCount(count) && now < scale.until)
        return pollAgain(ctx, d, scale.startedAt, ctx.computePollMs, now);
      const report = finishScaleDown(scale.report, count, now - scale.startedAt);
      await patchDeployment(ctx, d.id, (cur) => ({ ...cur, scaleDown: report }));
    }
    await finish(ctx, d.id);
  } catch (err) {
    if (mustRunAgain(err)) throw err;
    await recordEvent(ctx, d.id, {
      type: 'teardown_failed',
      reason: reason('failure', { step: 'teardown', detail: errorMessage(err) }),
    });
  }
}

/**
 * Before anything is deregistered: nothing may route to the old slot any more, and the
 * beforeTeardown hook (once) must agree. Returns why the teardown stops, or null.
 */
async function beforeDrain(
  ctx: JobContext,
  d: Deployment,
  svc: ServiceConfig,
  old: string,
  progress: TeardownProgress,
): Promise<string | null> {
  const still = await ctx.router.verify(svc, d.toSlot, old);
  if (still.offenders.length > 0) {
    const where = still.offenders.map(offenderPlace).join(', ');
    return `${old} still receives traffic from ${where}; it was not torn down. Point those forwards elsewhere, then tear it down by hand.`;
  }
  if (progress.hookDone) return null;
  const hook = await runHook(ctx, 'beforeTeardown', svc, d);
  if (hook && !hook.ok)
    return `The beforeTeardown hook ${hookAnswer(hook)}; ${old} was left running and registered.`;
  return null;
}

/** Drained: the report, then the old slot's preview rule goes (detached: AWS stops checking it). */
async function finishDrain(
  ctx: JobContext,
  d: Deployment,
  svc: ServiceConfig,
  old: string,
  drain: TeardownReport,
) {
  let detachError: string | undefined;
  const detached = await ctx.router.detachSlot(svc, old).catch((err: unknown) => {
    if (mustRunAgain(err)) throw err;
    // Not detached (e.g. DeleteRule not allowed): the slot stays health-checked; the teardown goes on.
    detachError = errorMessage(err);
    return undefined;
  });
  await patchDeployment(ctx, d.id, (cur) => ({
    ...cur,
    drain,
    ...(detached !== undefined ? { detached } : {}),
    ...(detachError !== undefined ? { detachError } : {}),
  }));
}

async function saveProgress(ctx: JobContext, id: string, teardown: TeardownProgress): Promise<void> {
  await patchDeployment(ctx, id, (cur) => (cur.state === 'tearing_down' ? { ...cur, teardown } : null));
}

/** The next look at the drain or the scale-down: a delayed job on a grid from the step's start. */
async function pollAgain(ctx: JobContext, d: Deployment, origin: number, everyMs: number, now: number) {
  await ctx.scheduler.enqueue('teardown', d.id, nextOnGrid(origin, everyMs, now));
}

async function finish(ctx: JobContext, id: string): Promise<void> {
  const d = await loadDeployment(ctx, id);
  const drain = d.drain;
  const detail = drain
    ? `${drain.deregistered} target(s) deregistered, drained in ${Math.round(drain.drainMs / 1000)}s`
    : undefined;
  await recordEvent(ctx, id, { type: 'teardown_done', ...(detail ? { detail } : {}) });
}
