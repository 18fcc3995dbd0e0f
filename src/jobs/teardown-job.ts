/**
 * Teardown at the end of the soak (or on "Tear down now"): deregister the old slot's targets,
 * wait until none is draining (bounded by its deregistration delay), then report. A teardown job
 * scheduled for a deadline that Extend moved does nothing.
 */
import { drainSlot } from '../aws/drain.js';
import { errorMessage } from '../errors.js';
import { teardownMessage } from '../slack/blocks/index.js';
import { isTransientAwsError } from './aws-errors.js';
import { applyEvent, type JobContext, loadDeployment, postOnce, serviceOf } from './job-context.js';

export async function runTeardown(
  ctx: JobContext,
  deploymentId: string,
  at: number | undefined,
): Promise<void> {
  let d = await loadDeployment(ctx, deploymentId);
  if (d.state === 'soaking') {
    if (at !== undefined && at !== d.teardownAt) return;
    const due = await applyEvent(ctx, d.id, { type: 'teardown_due' });
    if (!due.ok) return;
    d = due.deployment;
  }
  if (d.state !== 'tearing_down') return;
  const svc = serviceOf(ctx, d);
  const oldArn = d.fromSlot ? svc.slots[d.fromSlot] : undefined;
  if (!d.fromSlot || !oldArn) {
    await applyEvent(ctx, d.id, { type: 'teardown_done', detail: 'no previous slot to tear down' });
    return;
  }
  try {
    const report = await drainSlot(ctx.elb, oldArn, {
      slot: d.fromSlot,
      pollMs: ctx.drainPollMs,
      sleep: ctx.clock.sleep,
      now: ctx.clock.now,
    });
    await postOnce(ctx, d, 'teardown', teardownMessage(d, report));
    await applyEvent(ctx, d.id, {
      type: 'teardown_done',
      detail: `${report.deregistered} target(s) deregistered, drained in ${Math.round(report.drainMs / 1000)}s`,
    });
  } catch (err) {
    if (isTransientAwsError(err)) throw err;
    await applyEvent(ctx, d.id, { type: 'teardown_failed', reason: `teardown failed: ${errorMessage(err)}` });
  }
}
