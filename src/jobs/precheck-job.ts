/**
 * Precheck: post the status card, attach every slot that no forward names (its preview rule), read
 * the live slot and the target slot's health from the ALB (never a cache), post the findings in
 * the thread, then either block or ask for approval. Fails closed: a load balancer that cannot be
 * read blocks the deployment.
 *
 * While the target slot's targets are still being judged (`initial`, or `unused` right after the
 * attach) the precheck waits without sleeping: the wait is recorded (`healthWait`), a progress
 * message in the thread is edited as the targets change, and the precheck runs again as a delayed
 * job on a grid every `healthPollMs`, until the targets are healthy or the bound (from the
 * group's health-check settings, or `healthWait`) runs out.
 */

import {
  type JobContext,
  loadDeployment,
  patchDeployment,
  patchMessages,
  serviceOf,
} from '../app/context.js';
import { runStep } from '../app/failures.js';
import { recordEvent } from '../app/record-event.js';
import { readSlotVersions } from '../compute/slot-versions.js';
import type { Deployment } from '../domain/deployment.js';
import {
  type HealthWait,
  healthDone,
  healthProgress,
  healthWaitBoundMs,
  waitExpiredProblem,
} from '../domain/health-wait.js';
import { nextOnGrid } from '../domain/job-ids.js';
import { reason } from '../domain/reasons.js';
import { redactUrls } from '../domain/redact.js';
import type { ServiceConfig } from '../domain/service.js';
import { hhmm } from '../domain/utc-time.js';
import { errorMessage } from '../errors.js';
import { approvalPrompt, healthWaitMessage, precheckMessage, statusCard } from '../messages/index.js';
import { deliver, postOnce } from './outbox.js';

/** The status card: the thread's parent. If Slack is down it is queued, and the precheck goes on. */
async function ensureCard(ctx: JobContext, d: Deployment): Promise<Deployment> {
  if (d.messages.card) return d;
  const message = statusCard(d, serviceOf(ctx, d), ctx.clock.now());
  return (await deliver(ctx, d, { key: 'card', message, inThread: false, slot: 'card' })) ?? d;
}

export async function runPrecheck(ctx: JobContext, deploymentId: string): Promise<void> {
  let d = await loadDeployment(ctx, deploymentId);
  if (d.state === 'requested') {
    const started = await recordEvent(ctx, d.id, { type: 'precheck_started' });
    if (!started.ok) return;
    d = started.deployment;
  }
  if (d.state === 'awaiting_approval') {
    // A re-run after the prompt could not be posted: post it now.
    await postPrompt(ctx, d);
    return;
  }
  if (d.state !== 'prechecking') return;
  const svc = serviceOf(ctx, d);
  d = await ensureCard(ctx, d);
  const now = ctx.clock.now();
  const mayWait = d.healthWait === undefined || now < d.healthWait.until;

  const read = await runStep(() => ctx.router.precheck(svc, d.toSlot, { mayWait }));
  if (!read.ok) {
    await recordEvent(ctx, d.id, {
      type: 'precheck_failed',
      reason: reason('failure', { step: 'precheck', detail: read.message }),
    });
    return;
  }
  const reading = read.value;
  let report = reading.report;
  if ((report.settling ?? 0) > 0) {
    const wait: HealthWait = d.healthWait ?? {
      since: now,
      until: now + healthWaitBoundMs(reading.timing, svc.healthWaitMs),
      ...(reading.attached.some((a) => a.slot === d.toSlot) ? { attachedAt: now } : {}),
    };
    if (!d.healthWait) d = (await patchDeployment(ctx, d.id, (cur) => ({ ...cur, healthWait: wait }))) ?? d;
    // Best-effort (a Slack outage must not end the wait), and before the next look is enqueued:
    // two looks at once would both post the progress message.
    await bestEffort(
      ctx,
      d,
      showHealth(ctx, d, healthProgress(report.health, reading.timing, wait, now, hhmm)),
    );
    await ctx.scheduler.enqueue('precheck', d.id, nextOnGrid(wait.since, ctx.healthPollMs, now));
    return;
  }
  if (d.healthWait && report.problems.length > 0 && now >= d.healthWait.until) {
    report = {
      ...report,
      problems: [
        waitExpiredProblem(report.health, reading.timing, now - d.healthWait.since),
        ...report.problems,
      ],
    };
  }
  if (d.healthWait)
    await bestEffort(ctx, d, showHealth(ctx, d, healthDone(report.health, d.healthWait, now), true));
  const scaled = await previousScaleDown(ctx, d);
  if (scaled) report = { ...report, warnings: [...report.warnings, scaled] };
  d = await withSlotVersions(ctx, d, svc);
  await postOnce(ctx, d, 'precheck', precheckMessage(report, svc, d.slotVersions));

  if (report.problems.length > 0) {
    await recordEvent(ctx, d.id, {
      type: 'precheck_failed',
      reason: reason('stopped', { step: 'precheck', detail: report.problems.join(' ') }),
    });
    return;
  }
  const fromSlot = report.liveSlot === 'mixed' ? null : report.liveSlot;
  const passed = await recordEvent(ctx, d.id, {
    type: 'precheck_passed',
    fromSlot,
    approvalTimeoutMs: svc.approvalTimeoutMs,
  });
  if (!passed.ok) return;
  await postPrompt(ctx, passed.deployment);
}

