/**
 * Verification after the switch, in two parts:
 * 1. configuration — read the listeners back and scan every listener and rule of the load
 *    balancer for anything still forwarding to the old slot (offenders named in the thread);
 * 2. traffic — poll CloudWatch until the old slot's RequestCount is at or under the tolerance
 *    for a full period, or the verify window ends; the new slot must stay within the health
 *    gates. One thread message shows the per-period table and is edited as periods arrive.
 * Each poll is its own delayed job on the deterministic grid all deployments share (`nextPollAt`),
 * so a crash loses nothing and the polls of many deployments share CloudWatch calls.
 * When verification fails, the verificationFailed hook's job is enqueued after the state change
 * (src/jobs/notification-hooks.ts); a queue error there is logged, not thrown, so the failure is
 * still told in Slack, and a later run of this job or reconcile enqueues the hook still owed.
 */

import { createHash } from 'node:crypto';
import {
  type JobContext,
  loadDeployment,
  patchDeployment,
  patchMessages,
  serviceOf,
} from '../app/context.js';
import { runStep } from '../app/failures.js';
import { recordEvent } from '../app/record-event.js';
import type { Deployment } from '../domain/deployment.js';
import type { TrafficReport } from '../domain/evidence.js';
import { offenderPlace } from '../domain/forwards.js';
import { reason } from '../domain/reasons.js';
import type { VerificationReport } from '../domain/reports.js';
import type { ServiceConfig } from '../domain/service.js';
import { nextPollAt } from '../domain/traffic/periods.js';
import { errorMessage } from '../errors.js';
import { trafficFailedMessage, trafficMessage, verificationMessage } from '../messages/index.js';
import { handleBreaches } from './gate-alerts.js';
import { enqueueOwedNotifications, enqueueOwedNotificationsOrLog } from './notification-hooks.js';
import { postOnce } from './outbox.js';
import { gateBreaches, readTraffic, unverifiedReason } from './traffic-evidence.js';
import { scheduleWatch } from './watch-job.js';

export async function runVerify(ctx: JobContext, deploymentId: string): Promise<void> {
  let d = await loadDeployment(ctx, deploymentId);
  // Verification ended; a run cut short after recording a failure left its hook to enqueue.
  if (d.state !== 'verifying') return enqueueOwedNotifications(ctx, d);
  const svc = serviceOf(ctx, d);
  if (!d.messages.posted.includes('verify')) {
    if (!(await verifyConfig(ctx, d, svc))) return;
    d = await loadDeployment(ctx, deploymentId); // part 1 recorded its message: read it back
  }
  await verifyTraffic(ctx, d, svc);
}

/** Part 1. Returns true when the configuration is verified. */
async function verifyConfig(ctx: JobContext, d: Deployment, svc: ServiceConfig): Promise<boolean> {
  const read = await runStep(() => ctx.router.verify(svc, d.toSlot, d.fromSlot));
  if (!read.ok) {
    const failed = await recordEvent(ctx, d.id, {
      type: 'verify_failed',
      reason: reason('failure', { step: 'verify', detail: read.message }),
    });
    if (failed.ok) await enqueueOwedNotificationsOrLog(ctx, failed.deployment);
    return false;
  }
  const report: VerificationReport = read.value;
  await postOnce(ctx, d, 'verify', verificationMessage(d, report, svc));
  if (report.readBackOk && report.offenders.length === 0) return true;
  const parts: string[] = [];
  if (!report.readBackOk)
    parts.push(`the configured listeners did not read back as sending all traffic to ${d.toSlot}`);
  if (report.offenders.length > 0) {
    const names = report.offenders.map(offenderPlace);
    parts.push(
      `${report.offenders.length} forward(s) still send traffic to the old slot: ${names.join(', ')}`,
    );
  }
  const failed = await recordEvent(ctx, d.id, {
    type: 'verify_failed',
    reason: reason('stopped', { step: 'verify', detail: `Verification failed: ${parts.join('; ')}.` }),
  });
  if (failed.ok) await enqueueOwedNotificationsOrLog(ctx, failed.deployment);
  return false;
}

