/**
 * Scales the compute behind a drained slot to zero and waits for it, bounded:
 * - ECS service: DescribeServices (the previous desired count is recorded), UpdateService
 *   desiredCount 0, then poll until running + pending tasks = 0. A service being deleted
 *   (DRAINING, INACTIVE) cannot be updated: nothing to do, said in the report.
 * - Auto Scaling group: DescribeAutoScalingGroups (previous min/desired/max recorded) and its
 *   terminating lifecycle hooks, UpdateAutoScalingGroup MinSize 0 + DesiredCapacity 0 (MaxSize is
 *   left alone), then poll until the group has no instance left that is not terminated — except
 *   instances protected from scale in, which Auto Scaling never terminates (reported).
 * - Webhook: POST `{ event: 'scaleDown', deliveryId, deploymentId, service, slot }`; reached zero
 *   when it answers 2xx (what the receiver does is its business).
 *
 * Idempotent: a re-run after a crash reads the current sizes, skips the update when they are
 * already 0 and waits again. `previous` is what *this* run read, so on a re-run it may be 0: the
 * caller keeps the report of the first run (it is stored on the deployment) and does not
 * overwrite a recorded `previous` with a later one.
 *
 * Errors: a service/group that does not exist (or an ECS cluster that does not) gives a report
 * with `error` and reachedZero false, nothing thrown. A failed first describe or a failed update
 * throws the AwsCallError (the caller decides: the job retries). Describe failures while polling
 * are blips: polling goes on until the bound; if the last read failed the report says so.
 */
import type { ComputeTarget } from '../config/evidence-schema.js';
import { formatDuration } from '../domain/duration.js';
import type { HookResult, ScaleDownReport } from '../domain/evidence.js';
import { errorMessage } from '../errors.js';
import type { AsgPort, EcsPort, TerminationHook } from './compute-port.js';
import { AwsCallError } from './elb-port.js';

