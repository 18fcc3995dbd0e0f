/**
 * Rollback: one routing change back to the slot that was live before, read back and verified.
 * The pending reminder and teardown were removed by the transition's effects. The slot switched
 * back to must be healthy — a stale Rollback must never send traffic to a slot that was torn
 * down since. Level-triggered like the cutover: the ALB work and the transition come first, then
 * the afterRollback hook's job is enqueued (src/jobs/notification-hooks.ts; a re-run enqueues it
 * again, as the same job; a queue error there is logged, and reconcile enqueues it), the thread
 * message last.
 */

import { failedWith, type JobContext, loadDeployment, serviceOf } from '../app/context.js';
import { classifyFailure, mustRunAgain } from '../app/failures.js';
import type { TrafficRouter } from '../app/ports/traffic-router.js';
import { recordEvent } from '../app/record-event.js';
import type { Deployment } from '../domain/deployment.js';
import { formatDuration } from '../domain/duration.js';
import { offenderPlace } from '../domain/forwards.js';
import { reason } from '../domain/reasons.js';
import type { VerificationReport } from '../domain/reports.js';
import type { ServiceConfig } from '../domain/service.js';
import { errorMessage, ListenerBusyError, SlotNotReadyError } from '../errors.js';
import { refusalMessage, renderReason, rollbackMessage } from '../messages/index.js';
import { withCallPriority } from '../ops/call-priority.js';
import { reportDrift } from './drift.js';
import { enqueueOwedNotificationsOrLog } from './notification-hooks.js';
import { postOnce } from './outbox.js';
import { writeGuard } from './write-guard.js';

export async function runRollback(ctx: JobContext, deploymentId: string): Promise<void> {
  const d = await loadDeployment(ctx, deploymentId);
  let report: VerificationReport | null = null;
  let after = d; // a re-run: just report
  if (d.state === 'rolling_back') {
    report = await rollBack(ctx, d, serviceOf(ctx, d));
    after = await loadDeployment(ctx, deploymentId);
  }
  if (after.state === 'rolled_back') {
    await enqueueOwedNotificationsOrLog(ctx, after);
    await postOnce(ctx, after, 'rollback', rollbackMessage(after, report, after.rollback));
  } else if (failedWith(after, 'rollback_failed')) {
    await postOnce(
      ctx,
      after,
      `rollback-failed-${after.version}`,
      refusalMessage(`⚠️ *Rollback failed.* ${after.reason ? renderReason(after.reason) : ''}`),
    );
  }
}

/**
 * Why traffic may not go back to `back` now, or null. A slot that reads `unused` is one no forward
 * names (its preview rule was removed): AWS does not health-check it, so nobody knows whether it
 * is healthy. Its preview rule is created again, and the refusal says when to try again. (The
 * caller has refused a `back` that is no longer configured.)
 */
async function backSlotProblem(
  router: TrafficRouter,
  svc: ServiceConfig,
  back: string,
): Promise<string | null> {
  const health = (await router.slotHealth(svc, back)).targets;
  const healthy = health.filter((t) => t.state === 'healthy').length;
  if (health.length > 0 && health.every((t) => t.state === 'unused')) {
    const t = await router.healthCheckTiming(svc, back);
    await router.attachSlots(svc, [back]);
    return (
      `${back} is not health-checked: no forward names it (its targets read unused, Target.NotInUse), so ` +
      `nobody can tell whether it is healthy. Greenlight attached it again with its preview rule; its ` +
      `targets need ${t.healthyThreshold} passing checks × ${formatDuration(t.intervalSeconds * 1000)} — ` +
      `roll back again after that. Traffic was left where it is.`
    );
  }
  if (healthy < svc.minHealthyTargets || healthy === 0) {
    return `${back} has ${healthy} healthy target(s) (needs ${Math.max(1, svc.minHealthyTargets)}); traffic was left where it is.`;
  }
  return null;
}

