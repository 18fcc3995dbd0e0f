/**
 * What every job handler gets (the ports, the clock, the configuration) and the small record
 * moves they share. Slack listeners get a subset of it (src/slack/web-context.ts).
 */

import type { Deployment, MessageRefs } from '../domain/deployment.js';
import type { DeploymentEvent } from '../domain/events.js';
import type { HookResult } from '../domain/evidence.js';
import type { GreenlightConfig, ServiceConfig } from '../domain/service.js';
import { PermanentJobError } from '../errors.js';
import type { Logger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';
import type { Clock } from './clock.js';
import type { ComputeReadPorts } from './ports/compute.js';
import type { EventDelivery } from './ports/events.js';
import type { MetricsPort } from './ports/metrics.js';
import type { Scheduler } from './ports/scheduler.js';
import type { SlackGateway } from './ports/slack.js';
import type { DeploymentRepository, ForwardLock } from './ports/store.js';
import type { TrafficRouter } from './ports/traffic-router.js';
import type { WebhookRequest } from './ports/webhook.js';

export interface JobContext {
  store: DeploymentRepository;
  scheduler: Scheduler;
  /**
   * Moves production traffic between slots (the ALB forward switch: src/aws/alb-router.ts), in
   * each service's account and Region (src/aws/service-router.ts).
   */
  router: TrafficRouter;
  slack: SlackGateway;
  config: GreenlightConfig;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  /**
   * CloudWatch of the service's account and Region (its `aws:` settings): ALB metrics and alarms
   * (traffic evidence, health gates).
   */
  metricsFor: (svc: ServiceConfig) => MetricsPort;
  /** ECS and Auto Scaling of the service's account and Region: its compute. */
  computeFor: (svc: ServiceConfig) => ComputeReadPorts;
  /** POSTs a signed webhook; never throws. */
  webhook: (input: WebhookRequest) => Promise<HookResult>;
  /** The events webhook's outbox, delivery jobs and signed POST (built even without `events`: the sweep clears what waits). */
  events?: EventDelivery;
  /** Reads a secret (hook HMAC key) by environment variable name. */
  secret: (name: string) => string | undefined;
  /**
   * Held on the forward sites a switch rewrites, so two services sharing a forward never interleave; owned
   * by the deployment, fenced (see src/store/forward-lock.ts and write-guard.ts).
   */
  forwardLock: ForwardLock;
  /** How often teardown polls target health while the old slot drains. */
  drainPollMs: number;
  /** How often the precheck looks at a slot's targets while they pass their first health checks. */
  healthPollMs: number;
  /** How often scale-down polls ECS / Auto Scaling while the old slot's compute goes to zero. */
  computePollMs: number;
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
