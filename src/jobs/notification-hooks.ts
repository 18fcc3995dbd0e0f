/**
 * The notification hooks, `afterRollback` and `verificationFailed`, each paid by a job of its own
 * (`after-rollback`, `verification-failed`), enqueued after the state change that owes it and
 * before any Slack message: by the rollback job once traffic is back on the previous slot, by the
 * verify job and the gate alerts (src/jobs/gate-alerts.ts) once verification failed, by give-up
 * once it recorded a job's failure (a verification that gave up failed too), and by reconcile for
 * an ended deployment that still owes one. Each job is a re-run away from its enqueue (a crash
 * re-runs the job that enqueues; reconcile catches the rest), and the deterministic job id makes
 * every enqueue the same job.
 *
 * One attempt per run, never a sleep: a hook that gets no answer, a 5xx or a 429 is tried again by
 * the queue (capped backoff), `hooks.retries` more times. Then the outcome is counted, the record
 * marked, and the thread told. Delivery is at least once: a crash between the call and the mark
 * calls the hook again, with the same delivery id (`<deploymentId>-<hook>`).
 */
import { type JobContext, markPosted } from '../app/context.js';
import type { Deployment } from '../domain/deployment.js';
import { errorMessage } from '../errors.js';
import {
  calledMark,
  NOTIFICATION_HOOKS,
  NOTIFICATION_JOB,
  type NotificationHook,
  notificationExtra,
  notificationOwed,
} from '../hooks/notification-hooks.js';
import { hookResultMessage } from '../messages/index.js';
import type { JobAttempt, JobData } from '../queue/job-data.js';
import { callNotificationHook } from './hook-runner.js';
import { postOnce } from './outbox.js';

/** Enqueues the job of every notification hook `d` owes (a no-op for a job already queued). */
export async function enqueueOwedNotifications(ctx: JobContext, d: Deployment): Promise<void> {
  const hooks = ctx.config.services[d.service]?.hooks;
  if (!hooks) return;
  for (const hook of NOTIFICATION_HOOKS) {
    if (notificationOwed(hook, d, Boolean(hooks[hook]))) {
      await ctx.scheduler.enqueue(NOTIFICATION_JOB[hook], d.id);
    }
  }
}

/**
 * As `enqueueOwedNotifications`, for a job that goes on to post in Slack: a queue error is logged,
 * not thrown, so the message still goes out (reconcile enqueues a hook still owed).
 */
export function enqueueOwedNotificationsOrLog(ctx: JobContext, d: Deployment): Promise<void> {
  return enqueueOwedNotifications(ctx, d).catch((err: unknown) =>
    ctx.log.warn(
      { deployment: d.id, err: errorMessage(err) },
      'could not enqueue a notification hook; reconcile enqueues it',
    ),
  );
}

async function runNotificationHook(
  ctx: JobContext,
  hook: NotificationHook,
  deploymentId: string,
  attempt: JobAttempt | undefined,
): Promise<void> {
  const d = await ctx.store.get(deploymentId);
  const svc = d ? ctx.config.services[d.service] : undefined;
  if (!d || !svc || !notificationOwed(hook, d, Boolean(svc.hooks?.[hook]))) return;
  const made = attempt?.made ?? 0;
  // Run outside the queue (no attempt known): one attempt, the last.
  const last = attempt === undefined || made >= (svc.hooks?.retries ?? 0) || made + 1 >= attempt.allowed;
  const result = await callNotificationHook(ctx, hook, svc, d, notificationExtra(hook, d), {
    number: made + 1,
    last,
  });
  if (result === null) return;
  if (result === 'retry') throw new Error(`the ${hook} hook did not succeed; it is tried again`);
  // The record first, Slack after: a Slack outage must not make the hook owed (and called) again.
  await markPosted(ctx, d.id, calledMark(hook));
  await postOnce(ctx, d, `hook-${hook}`, hookResultMessage(d, result));
}

/** The job handler of one notification hook (the worker's handler signature). */
const notificationJob =
  (hook: NotificationHook) =>
  (ctx: JobContext, deploymentId: string, _at?: number, _data?: JobData, attempt?: JobAttempt) =>
    runNotificationHook(ctx, hook, deploymentId, attempt);

export const runAfterRollback = notificationJob('afterRollback');
export const runVerificationFailed = notificationJob('verificationFailed');
