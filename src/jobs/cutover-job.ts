/**
 * Cutover: re-check the target slot's health, rewrite every forward of the configured listeners
 * so only the target slot receives traffic (switchForwards restores the already-changed ones if a
 * later call fails: never a partial state), then hand over to verification. Re-running after a
 * crash is safe: the switch of an already-switched load balancer changes nothing.
 */
import { SwitchAbortedError, switchForwards } from '../aws/switch-forwards.js';
import { timeElbPort } from '../aws/timed-elb-port.js';
import { errorMessage } from '../errors.js';
import { cutoverMessage } from '../slack/blocks/index.js';
import { applyEvent, type JobContext, loadDeployment, postOnce, serviceOf } from './job-context.js';

export async function runCutover(ctx: JobContext, deploymentId: string): Promise<void> {
  const d = await loadDeployment(ctx, deploymentId);
  if (d.state !== 'cutting_over') return;
  const svc = serviceOf(ctx, d);
  const startedAt = ctx.clock.now();
  const timed = timeElbPort(ctx.elb);

  const targetArn = svc.slots[d.toSlot];
  if (!targetArn) {
    await applyEvent(ctx, d.id, {
      type: 'cutover_failed',
      reason: `slot ${d.toSlot} is no longer configured`,
    });
    return;
  }
  const health = await timed.port.describeTargetHealth(targetArn);
  const unhealthy = health.filter((t) => t.State !== 'healthy');
  if (health.length < svc.minHealthyTargets || unhealthy.length > 0) {
    const names = unhealthy.map((t) => `${t.Id}${t.Port ? `:${t.Port}` : ''} ${t.State}`).join(', ');
    const reason =
      unhealthy.length > 0
        ? `${d.toSlot} is no longer healthy (${names}); nothing was changed on the load balancer.`
        : `${d.toSlot} has ${health.length} registered targets, fewer than ${svc.minHealthyTargets}; nothing was changed.`;
    await applyEvent(ctx, d.id, { type: 'cutover_failed', reason });
    return;
  }

  let report: Awaited<ReturnType<typeof switchForwards>>;
  try {
    report = await switchForwards(timed.port, {
      listenerArns: svc.listeners,
      slots: svc.slots,
      targetSlot: d.toSlot,
    });
  } catch (err) {
    const reason = err instanceof SwitchAbortedError ? err.message : `cutover failed: ${errorMessage(err)}`;
    await applyEvent(ctx, d.id, { type: 'cutover_failed', reason });
    return;
  }
  const finishedAt = ctx.clock.now();
  const timing = { startedAt, finishedAt, awsMs: Math.round(timed.awsMs()), changed: report.changed.length };
  await postOnce(
    ctx,
    d,
    'cutover',
    cutoverMessage(d, { ...report, awsMs: timing.awsMs, totalMs: finishedAt - startedAt }),
  );
  const done = await applyEvent(ctx, d.id, {
    type: 'cutover_succeeded',
    timing,
    verifyWindowMs: svc.verifyWindowMs,
  });
  if (done.ok) ctx.metrics.observeCutover(d.service, (finishedAt - startedAt) / 1000);
}
