/** What the Slack listeners need: they record intent (store + queue) and reply; jobs do the work. */
import { randomBytes } from 'node:crypto';
import type { SlackGateway } from '../app/ports/slack.js';
import type { TrafficRouter } from '../app/ports/traffic-router.js';
import type { EventDeps } from '../app/record-event.js';
import { type Actor, groupsToResolve } from '../domain/authorization.js';
import { type Deployment, lastToMoveTraffic } from '../domain/deployment.js';
import type { GreenlightConfig, ServiceConfig } from '../domain/service.js';
import type { GroupResolver } from './usergroup-cache.js';

/** The reads the listeners may make of the load balancer; the type has no method that writes. */
export type RouterReads = Pick<TrafficRouter, 'liveSlot' | 'slotHealth' | 'slotTags'> & {
  /** A read-only router whose reads are shared for one pass over many services. */
  cached(): RouterReads;
};

export interface WebContext extends EventDeps {
  config: GreenlightConfig;
  groups: GroupResolver;
  slack: SlackGateway;
  /**
   * Read only, for what the `/deploy` form and the App Home show (which slot is live, slot health):
   * listeners never move traffic, the jobs do.
   */
  router: RouterReads;
  /** 4 hex characters for deployment ids (injectable for tests). */
  randomHex(): string;
}

export const randomHex = (): string => randomBytes(2).toString('hex');

export async function actorFor(ctx: WebContext, svc: ServiceConfig, userId: string): Promise<Actor> {
  return { userId, groups: await ctx.groups.groupsOf(userId, groupsToResolve(svc)) };
}

/** The deployment a service command acts on: the lock holder, else the most recent one. */
export async function currentDeployment(ctx: WebContext, service: string): Promise<Deployment | null> {
  const holder = await ctx.store.lockHolder(service);
  if (holder) return ctx.store.get(holder);
  const [latest] = await ctx.store.listByService(service, 1);
  return latest ?? null;
}

/** How many of a service's newest deployments `/deploy status`, the form and the Home tab read. */
export const STATUS_LOOKBACK = 20;

/**
 * What `/deploy status`, the form and the Home tab read of a service's records: its newest
 * deployments (newest first) and the one holding its lock (usually among them: read again only
 * when it is not).
 */
export async function serviceRecords(
  ctx: Pick<WebContext, 'store'>,
  service: string,
): Promise<{ recent: Deployment[]; active: Deployment | null }> {
  const [recent, holder] = await Promise.all([
    ctx.store.listByService(service, STATUS_LOOKBACK),
    ctx.store.lockHolder(service),
  ]);
  const active = holder ? (recent.find((d) => d.id === holder) ?? (await ctx.store.get(holder))) : null;
  return { recent, active };
}

/** How many of a service's newest deployments are searched for the one a Rollback acts on. */
export const ROLLBACK_LOOKBACK = 20;

/**
 * The deployment `/deploy rollback` acts on: the lock holder, else the newest that moved traffic
 * (a later blocked or cancelled one must not hide a failed switch that needs rolling back).
 */
export async function rollbackTarget(ctx: WebContext, service: string): Promise<Deployment | null> {
  const holder = await ctx.store.lockHolder(service);
  if (holder) return ctx.store.get(holder);
  const recent = await ctx.store.listByService(service, ROLLBACK_LOOKBACK);
  return lastToMoveTraffic(recent) ?? recent[0] ?? null;
}
