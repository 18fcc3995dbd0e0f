/**
 * Scales the compute behind a drained slot to zero, in steps the teardown job takes as separate
 * runs (it never sleeps): `beginScaleDown` reads the sizes (recorded as `previous`) and asks for
 * zero; `countRemaining` is run again on a delayed poll until nothing is left to wait for or the
 * bound (`computeTimeout`) ran out; `finishScaleDown` writes the report.
 * - ECS service: DescribeServices, UpdateService desiredCount 0, then running + pending tasks.
 *   A service being deleted (DRAINING, INACTIVE) cannot be updated (ServiceNotActiveException):
 *   nothing to ask, said in the report; its tasks stop by themselves.
 * - Auto Scaling group: DescribeAutoScalingGroups and its terminating lifecycle hooks,
 *   UpdateAutoScalingGroup MinSize 0 + DesiredCapacity 0 (MaxSize left alone), then the instances
 *   that are not terminated — except those Auto Scaling will not terminate (protected from scale
 *   in) or that a lifecycle hook holds in `Terminating:Wait`, which are reported, not waited for.
 * - Webhook: POST `{ event: 'scaleDown', deliveryId, deploymentId, service, slot }`; done when it
 *   answers 2xx (what the receiver does is its business).
 *
 * Idempotent: a re-run reads the current sizes and skips the update when they are already 0; the
 * caller keeps the first run's `previous`. A service, group or cluster that does not exist gives a
 * finished report with `error`, nothing thrown. A failed first describe or update throws the
 * AwsCallError (the job retries). Describe failures while polling are blips: counted as unknown
 * until the bound; if the last read failed the report says so.
 */

import type { AsgPort, EcsPort, TerminationHook } from '../app/ports/compute.js';
import type { ComputeTarget } from '../config/evidence-schema.js';
import { formatDuration } from '../domain/duration.js';
import type { HookResult, ScaleDownReport } from '../domain/evidence.js';
import { redactUrl } from '../domain/redact.js';
import { AwsCallError, errorMessage } from '../errors.js';

export interface ScaleDownDeps {
  ecs: EcsPort;
  asg: AsgPort;
  webhook: (url: string, body: unknown) => Promise<HookResult>;
}

export interface ScaleDownContext {
  deploymentId: string;
  service: string;
  slot: string;
}

/** The body POSTed to a scale-down webhook; `deliveryId` is the receiver's idempotency key. */
export function scaleDownWebhookBody(context: ScaleDownContext): Record<string, string> {
  return {
    event: 'scaleDown',
    deliveryId: `${context.deploymentId}-scaleDown-${context.slot}`,
    deploymentId: context.deploymentId,
    service: context.service,
    slot: context.slot,
  };
}

export interface ScaleDownStart {
  /** The report so far: kind, target, previous sizes, notes — final when `done`. */
  report: ScaleDownReport;
  /** Nothing to wait for: a webhook answered, or the target does not exist. */
  done: boolean;
}

/** What is left running; `held`: instances Auto Scaling will not terminate (reported, not waited for). */
export interface ScaleDownCount {
  remaining: number;
  held: { protectedInstances: number; waitingInstances: number };
  /** The read failed (a blip while polling). */
  error?: string;
}

const NOT_ACTIVE = new Set(['DRAINING', 'INACTIVE']);

function notActiveNote(name: string, status: string): string {
  return status === 'DRAINING'
    ? `ECS service ${name} is DRAINING (being deleted): its tasks stop by themselves, nothing to scale down`
    : `ECS service ${name} is INACTIVE (deleted): nothing to scale down`;
}

function hookNote(hooks: TerminationHook[]): string {
  const list = hooks.map((h) => `${h.name} (heartbeat ${formatDuration(h.heartbeatTimeoutSeconds * 1000)})`);
  return (
    `lifecycle hook ${list.join(', ')} on termination: instances wait in Terminating:Wait until the ` +
    'hook is completed or its heartbeat runs out'
  );
}

const finished = (report: ScaleDownReport): ScaleDownStart => ({ report, done: true });

async function beginEcs(
  t: { cluster: string; service: string },
  deps: ScaleDownDeps,
): Promise<ScaleDownStart> {
  const name = `${t.cluster}/${t.service}`;
  const base = { kind: 'ecs' as const, target: name, reachedZero: false, remaining: 0, waitedMs: 0 };
  let current: Awaited<ReturnType<EcsPort['describeService']>>;
  try {
    current = await deps.ecs.describeService(t.cluster, t.service);
  } catch (err) {
    if (err instanceof AwsCallError && err.code === 'ClusterNotFound')
      return finished({ ...base, error: `ECS cluster ${t.cluster} not found` });
    throw err;
  }
  if (current === null) return finished({ ...base, error: `ECS service ${name} not found` });
  const notes: string[] = [];
  if (NOT_ACTIVE.has(current.status)) notes.push(notActiveNote(name, current.status));
  else if (current.desired !== 0) {
    try {
      await deps.ecs.updateDesiredCount(t.cluster, t.service, 0);
    } catch (err) {
      // Deleted between the describe and the update.
      if (!(err instanceof AwsCallError && err.code === 'ServiceNotActive')) throw err;
      notes.push(notActiveNote(name, 'DRAINING'));
    }
  }
  const report: ScaleDownReport = {
    ...base,
    previous: { desired: current.desired },
    remaining: current.running + current.pending,
  };
  return { report: notes.length > 0 ? { ...report, notes } : report, done: false };
}