/**
 * What runs on each slot, read once and kept on the record before anything is posted: the
 * precheck message, the prompt, the card and the hooks show it. Best effort (never throws).
 */
async function withSlotVersions(ctx: JobContext, d: Deployment, svc: ServiceConfig): Promise<Deployment> {
  if (d.slotVersions) return d;
  const slotVersions = await readSlotVersions({ router: ctx.router, ...ctx.computeFor(svc) }, svc);
  return (
    (await patchDeployment(ctx, d.id, (cur) => (cur.slotVersions ? null : { ...cur, slotVersions }))) ?? d
  );
}

/** Progress messages are a courtesy: their failure is logged, never the deployment's. */
async function bestEffort(ctx: JobContext, d: Deployment, work: Promise<void>): Promise<void> {
  try {
    await work;
  } catch (err) {
    ctx.log.warn({ deployment: d.id, err: errorMessage(err) }, 'could not show the health-check progress');
  }
}

/** Posts the health-check progress once, then edits it in place when what it says changes. */
async function showHealth(ctx: JobContext, d: Deployment, line: string, final = false): Promise<void> {
  const message = healthWaitMessage(d, line, final);
  // Edited when the targets' states change, not for the countdown of the next check.
  const shown = `${final ? 'final' : 'wait'} ${line.replace(/ — .*$/, '')}`;
  if (d.messages.health) {
    if (d.messages.healthShown === shown) return;
    await ctx.slack.update(d.channel, d.messages.health, message);
    await patchMessages(ctx, d.id, (m) => ({ ...m, healthShown: shown }));
    return;
  }
  const ts = await ctx.slack.post(d.channel, message, d.messages.card);
  await patchMessages(ctx, d.id, (m) => ({ ...m, health: m.health ?? ts, healthShown: shown }));
}

/** A warning when an earlier teardown scaled the target slot's compute down (with what it was). */
async function previousScaleDown(ctx: JobContext, d: Deployment): Promise<string | null> {
  const recent = await ctx.store.listByService(d.service, 20);
  const last = recent.find((p) => p.id !== d.id && p.fromSlot === d.toSlot && p.scaleDown);
  const s = last?.scaleDown;
  if (!last || !s) return null;
  const before =
    s.previous?.desired !== undefined
      ? ` (it had desired ${s.previous.desired}${s.previous.min !== undefined ? `, min ${s.previous.min}` : ''})`
      : '';
  // redactUrls: records written before webhook targets were kept redacted hold the whole URL.
  return `${d.toSlot} was scaled down (${s.kind} ${redactUrls(s.target)}) by deployment ${last.id}${before}; make sure it is scaled back up.`;
}

async function postPrompt(ctx: JobContext, d: Deployment): Promise<void> {
  if (d.messages.prompt || d.state !== 'awaiting_approval') return;
  const svc: ServiceConfig = serviceOf(ctx, d);
  await deliver(ctx, d, { key: 'prompt', message: approvalPrompt(d, svc), slot: 'prompt' });
}
