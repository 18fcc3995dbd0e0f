/**
 * Rollback: one routing change back to the slot that was live before, read back and verified.
 * The pending reminder and teardown were removed by the transition's effects.
 */
import { switchForwards, verifyConfiguration } from '../aws/switch-forwards.js';
import { timeElbPort } from '../aws/timed-elb-port.js';
import { errorMessage } from '../errors.js';
import { rollbackMessage } from '../slack/blocks/index.js';
import { applyEvent, type JobContext, loadDeployment, postOnce, serviceOf } from './job-context.js';

export async function runRollback(ctx: JobContext, deploymentId: string): Promise<void> {
  const d = await loadDeployment(ctx, deploymentId);
  if (d.state !== 'rolling_back') return;
  const svc = serviceOf(ctx, d);
  const back = d.fromSlot;
  if (!back) {
    await applyEvent(ctx, d.id, {
      type: 'rollback_failed',
      reason: 'no slot was live before this deployment, so there is nothing to roll back to',
    });
    return;
  }
  const startedAt = ctx.clock.now();
  const timed = timeElbPort(ctx.elb);
  try {
    const switched = await switchForwards(timed.port, {
      listenerArns: svc.listeners,
      slots: svc.slots,
      targetSlot: back,
    });
    const finishedAt = ctx.clock.now();
    const timing = {
      startedAt,
      finishedAt,
      awsMs: Math.round(timed.awsMs()),
      changed: switched.changed.length,
    };
    const report = await verifyConfiguration(ctx.elb, {
      listenerArns: svc.listeners,
      slots: svc.slots,
      targetSlot: back,
      oldSlot: d.toSlot,
    });
    await postOnce(ctx, d, 'rollback', rollbackMessage(d, report, timing));
    const done = await applyEvent(ctx, d.id, { type: 'rollback_done', timing });
    if (done.ok) ctx.metrics.observeRollback(d.service, (finishedAt - startedAt) / 1000);
  } catch (err) {
    await applyEvent(ctx, d.id, { type: 'rollback_failed', reason: `rollback failed: ${errorMessage(err)}` });
  }
}