async function beginAsg(t: { name: string }, deps: ScaleDownDeps): Promise<ScaleDownStart> {
  const base = { kind: 'asg' as const, target: t.name, reachedZero: false, remaining: 0, waitedMs: 0 };
  const current = await deps.asg.describeGroup(t.name);
  if (current === null) return finished({ ...base, error: `Auto Scaling group ${t.name} not found` });
  const notes: string[] = [];
  // Only to explain what keeps instances alive: a failed look is said, not a failed teardown.
  const hooks = await deps.asg.describeTerminationHooks(t.name).catch((err: unknown) => {
    notes.push(`could not read the group's lifecycle hooks (${errorMessage(err)})`);
    return [] as TerminationHook[];
  });
  if (current.min !== 0 || current.desired !== 0) await deps.asg.updateGroup(t.name, { min: 0, desired: 0 });
  if (hooks.length > 0) notes.push(hookNote(hooks));
  const report: ScaleDownReport = {
    ...base,
    previous: { min: current.min, desired: current.desired, max: current.max },
    remaining: current.instances,
  };
  return { report: notes.length > 0 ? { ...report, notes } : report, done: false };
}

async function beginWebhook(
  url: string,
  deps: ScaleDownDeps,
  context: ScaleDownContext,
): Promise<ScaleDownStart> {
  const result = await deps.webhook(url, scaleDownWebhookBody(context));
  const report: ScaleDownReport = {
    kind: 'webhook',
    // Kept on the record and shown in Slack: the host only, never the path or query with tokens.
    target: redactUrl(url),
    reachedZero: result.ok,
    remaining: 0,
    waitedMs: result.durationMs,
  };
  if (!result.ok) {
    const status = result.status === null ? 'no answer' : `HTTP ${result.status}`;
    report.error = `webhook answered ${status}${result.excerpt ? `: ${result.excerpt}` : ''}`;
  }
  return finished(report);
}

export function beginScaleDown(
  target: ComputeTarget,
  deps: ScaleDownDeps,
  context: ScaleDownContext,
): Promise<ScaleDownStart> {
  switch (target.kind) {
    case 'ecs':
      return beginEcs(target, deps);
    case 'asg':
      return beginAsg(target, deps);
    case 'webhook':
      return beginWebhook(target.url, deps, context);
  }
}

const NOTHING_HELD = { protectedInstances: 0, waitingInstances: 0 };

/** What is left of the compute now (a resource that disappeared has nothing left). */
export async function countRemaining(target: ComputeTarget, deps: ScaleDownDeps): Promise<ScaleDownCount> {
  try {
    if (target.kind === 'ecs') {
      const s = await deps.ecs.describeService(target.cluster, target.service);
      return { remaining: s === null ? 0 : s.running + s.pending, held: NOTHING_HELD };
    }
    if (target.kind === 'asg') {
      const g = await deps.asg.describeGroup(target.name);
      if (g === null) return { remaining: 0, held: NOTHING_HELD };
      const held = { protectedInstances: g.protectedInstances, waitingInstances: g.waitingInstances };
      return { remaining: g.instances - held.protectedInstances - held.waitingInstances, held };
    }
    return { remaining: 0, held: NOTHING_HELD };
  } catch (err) {
    return { remaining: -1, held: NOTHING_HELD, error: errorMessage(err) };
  }
}

/** True when there is nothing more to wait for. */
export function settledCount(count: ScaleDownCount): boolean {
  return count.error === undefined && count.remaining === 0;
}

/**
 * The final report from the start's and the last count: reached zero only when nothing is left,
 * nothing is held and the last read worked; what is held and why is in the notes.
 */
export function finishScaleDown(
  started: ScaleDownReport,
  count: ScaleDownCount,
  waitedMs: number,
): ScaleDownReport {
  const notes = [...(started.notes ?? [])];
  const { protectedInstances, waitingInstances } = count.held;
  if (protectedInstances > 0) {
    notes.push(
      `${protectedInstances} instance(s) protected from scale in keep running: Auto Scaling does not terminate them ` +
        '(remove the protection with SetInstanceProtection, or terminate them by hand)',
    );
  }
  if (waitingInstances > 0) {
    notes.push(
      `${waitingInstances} instance(s) wait in Terminating:Wait for a lifecycle hook: they run until it is completed or its heartbeat runs out`,
    );
  }
  const known = count.error === undefined ? count.remaining : started.remaining;
  const remaining = Math.max(0, known) + protectedInstances + waitingInstances;
  const report: ScaleDownReport = {
    ...started,
    reachedZero: count.error === undefined && remaining === 0,
    remaining,
    waitedMs,
  };
  if (count.error !== undefined)
    report.error = `could not read the count at the end of the wait: ${count.error}`;
  else if (count.remaining > 0)
    report.error = `${count.remaining} still running after ${Math.round(waitedMs / 1000)}s`;
  if (notes.length > 0) report.notes = notes;
  else delete report.notes;
  return report;
}
