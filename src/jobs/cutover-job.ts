/**
 * Cutover. Level-triggered: it first re-reads the live slot, so a re-run after a crash or a
 * failed Slack call finishes (or reports) the switch instead of re-checking a precondition that
 * no longer applies. The ALB work and the state transition come first; the thread message is
 * posted afterwards from the record, so a Slack outage cannot strand the deployment.
 */

import {
  failedWith,
  type JobContext,
  loadDeployment,
  markPosted,
  patchDeployment,
  serviceOf,
} from '../app/context.js';
import { classifyFailure, mustRunAgain, runStep } from '../app/failures.js';
import type { TrafficRouter } from '../app/ports/traffic-router.js';
import { type EventOutcome, recordEvent } from '../app/record-event.js';
import { afterCutoverOwed, BEFORE_CUTOVER_CALLED, BEFORE_CUTOVER_PASSED } from '../domain/after-cutover.js';
import type { CutoverTiming, Deployment } from '../domain/deployment.js';
import { formatDuration } from '../domain/duration.js';
import { forwardSiteKey } from '../domain/forwards.js';
import { STALE_SWITCH_MS } from '../domain/limits.js';
import { reason } from '../domain/reasons.js';
import type { SwitchReport } from '../domain/reports.js';
import type { ServiceConfig } from '../domain/service.js';
import { errorMessage, SwitchAbortedError } from '../errors.js';
import { cutoverFailedMessage, cutoverMessage } from '../messages/index.js';
import { reportDrift } from './drift.js';
import { hookAnswer, runHook } from './hook-runner.js';
import { postOnce } from './outbox.js';
import { writeGuard } from './write-guard.js';

export async function runCutover(ctx: JobContext, deploymentId: string): Promise<void> {
  const d = await loadDeployment(ctx, deploymentId);
  if (d.state !== 'cutting_over') return reportCutover(ctx, d, undefined); // a re-run: just report
  const report = await switchTraffic(ctx, d, serviceOf(ctx, d));
  await reportCutover(ctx, await loadDeployment(ctx, deploymentId), report);
}

/** The preview rules of every slot; a failure that will not pass by itself says what it means. */
async function attachAll(router: TrafficRouter, svc: ServiceConfig): Promise<void> {
  const created = await runStep(() => router.attachSlots(svc));
  if (!created.ok) {
    throw new Error(
      `could not keep every slot health-checked: creating a preview rule failed (${created.message}); nothing was changed on the load balancer`,
    );
  }
}

/** Why the target slot may not receive traffic now, or null when it may. */
async function unhealthyReason(
  router: TrafficRouter,
  d: Deployment,
  svc: ServiceConfig,
): Promise<string | null> {
  if (svc.slots[d.toSlot] === undefined) return `slot ${d.toSlot} is no longer configured`;
  const health = (await router.slotHealth(svc, d.toSlot)).targets;
  const unhealthy = health.filter((t) => t.state !== 'healthy');
  if (unhealthy.length > 0) {
    const names = unhealthy.map((t) => `${t.id}${t.port ? `:${t.port}` : ''} ${t.state}`).join(', ');
    return `${d.toSlot} is no longer healthy (${names}); nothing was changed on the load balancer.`;
  }
  if (health.length < svc.minHealthyTargets) {
    return `${d.toSlot} has ${health.length} registered targets, fewer than ${svc.minHealthyTargets}; nothing was changed.`;
  }
  return null;
}

