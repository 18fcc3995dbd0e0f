/**
 * When a job has used up its attempts (or failed permanently), the deployment must not be left in
 * a working state holding the service lock with nobody told. This records the failure as the
 * state machine's failure event for that state, and says so in the thread.
 */

import type { JobContext } from '../app/context.js';
import { recordEvent } from '../app/record-event.js';
import type { Deployment } from '../domain/deployment.js';
import type { DeploymentEvent } from '../domain/events.js';
import { reason as reasonOf } from '../domain/reasons.js';
import { userMention } from '../messages/mentions.js';
import { refusalMessage } from '../messages/refusal.js';
import { attemptEnded } from './cutover-job.js';
import { enqueueOwedNotifications } from './notification-hooks.js';
import { postOnce } from './outbox.js';

async function failureEvent(
  ctx: JobContext,
  job: string,
  d: Deployment,
  why: string,
): Promise<DeploymentEvent | null> {
  const reason = reasonOf('gave_up', { job, why });
  switch (d.state) {
    case 'requested':
    case 'prechecking':
      return job === 'precheck' ? { type: 'precheck_failed', reason } : null;
    case 'cutting_over': {
      if (job !== 'cutover') return null;
      const svc = ctx.config.services[d.service];
      // Unknown ALB state counts as touched: Rollback must stay possible.
      const live = svc ? await ctx.router.liveSlot(svc).catch(() => 'unknown') : 'unknown';
      const now = ctx.clock.now();
      // Touched when the ALB no longer reads as before (or cannot be read).
      const wasTouched = live !== d.fromSlot;
      const touched = wasTouched ? { startedAt: now, finishedAt: now, awsMs: 0, changed: 0 } : undefined;
      return { type: 'cutover_failed', reason, ...(touched ? { touched } : {}) };
    }
    case 'verifying':
      // Its words end "(not verified)".
      return job === 'verify' ? { type: 'verify_failed', reason } : null;
    case 'tearing_down':
      return job === 'teardown' ? { type: 'teardown_failed', reason } : null;
    case 'rolling_back':
      return job === 'rollback' ? { type: 'rollback_failed', reason } : null;
    default:
      return null;
  }
}

export async function giveUp(ctx: JobContext, job: string, deploymentId: string, why: string): Promise<void> {
  const d = await ctx.store.get(deploymentId);
  if (!d) return;
  const event = await failureEvent(ctx, job, d, why);
  if (!event) return;
  const out = await recordEvent(ctx, d.id, event);
  // A cutover that gave up after beforeCutover ran: the service may be frozen; let it thaw.
  const svc = ctx.config.services[d.service];
  if (event.type === 'cutover_failed' && svc) {
    await attemptEnded(ctx, svc, out).catch((err: unknown) =>
      ctx.log.warn({ err, deployment: d.id }, 'could not enqueue afterCutover'),
    );
  }
  // A verification that gave up failed too: its verificationFailed hook is owed like any other's.
  if (out.ok)
    await enqueueOwedNotifications(ctx, out.deployment).catch((err: unknown) =>
      ctx.log.warn({ err, deployment: d.id }, 'could not enqueue a notification hook'),
    );
  if (!out.ok || !out.deployment.messages.card) return;
  await postOnce(
    ctx,
    out.deployment,
    `gave-up-${job}-${out.deployment.version}`,
    refusalMessage(
      `⚠️ ${userMention(d.requester)} The *${job}* step could not complete after several attempts: ${why}. ` +
        `The deployment is now *${out.deployment.state}*.`,
    ),
  ).catch((err: unknown) => ctx.log.warn({ err, deployment: d.id }, 'could not post the give-up notice'));
}
