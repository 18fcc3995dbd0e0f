/**
 * Precheck: post the status card, read the live slot and the target slot's health from the ALB
 * (never a cache), post the findings in the thread, then either block or ask for approval.
 * Fails closed: a load balancer that cannot be read blocks the deployment.
 */
import { readPrecheck } from '../aws/switch-forwards.js';
import type { Deployment } from '../domain/deployment.js';
import type { PrecheckReport } from '../domain/reports.js';
import { errorMessage } from '../errors.js';
import { approvalPrompt, precheckMessage, statusCard } from '../slack/blocks/index.js';
import { isTransientAwsError } from './aws-errors.js';
import {
  applyEvent,
  type JobContext,
  loadDeployment,
  patchMessages,
  postOnce,
  serviceOf,
} from './job-context.js';

async function ensureCard(ctx: JobContext, d: Deployment): Promise<Deployment> {
  if (d.messages.card) return d;
  const ts = await ctx.slack.post(d.channel, statusCard(d, serviceOf(ctx, d), ctx.clock.now()));
  return (await patchMessages(ctx, d.id, (m) => (m.card ? m : { ...m, card: ts }))) ?? d;
}

export async function runPrecheck(ctx: JobContext, deploymentId: string): Promise<void> {
  let d = await loadDeployment(ctx, deploymentId);
  if (d.state === 'requested') {
    const started = await applyEvent(ctx, d.id, { type: 'precheck_started' });
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

  let report: PrecheckReport;
  try {
    report = await readPrecheck(ctx.elb, svc, d.toSlot);
  } catch (err) {
    if (isTransientAwsError(err)) throw err; // BullMQ retries with backoff
    const reason = `could not read the load balancer: ${errorMessage(err)}`;
    await applyEvent(ctx, d.id, { type: 'precheck_failed', reason });
    return;
  }
  const scaled = await previousScaleDown(ctx, d);
  if (scaled) report = { ...report, warnings: [...report.warnings, scaled] };
  await postOnce(ctx, d, 'precheck', precheckMessage(report, svc));

  if (report.problems.length > 0) {
    await applyEvent(ctx, d.id, { type: 'precheck_failed', reason: report.problems.join(' ') });
    return;
  }
  const fromSlot = report.liveSlot === 'mixed' ? null : report.liveSlot;
  const passed = await applyEvent(ctx, d.id, {
    type: 'precheck_passed',
    fromSlot,
    approvalTimeoutMs: svc.approvalTimeoutMs,
  });
  if (!passed.ok) return;
  await postPrompt(ctx, passed.deployment);
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
  return `${d.toSlot} was scaled down (${s.kind} ${s.target}) by deployment ${last.id}${before}; make sure it is scaled back up.`;
}

async function postPrompt(ctx: JobContext, d: Deployment): Promise<void> {
  if (d.messages.prompt || d.state !== 'awaiting_approval') return;
  const ts = await ctx.slack.post(d.channel, approvalPrompt(d, serviceOf(ctx, d)), d.messages.card);
  await patchMessages(ctx, d.id, (m) => ({ ...m, prompt: m.prompt ?? ts }));
}
