/**
 * What every job handler gets, and the two moves they all make: apply a state-machine event to
 * the stored record (optimistic concurrency, then the queue effects), and post a thread message
 * at most once per deployment (idempotent re-runs post nothing twice).
 */
import type { AsgPort, EcsPort } from '../aws/compute-port.js';
import type { ElbPort } from '../aws/elb-port.js';
import type { MetricsPort } from '../aws/metrics-port.js';
import type { GreenlightConfig, ServiceConfig } from '../config/schema.js';
import { type Deployment, type MessageRefs, TERMINAL_STATES } from '../domain/deployment.js';
import type { HookResult } from '../domain/evidence.js';
import { type DeploymentEvent, type TransitionResult, transition } from '../domain/state-machine.js';
import { errorMessage, PermanentJobError } from '../errors.js';
import type { callWebhook } from '../hooks/webhook.js';
import type { Logger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';
import type { JobScheduler } from '../queue/queue.js';
import type { SlackGateway } from '../slack/gateway.js';
import type { DeploymentStore } from '../store/deployment-store.js';
import type { ListenerLock } from '../store/listener-lock.js';

/** Time for the jobs (injectable: tests and the sandbox move it). Jobs never sleep: a wait is a delayed job. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface JobContext {
  store: DeploymentStore;
  scheduler: JobScheduler;
  elb: ElbPort;
  slack: SlackGateway;
  config: GreenlightConfig;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  /** CloudWatch: ALB metrics and alarms (traffic evidence, health gates). */
  cloudwatch: MetricsPort;
  ecs: EcsPort;
  asg: AsgPort;
  /** POSTs a signed webhook; never throws. */
  webhook: (input: Parameters<typeof callWebhook>[0]) => Promise<HookResult>;
  /** Reads a secret (hook HMAC key) by environment variable name. */
  secret: (name: string) => string | undefined;
  /**
   * Held while forwards are rewritten, so two services sharing a listener never interleave; owned
   * by the deployment, fenced (see listener-lock.ts and write-guard.ts).
   */
  listenerLock: Pick<ListenerLock, 'withListeners'>;
  /** How often teardown polls target health while the old slot drains. */
  drainPollMs: number;
  /** How often the precheck looks at a slot's targets while they pass their first health checks. */
  healthPollMs: number;
  /** How often scale-down polls ECS / Auto Scaling while the old slot's compute goes to zero. */
  computePollMs: number;
}

/** What applying an event needs: the Slack listeners use it too (they record intent this way). */
export type EventDeps = Pick<JobContext, 'store' | 'scheduler' | 'clock' | 'log' | 'metrics'>;

export type EventOutcome =
  | { ok: true; deployment: Deployment }
  | { ok: false; code: string; message: string; deployment?: Deployment };

/** Applies `event` to the stored record; on success runs the transition's queue effects. */
export async function applyEvent(ctx: EventDeps, id: string, event: DeploymentEvent): Promise<EventOutcome> {
  const outcome = await ctx.store.update<TransitionResult>(id, (current) => {
    const result = transition(current, event, ctx.clock.now());
    return { next: result.ok ? result.deployment : null, result };
  });
  if (!outcome.found) return { ok: false, code: 'not_found', message: `Deployment ${id} does not exist.` };
  if (outcome.lockedBy) {
    return {
      ok: false,
      code: 'locked',
      message: `${outcome.deployment.service} is busy with deployment ${outcome.lockedBy}; finish or cancel it first.`,
      deployment: outcome.deployment,
    };
  }
  const result = outcome.result;
  if (!result.ok)
    return { ok: false, code: result.code, message: result.message, deployment: outcome.deployment };
  if (outcome.written) {
    try {
      await ctx.scheduler.apply(outcome.deployment, result.effects);
    } catch (err) {
      // The transition is recorded; the worker's reconcile loop enqueues what the state needs.
      ctx.log.warn({ deployment: id, err: errorMessage(err) }, 'could not enqueue a job');
    }
    if (TERMINAL_STATES.includes(outcome.deployment.state)) {
      ctx.metrics.deploymentFinished(outcome.deployment.service, outcome.deployment.state);
    }
    ctx.log.info(
      { deployment: id, event: event.type, state: outcome.deployment.state },
      `deployment ${id}: ${event.type} → ${outcome.deployment.state}`,
    );
  }
  return { ok: true, deployment: outcome.deployment };
}

export async function loadDeployment(ctx: JobContext, id: string): Promise<Deployment> {
  const d = await ctx.store.get(id);
  if (!d) throw new PermanentJobError('GL_DEPLOYMENT_NOT_FOUND', `deployment ${id} does not exist`);
  return d;
}

export function serviceOf(ctx: JobContext, d: Deployment): ServiceConfig {
  const svc = ctx.config.services[d.service];
  if (!svc) {
    throw new PermanentJobError(
      'GL_SERVICE_NOT_CONFIGURED',
      `service ${d.service} is no longer in the configuration`,
    );
  }
  return svc;
}

/** Writes a change to the stored record outside the state machine (`null`: nothing to write). */
export async function patchDeployment(
  ctx: Pick<JobContext, 'store'>,
  id: string,
  patch: (cur: Deployment) => Deployment | null,
): Promise<Deployment | null> {
  const out = await ctx.store.update<null>(id, (cur) => ({ next: patch(cur), result: null }));
  return out.found ? out.deployment : null;
}

export function patchMessages(
  ctx: JobContext,
  id: string,
  patch: (m: MessageRefs) => MessageRefs,
): Promise<Deployment | null> {
  return patchDeployment(ctx, id, (cur) => ({ ...cur, messages: patch(cur.messages) }));
}

/** Records posted-keys (those not recorded yet), in one write. */
export async function markPosted(ctx: JobContext, id: string, ...keys: string[]): Promise<void> {
  await patchMessages(ctx, id, (m) => {
    const fresh = keys.filter((k, i) => !m.posted.includes(k) && keys.indexOf(k) === i);
    return fresh.length === 0 ? m : { ...m, posted: [...m.posted, ...fresh] };
  });
}

/** A deployment that failed, the failure being recorded by `event` (the last history entry). */
export function failedWith(d: Deployment, event: DeploymentEvent['type']): boolean {
  return d.state === 'failed' && d.history.at(-1)?.event === event;
}