export interface ScaleDownDeps {
  ecs: EcsPort;
  asg: AsgPort;
  webhook: (url: string, body: unknown) => Promise<HookResult>;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  pollMs: number;
  timeoutMs: number;
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

/**
 * Reads `count` every `pollMs` until it is 0 or `timeoutMs` has passed since `startedAt`.
 * `count` returns null when the resource disappeared (deleted: nothing left running).
 * The number of reads is bounded too, so a clock that does not move cannot loop forever.
 */
async function waitForZero(
  deps: ScaleDownDeps,
  startedAt: number,
  initial: number,
  count: () => Promise<number | null>,
): Promise<{ reachedZero: boolean; remaining: number; waitedMs: number; error?: string }> {
  const deadline = startedAt + Math.max(0, deps.timeoutMs);
  const pollMs = Math.max(1, deps.pollMs);
  const maxReads = Math.ceil(Math.max(0, deps.timeoutMs) / pollMs) + 1;
  let remaining = initial;
  let lastError: string | undefined;
  for (let read = 1; ; read++) {
    try {
      remaining = (await count()) ?? 0;
      lastError = undefined;
    } catch (err) {
      lastError = errorMessage(err);
    }
    const waitedMs = Math.max(0, deps.now() - startedAt);
    if (lastError === undefined && remaining === 0) return { reachedZero: true, remaining: 0, waitedMs };
    const left = deadline - deps.now();
    if (left <= 0 || read >= maxReads) {
      const out: { reachedZero: boolean; remaining: number; waitedMs: number; error?: string } = {
        reachedZero: false,
        remaining,
        waitedMs,
      };
      out.error =
        lastError !== undefined
          ? `could not read the count at the end of the wait: ${lastError}`
          : `${remaining} still running after ${Math.round(waitedMs / 1000)}s`;
      return out;
    }
    await deps.sleep(Math.min(pollMs, left));
  }
}

/** ECS statuses of a service being deleted: it runs down by itself and cannot be updated. */
const NOT_ACTIVE = new Set(['DRAINING', 'INACTIVE']);

function notActiveNote(name: string, status: string): string {
  return status === 'DRAINING'
    ? `ECS service ${name} is DRAINING (being deleted): its tasks stop by themselves, nothing to scale down`
    : `ECS service ${name} is INACTIVE (deleted): nothing to scale down`;
}

async function scaleDownEcs(
  target: { cluster: string; service: string },
  deps: ScaleDownDeps,
): Promise<ScaleDownReport> {
  const startedAt = deps.now();
  const name = `${target.cluster}/${target.service}`;
  const base = { kind: 'ecs' as const, target: name };
  let current: Awaited<ReturnType<EcsPort['describeService']>>;
  try {
    current = await deps.ecs.describeService(target.cluster, target.service);
  } catch (err) {
    if (err instanceof AwsCallError && err.code === 'ClusterNotFound') {
      return {
        ...base,
        reachedZero: false,
        remaining: 0,
        waitedMs: 0,
        error: `ECS cluster ${target.cluster} not found`,
      };
    }
    throw err;
  }
  if (current === null) {
    return { ...base, reachedZero: false, remaining: 0, waitedMs: 0, error: `ECS service ${name} not found` };
  }
  const previous = { desired: current.desired };
  const notes: string[] = [];
  // A service being deleted (DRAINING, then INACTIVE) cannot be updated (ServiceNotActiveException)
  // and keeps no task: only wait for its tasks to stop.
  if (NOT_ACTIVE.has(current.status)) notes.push(notActiveNote(name, current.status));
  else if (current.desired !== 0) {
    try {
      await deps.ecs.updateDesiredCount(target.cluster, target.service, 0);
    } catch (err) {
      // Deleted between the describe and the update.
      if (!(err instanceof AwsCallError && err.code === 'ServiceNotActive')) throw err;
      notes.push(notActiveNote(name, 'DRAINING'));
    }
  }
  const waited = await waitForZero(deps, startedAt, current.running + current.pending, async () => {
    const s = await deps.ecs.describeService(target.cluster, target.service);
    return s === null ? null : s.running + s.pending;
  });
  return { ...base, previous, ...waited, ...(notes.length > 0 ? { notes } : {}) };
}

function hookNote(hooks: TerminationHook[]): string {
  const list = hooks.map((h) => `${h.name} (heartbeat ${formatDuration(h.heartbeatTimeoutSeconds * 1000)})`);
  return (
    `lifecycle hook ${list.join(', ')} on termination: instances wait in Terminating:Wait until the ` +
    'hook is completed or its heartbeat runs out'
  );
}

/**
 * Protected instances (ProtectedFromScaleIn) are never terminated by a scale-in: the group's
 * desired capacity goes to 0 but "the Auto Scaling group can't terminate the required number of
 * instances until their instance scale-in protection settings are disabled" (EC2 Auto Scaling
 * user guide, "Use instance scale-in protection"). The wait is for the others; the report says
 * which keep running and why. A lifecycle hook on termination can hold instances in
 * `Terminating:Wait` for its heartbeat timeout (default 1 h): said too.
 */
async function scaleDownAsg(target: { name: string }, deps: ScaleDownDeps): Promise<ScaleDownReport> {
  const startedAt = deps.now();
  const base = { kind: 'asg' as const, target: target.name };
  const current = await deps.asg.describeGroup(target.name);
  if (current === null) {
    return {
      ...base,
      reachedZero: false,
      remaining: 0,
      waitedMs: 0,
      error: `Auto Scaling group ${target.name} not found`,
    };
  }
  const notes: string[] = [];
  // Only to explain what keeps instances alive: a failed look is said, not a failed teardown.
  const hooks = await deps.asg.describeTerminationHooks(target.name).catch((err: unknown) => {
    notes.push(`could not read the group's lifecycle hooks (${errorMessage(err)})`);
    return [] as TerminationHook[];
  });
  const previous = { min: current.min, desired: current.desired, max: current.max };
  if (current.min !== 0 || current.desired !== 0) {
    await deps.asg.updateGroup(target.name, { min: 0, desired: 0 });
  }
  if (hooks.length > 0) notes.push(hookNote(hooks));
  // Wait for the instances Auto Scaling terminates; not for those it will not (protected from
  // scale in) nor, once they are all that is left, for those a lifecycle hook holds.
  let last = current;
  const waited = await waitForZero(deps, startedAt, current.instances, async () => {
    const g = await deps.asg.describeGroup(target.name);
    if (g === null) return null;
    last = g;
    return g.instances - g.protectedInstances - g.waitingInstances;
  });
  const held = last.protectedInstances + last.waitingInstances;
  if (last.protectedInstances > 0) {
    notes.push(
      `${last.protectedInstances} instance(s) protected from scale in keep running: Auto Scaling does not terminate them ` +
        '(remove the protection with SetInstanceProtection, or terminate them by hand)',
    );
  }
  if (last.waitingInstances > 0) {
    notes.push(
      `${last.waitingInstances} instance(s) wait in Terminating:Wait for a lifecycle hook: they run until it is completed or its heartbeat runs out`,
    );
  }
  const report: ScaleDownReport = { ...base, previous, ...waited, ...(notes.length > 0 ? { notes } : {}) };
  return held > 0 ? { ...report, reachedZero: false, remaining: waited.remaining + held } : report;
}

async function scaleDownWebhook(
  url: string,
  deps: ScaleDownDeps,
  context: ScaleDownContext,
): Promise<ScaleDownReport> {
  const result = await deps.webhook(url, scaleDownWebhookBody(context));
  const report: ScaleDownReport = {
    kind: 'webhook',
    target: url,
    reachedZero: result.ok,
    remaining: 0,
    waitedMs: result.durationMs,
  };
  if (!result.ok) {
    const status = result.status === null ? 'no answer' : `HTTP ${result.status}`;
    report.error = `webhook answered ${status}${result.excerpt ? `: ${result.excerpt}` : ''}`;
  }
  return report;
}

export async function scaleDown(
  target: ComputeTarget,
  deps: ScaleDownDeps,
  context: ScaleDownContext,
): Promise<ScaleDownReport> {
  switch (target.kind) {
    case 'ecs':
      return scaleDownEcs(target, deps);
    case 'asg':
      return scaleDownAsg(target, deps);
    case 'webhook':
      return scaleDownWebhook(target.url, deps, context);
  }
}
