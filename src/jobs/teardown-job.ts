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
 * A teardown job scheduled for a deadline that Extend moved does nothing.
 */

import { drainSlot } from '../aws/drain.js';
import { detachSlot, previewRuleTest } from '../aws/preview-rules.js';
import { scaleDown } from '../aws/scale-down.js';
import { verifyConfiguration } from '../aws/switch-forwards.js';
import type { ServiceConfig } from '../config/schema.js';
import { soakCost } from '../domain/cost.js';
import type { Deployment } from '../domain/deployment.js';
import { offenderPlace } from '../domain/forwards.js';
import { errorMessage, NotDueYetError } from '../errors.js';
import { refusalMessage, teardownMessage } from '../slack/blocks/index.js';
import { isTransientAwsError } from './aws-errors.js';
import { hookAnswer, runHook, scaleDownHook } from './hook-runner.js';
import {
  applyEvent,
  failedWith,
  type JobContext,
  loadDeployment,
  patchDeployment,
  postOnce,
  serviceOf,
} from './job-context.js';

export async function runTeardown(
  ctx: JobContext,
  deploymentId: string,
  at: number | undefined,
): Promise<void> {
  let d = await loadDeployment(ctx, deploymentId);
  if (d.state === 'soaking') {
    if (at !== undefined && at !== d.teardownAt) return;
    const due = await applyEvent(ctx, d.id, { type: 'teardown_due' });
    if (!due.ok && due.code === 'not_due') throw new NotDueYetError(due.message);
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
      refusalMessage(`⚠️ *Teardown stopped.* ${after.reason ?? ''}`),
    );
  }
}

async function tearDown(ctx: JobContext, d: Deployment, svc: ServiceConfig): Promise<void> {
  const old = d.fromSlot;
  const oldArn = old ? svc.slots[old] : undefined;
  if (!old || !oldArn) {
    await applyEvent(ctx, d.id, { type: 'teardown_done', detail: 'no previous slot to tear down' });
    return;
  }
  try {
    const still = await verifyConfiguration(ctx.elb, {
      listenerArns: svc.listeners,
      slots: svc.slots,
      isPreviewRule: previewRuleTest(svc),
      targetSlot: d.toSlot,
      oldSlot: old,
    });
    if (still.offenders.length > 0) {
      const where = still.offenders.map(offenderPlace).join(', ');
      await applyEvent(ctx, d.id, {
        type: 'teardown_failed',
        reason: `${old} still receives traffic from ${where}; it was not torn down. Point those forwards elsewhere, then tear it down by hand.`,
      });
      return;
    }
    const hook = await runHook(ctx, 'beforeTeardown', svc, d);
    if (hook && !hook.ok) {
      const answer = hookAnswer(hook);
      await applyEvent(ctx, d.id, {
        type: 'teardown_failed',
        reason: `The beforeTeardown hook ${answer}; ${old} was left running and registered.`,
      });
      return;
    }
    const drain = await drainSlot(ctx.elb, oldArn, {
      slot: old,
      pollMs: ctx.drainPollMs,
      sleep: ctx.clock.sleep,
      now: ctx.clock.now,
    });
    // Drained: its preview rule goes too, so AWS stops health-checking a slot that serves nothing
    // (a later deploy to it attaches it again).
    let detachError: string | undefined;
    const detached = await detachSlot(ctx.elb, svc, old).catch((err: unknown) => {
      if (isTransientAwsError(err)) throw err;
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
    const target = svc.compute[old];
    if (target && !d.scaleDown) {
      const report = await scaleDown(
        target,
        {
          ecs: ctx.ecs,
          asg: ctx.asg,
          webhook: scaleDownHook(ctx, svc),
          sleep: ctx.clock.sleep,
          now: ctx.clock.now,
          pollMs: ctx.computePollMs,
          timeoutMs: svc.computeTimeoutMs,
        },
        { deploymentId: d.id, service: d.service, slot: old },
      );
      await patchDeployment(ctx, d.id, (cur) => ({ ...cur, scaleDown: report }));
    }
    const seconds = Math.round(drain.drainMs / 1000);
    await applyEvent(ctx, d.id, {
      type: 'teardown_done',
      detail: `${drain.deregistered} target(s) deregistered, drained in ${seconds}s`,
    });
  } catch (err) {
    if (isTransientAwsError(err)) throw err;
    await applyEvent(ctx, d.id, { type: 'teardown_failed', reason: `teardown failed: ${errorMessage(err)}` });
  }
}