async function switchTraffic(
  ctx: JobContext,
  d: Deployment,
  svc: ServiceConfig,
): Promise<SwitchReport | undefined> {
  const startedAt = ctx.clock.now();
  const timed = ctx.router.timed();
  const timing = (): CutoverTiming => ({
    startedAt,
    finishedAt: ctx.clock.now(),
    awsMs: Math.round(timed.awsMs()),
    changed: 0,
  });
  // A previous attempt that reached the switch (marked on the record just before the first
  // Modify call) may have changed some or all forwards: then finish the switch — it passed the
  // health check and the hook before touching anything. The live slot alone cannot tell: a
  // deployment may start from split traffic.
  const untouched = d.switchStartedAt === undefined;
  // Approved long ago and still not switching (its forwards locked by others all that time, workers down):
  // traffic must not move hours after the approver said yes. Nothing was touched.
  const approvedAt = d.history.findLast((h) => h.event === 'approve')?.at;
  if (untouched && approvedAt !== undefined && ctx.clock.now() - approvedAt > STALE_SWITCH_MS) {
    await recordEvent(ctx, d.id, {
      type: 'cutover_failed',
      reason: reason('stopped', {
        step: 'cutover',
        detail: `The cutover could not start within ${formatDuration(STALE_SWITCH_MS)} of the approval (the listeners were busy or no worker ran it); nothing was changed on the load balancer. Deploy again when ready.`,
      }),
    });
    return undefined;
  }
  if (untouched) {
    const unhealthy = await unhealthyReason(timed.router, d, svc);
    if (unhealthy) {
      await recordEvent(ctx, d.id, {
        type: 'cutover_failed',
        reason: reason('stopped', { step: 'cutover', detail: unhealthy }),
      });
      return undefined;
    }
    // Marked before the call: from here the service may have frozen itself, so afterCutover is owed.
    // A re-run (forwards locked by another deployment, a crash before the switch) does not freeze the service again.
    const passed = d.messages.posted.includes(BEFORE_CUTOVER_PASSED);
    if (svc.hooks?.beforeCutover && !passed) await markPosted(ctx, d.id, BEFORE_CUTOVER_CALLED);
    const hook = passed ? null : await runHook(ctx, 'beforeCutover', svc, d);
    if (hook?.ok) await markPosted(ctx, d.id, BEFORE_CUTOVER_PASSED);
    if (hook && !hook.ok) {
      const answer = hookAnswer(hook);
      const failed = await recordEvent(ctx, d.id, {
        type: 'cutover_failed',
        reason: reason('stopped', {
          step: 'cutover',
          detail: `The beforeCutover hook ${answer}: cutover aborted, nothing was changed on the load balancer.`,
        }),
      });
      // A hook that timed out or failed may still have frozen the service: let it thaw.
      await attemptEnded(ctx, svc, failed);
      return undefined;
    }
  }
  // Recorded under the forward lock, right before the first Modify call: from then on the load
  // balancer may be touched, so a re-run finishes the switch instead of re-checking (an error
  // before that point leaves the deployment untouched, and the retry re-checks health and hook).
  const markSwitchStarted = async () => {
    await patchDeployment(ctx, d.id, (cur) =>
      cur.switchStartedAt === undefined ? { ...cur, switchStartedAt: ctx.clock.now() } : null,
    );
  };
  let report: SwitchReport;
  try {
    // Every slot keeps its preview rule, so the old slot stays health-checked (and Rollback can
    // judge it) once production stops naming it. The precheck created them; one deleted since is
    // created again here, before anything production sees changes — and outside the forward
    // lock: creating a rule changes no production forward (a raced priority is retried), so the
    // lock is held only for the switch itself, which other services on the listener wait for.
    // Locked: what this switch rewrites (its forward sites), read alongside (preview rules are
    // never among them); the switch reads again under the lock and writes nothing if it would
    // now need another site.
    const [, sites] = await Promise.all([
      attachAll(timed.router, svc),
      timed.router.sitesToRewrite(svc, d.toSlot),
    ]);
    report = await ctx.forwardLock.withSites(sites, d.id, async (fence) => {
      const guard = writeGuard(ctx, fence, d);
      await guard();
      return timed.router.switchTo(svc, d.toSlot, {
        beforeFirstModify: markSwitchStarted,
        beforeEachWrite: guard,
        lockedSites: sites,
      });
    });
  } catch (err) {
    // Another service is switching (busy), or a transient failure left the load balancer as it was
    // (nothing modified, or put back and read back): the queue runs the switch again.
    if (mustRunAgain(err)) throw err;
    if (classifyFailure(err) === 'lock-lost') {
      ctx.log.warn(
        { deployment: d.id, err: errorMessage(err) },
        'cutover stopped: this run no longer owns the switch',
      );
      // Still cutting over: the lock expired under us (a Redis blip) or a newer run of this
      // deployment is at work — run again (a completed job would never be re-run by reconcile).
      if ((await ctx.store.get(d.id))?.state === 'cutting_over') throw err;
      // Moved on (a person, a newer run): it finished or reported the switch; say what AWS shows.
      await reportDrift(ctx, d.id, svc);
      return undefined;
    }
    if (err instanceof SwitchAbortedError) {
      const touched = !untouched || !err.confirmedRestored;
      const failed = await recordEvent(ctx, d.id, {
        type: 'cutover_failed',
        reason: reason('stopped', { step: 'cutover', detail: err.message }),
        ...(touched ? { touched: timing() } : {}),
      });
      await attemptEnded(ctx, svc, failed);
      return undefined;
    }
    const failed = await recordEvent(ctx, d.id, {
      type: 'cutover_failed',
      reason: reason('failure', { step: 'cutover', detail: errorMessage(err) }),
      ...(untouched ? {} : { touched: timing() }),
    });
    await attemptEnded(ctx, svc, failed);
    return undefined;
  }
  const done = {
    ...timing(),
    changed: report.changed.length,
    sites: [...new Set(report.changed.map(forwardSiteKey))],
  };
  const totalMs = done.finishedAt - startedAt;
  const moved = await recordEvent(ctx, d.id, {
    type: 'cutover_succeeded',
    timing: done,
    verifyWindowMs: svc.verifyWindowMs,
  });
  if (moved.ok) ctx.metrics.observeCutover(d.service, totalMs / 1000);
  await attemptEnded(ctx, svc, moved);
  return { ...report, awsMs: done.awsMs, totalMs };
}

/**
 * `afterCutover` is owed when the attempt ends, switched or not: a service that froze itself in
 * `beforeCutover` must hear that it can thaw. It is paid by its own job (`after-cutover-job.ts`),
 * which reconcile re-enqueues while the record still owes it, so a crash here cannot lose it. The
 * payload's `switched` says how far the load balancer got: `all`, `none`, or `partial_or_unknown`
 * (a restore that was not confirmed — old and new code may both be serving).
 */
export async function attemptEnded(ctx: JobContext, svc: ServiceConfig, outcome: EventOutcome) {
  if (outcome.ok && afterCutoverOwed(outcome.deployment, Boolean(svc.hooks?.afterCutover))) {
    await ctx.scheduler.enqueue('after-cutover', outcome.deployment.id);
  }
}

/** Posts the outcome once: the switch (from this run's report, else from the record) or the failure. */
async function reportCutover(
  ctx: JobContext,
  d: Deployment,
  report: SwitchReport | undefined,
): Promise<void> {
  if (d.cutover && d.state !== 'failed') {
    const fromRecord: SwitchReport = {
      changed: [],
      awsMs: d.cutover.awsMs,
      totalMs: d.cutover.finishedAt - d.cutover.startedAt,
    };
    await postOnce(ctx, d, 'cutover', cutoverMessage(d, report ?? fromRecord));
  } else if (failedWith(d, 'cutover_failed')) {
    await postOnce(ctx, d, 'cutover-failed', cutoverFailedMessage(d));
  }
}