/** Part 2. */
async function verifyTraffic(ctx: JobContext, deployment: Deployment, svc: ServiceConfig): Promise<void> {
  let d = deployment;
  const switchedAt = d.cutover?.finishedAt ?? d.updatedAt;
  const windowEndsAt = d.verifyEndsAt ?? switchedAt + svc.verifyWindowMs;
  // One instant for reading and deciding: the verdict and the window check agree.
  const now = ctx.clock.now();
  const report = await readTraffic(ctx, d, svc, { switchedAt, windowEndsAt, now });
  if (!report) {
    await recordEvent(ctx, d.id, { type: 'verify_passed' }); // no old slot: nothing can still receive traffic
    return;
  }
  // Kept for the soak's gates, which judge a shared load balancer's 5xx against it.
  if (report.lbBaseline && !d.lbBaseline) {
    const baseline = report.lbBaseline;
    d =
      (await patchDeployment(ctx, d.id, (cur) =>
        cur.lbBaseline ? null : { ...cur, lbBaseline: baseline },
      )) ?? d;
  }
  // The table is a view of the evidence: Slack being down must not hold the verdict up.
  await showTraffic(ctx, d, svc, report).catch((err: unknown) =>
    ctx.log.warn({ deployment: d.id, err: errorMessage(err) }, 'could not show the traffic table'),
  );
  const breaches = gateBreaches(report);
  if (breaches.length > 0) {
    // It records the failure (or the automatic rollback) and enqueues the verificationFailed hook.
    await handleBreaches(ctx, d, svc, breaches, 'verification');
    return;
  }
  if (report.verdict === 'drained') {
    const passed = await recordEvent(ctx, d.id, { type: 'verify_passed' });
    if (passed.ok) await scheduleWatch(ctx, passed.deployment);
    return;
  }
  if (now >= windowEndsAt) {
    const detail =
      report.verdict === 'unreadable'
        ? unverifiedReason(report)
        : `Traffic did not leave ${report.oldSlot.slot} within the verify window: it still received requests.`;
    const failed = await recordEvent(ctx, d.id, {
      type: 'verify_failed',
      reason: reason('stopped', { step: 'verify', detail }),
    });
    // The table is edited in place and edits notify nobody: ping requester and approvers anew.
    // Only when this run recorded the failure: a deployment that moved on meanwhile (a Rollback
    // clicked) must not get a stale ping with a Rollback button.
    if (failed.ok) {
      await enqueueOwedNotificationsOrLog(ctx, failed.deployment);
      await postOnce(
        ctx,
        failed.deployment,
        'verify-traffic-failed',
        trafficFailedMessage(failed.deployment, report, svc),
      );
    }
    return;
  }
  await ctx.scheduler.enqueue('verify', d.id, nextPollAt(svc.traffic.pollIntervalMs, now));
}

/** Posts the traffic table once, then edits it in place as periods arrive. */
async function showTraffic(ctx: JobContext, d: Deployment, svc: ServiceConfig, report: TrafficReport) {
  const message = trafficMessage(d, report, svc, ctx.clock.now());
  // Edit only when what it shows changed (not on every poll): the figures, verdict and breaches.
  const shown = createHash('sha256')
    .update(JSON.stringify([report.verdict, report.oldSlot, report.newSlot, report.breaches, report.error]))
    .digest('hex')
    .slice(0, 16);
  if (d.messages.traffic) {
    if (d.messages.trafficShown === shown) return;
    await ctx.slack.update(d.channel, d.messages.traffic, message);
    await patchMessages(ctx, d.id, (m) => ({ ...m, trafficShown: shown }));
    return;
  }
  const ts = await ctx.slack.post(d.channel, message, d.messages.card);
  await patchMessages(ctx, d.id, (m) => ({ ...m, traffic: m.traffic ?? ts, trafficShown: shown }));
}