async function rollBack(
  ctx: JobContext,
  d: Deployment,
  svc: ServiceConfig,
): Promise<VerificationReport | null> {
  const back = d.fromSlot;
  if (!back) {
    await recordEvent(ctx, d.id, {
      type: 'rollback_failed',
      reason: reason('stopped', {
        step: 'rollback',
        detail: 'no slot was live before this deployment, so there is nothing to roll back to',
      }),
    });
    return null;
  }
  if (svc.slots[back] === undefined) {
    await recordEvent(ctx, d.id, {
      type: 'rollback_failed',
      reason: reason('stopped', {
        step: 'rollback',
        detail: `Rollback refused: slot ${back} is no longer configured; traffic was left where it is.`,
      }),
    });
    return null;
  }
  const startedAt = ctx.clock.now();
  const timed = ctx.router.timed();
  try {
    // The back slot's health is read alongside the switch's own reads; nothing is written until
    // it is known (beforeFirstModify), and a slot not fit for traffic is refused, as before.
    const health = backSlotProblem(timed.router, svc, back);
    health.catch(() => undefined); // awaited below; a rejection is handled there
    const notReady = async () => {
      const problem = await health;
      if (problem) throw new SlotNotReadyError(problem);
    };
    const switchUnder = (sites: string[]) =>
      ctx.forwardLock.withSites(sites, d.id, (fence) =>
        timed.router.switchTo(svc, back, {
          beforeFirstModify: notReady,
          beforeEachWrite: writeGuard(ctx, fence, d),
          lockedSites: sites,
        }),
      );
    // Locked first: the sites the cutover rewrote, as recorded — no read to find them. If the
    // forwards changed since (the switch, reading under the lock, needs another site), lock again
    // by a fresh plan.
    const recorded = d.cutover?.sites;
    let switched: Awaited<ReturnType<typeof switchUnder>> | undefined;
    if (recorded && recorded.length > 0) {
      try {
        switched = await switchUnder(recorded);
      } catch (err) {
        if (!(err instanceof ListenerBusyError && err.why === 'plan-changed')) throw err;
      }
    }
    switched ??= await switchUnder(await timed.router.sitesToRewrite(svc, back));
    const problem = await health; // already applied when something was written
    if (problem) throw new SlotNotReadyError(problem);
    const finishedAt = ctx.clock.now();
    const timing = {
      startedAt,
      finishedAt,
      awsMs: Math.round(timed.awsMs()),
      changed: switched.changed.length,
    };
    // Switched back: the read-back and scan wait for rate-limit tokens behind other rollbacks'
    // switches (at a cutover's rank), and share reads with the cutovers under way.
    const report = await withCallPriority('switch', () => ctx.router.verify(svc, back, d.toSlot));
    if (!report.readBackOk || report.offenders.length > 0) {
      const where = report.offenders.map(offenderPlace).join(', ');
      await recordEvent(ctx, d.id, {
        type: 'rollback_failed',
        reason: reason('stopped', {
          step: 'rollback',
          detail: `Rollback did not fully take: ${report.readBackOk ? '' : 'the listeners did not read back on ' + back + '. '}${where ? `Still forwarding to ${d.toSlot}: ${where}.` : ''}`,
        }),
      });
      return report;
    }
    const done = await recordEvent(ctx, d.id, { type: 'rollback_done', timing });
    if (done.ok) ctx.metrics.observeRollback(d.service, (finishedAt - startedAt) / 1000);
    return report;
  } catch (err) {
    if (err instanceof SlotNotReadyError) {
      await recordEvent(ctx, d.id, {
        type: 'rollback_failed',
        reason: reason('stopped', { step: 'rollback', detail: `Rollback refused: ${err.message}` }),
      });
      return null;
    }
    if (mustRunAgain(err)) throw err;
    if (classifyFailure(err) === 'lock-lost') {
      ctx.log.warn(
        { deployment: d.id, err: errorMessage(err) },
        'rollback stopped: this run no longer owns the switch',
      );
      // Still rolling back: the lock expired under us, or a newer run is at work — run again.
      if ((await ctx.store.get(d.id))?.state === 'rolling_back') throw err;
      await reportDrift(ctx, d.id, svc);
      return null;
    }
    await recordEvent(ctx, d.id, {
      type: 'rollback_failed',
      reason: reason('failure', { step: 'rollback', detail: errorMessage(err) }),
    });
    return null;
  }
}
