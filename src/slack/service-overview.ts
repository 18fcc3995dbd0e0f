/**
 * Reads what the `/deploy` form and the App Home show of each service (src/messages/service-overview.ts):
 * the records `/deploy status` reads (the lock holder, the recent deployments, the slots still
 * running after the last cutover) and the live slot from the router's own read
 * (`TrafficRouter.liveSlot`, the read the forgotten-environment scan makes, shared across the
 * services of one pass with `cached()`). A read that fails or takes longer than
 * OVERVIEW_READ_TIMEOUT_MS falls back to what the records say; the surfaces say which they show.
 * Slot health is read only when asked (the form: the services of one channel).
 */
import { forgottenSlots } from '../domain/cost.js';
import { beforeDeadline, TOO_LATE } from '../domain/deadline.js';
import type { Deployment } from '../domain/deployment.js';
import { recordedLiveSlot } from '../domain/expected-slot.js';
import type { LiveSlot, SlotHealth } from '../domain/reports.js';
import type { ServiceConfig } from '../domain/service.js';
import { versionSummary } from '../domain/slot-version.js';
import type { LiveSource, ServiceOverview, SlotOverview } from '../messages/index.js';
import { serviceRecords, type WebContext } from './web-context.js';

/** A surface waits this long for the load balancer before showing what the records say. */
export const OVERVIEW_READ_TIMEOUT_MS = 2_000;

export interface OverviewOptions {
  /** Read each slot's target health too (one call per slot). */
  health?: boolean;
  /**
   * Read each slot's version tags now (one DescribeTags per service); otherwise, and when that read
   * fails, versions are as the newest precheck recorded them.
   */
  liveVersions?: boolean;
  /**
   * Read health and version tags for this service only (the one chosen in the form, whose slots
   * alone are listed); the others get their live slot and recorded versions.
   */
  only?: string;
}

/** `p`'s value, or undefined when it fails or takes longer than `ms`. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  const r = await beforeDeadline(
    p.catch(() => undefined),
    ms,
  );
  return r === TOO_LATE ? undefined : r;
}

/**
 * Each slot's version line: its target group's version tags when they were read now (`live`;
 * only the tags: what the compute runs is read by the precheck), else, and for a slot the read
 * left out, what the newest precheck recorded.
 */
function slotVersionTexts(
  svc: ServiceConfig,
  newestFirst: readonly Deployment[],
  live: Record<string, Record<string, string>> | undefined,
): Record<string, string> {
  const keys = svc.versionTags;
  const recorded = newestFirst.find((d) => d.slotVersions !== undefined)?.slotVersions ?? {};
  const out: Record<string, string> = {};
  for (const slot of Object.keys(svc.slots)) {
    const read = live?.[slot];
    const text =
      read !== undefined
        ? versionSummary({ tags: read, compute: [] }, keys)
        : versionSummary(recorded[slot], keys);
    if (text) out[slot] = text;
  }
  return out;
}

/** Each configured slot's state, given the live slot. */
export function slotStates(svc: ServiceConfig, live: LiveSlot | undefined): SlotOverview[] {
  return Object.keys(svc.slots).map((name) => ({
    name,
    state: live === undefined ? 'unknown' : live === 'mixed' ? 'mixed' : live === name ? 'live' : 'idle',
  }));
}

async function overviewOf(
  ctx: WebContext,
  router: WebContext['router'],
  svc: ServiceConfig,
  now: number,
  opts: OverviewOptions,
): Promise<ServiceOverview> {
  const detailed = opts.only === undefined || opts.only === svc.name;
  // The records, the live slot, the slots' health and their version tags, read at once, the load
  // balancer's each within the surface's wait.
  const [{ recent, active }, read, health, tags] = await Promise.all([
    serviceRecords(ctx, svc.name),
    within(router.liveSlot(svc), OVERVIEW_READ_TIMEOUT_MS),
    opts.health && detailed
      ? Promise.all(
          Object.keys(svc.slots).map((slot) =>
            within<SlotHealth>(router.slotHealth(svc, slot), OVERVIEW_READ_TIMEOUT_MS),
          ),
        )
      : undefined,
    opts.liveVersions && detailed ? within(router.slotTags(svc), OVERVIEW_READ_TIMEOUT_MS) : undefined,
  ]);
  let live: LiveSlot | undefined = read;
  let liveSource: LiveSource | undefined = read !== undefined ? 'load balancer' : undefined;
  if (live === undefined) {
    live = recordedLiveSlot(recent);
    if (live !== undefined) liveSource = 'records';
  }
  const slots = slotStates(svc, live);
  const versions = slotVersionTexts(svc, recent, tags);
  for (const s of slots) {
    const v = versions[s.name];
    if (v) s.version = v;
  }
  if (health) {
    slots.forEach((s, i) => {
      const h = health[i];
      if (h) s.health = h;
    });
  }
  // As `/deploy status`: the newest deployment that switched traffic says what it left running.
  const latestSwitch = recent.find((d) => d.cutover !== undefined);
  const kept = forgottenSlots(latestSwitch ? [latestSwitch] : [], { [svc.name]: svc }, now);
  return {
    name: svc.name,
    channel: svc.channel,
    live,
    ...(liveSource ? { liveSource } : {}),
    slots,
    active,
    last: recent[0] ?? null,
    kept,
  };
}

/** The overview of each of `services`, in their order; the load balancer is read once per pass. */
export async function readOverviews(
  ctx: WebContext,
  services: readonly ServiceConfig[],
  opts: OverviewOptions = {},
): Promise<ServiceOverview[]> {
  const router = ctx.router.cached();
  const now = ctx.clock.now();
  return Promise.all(services.map((svc) => overviewOf(ctx, router, svc, now, opts)));
}

/** What a surface shows before anything was read: the configured slots, status unknown. */
export function configOverview(svc: ServiceConfig): ServiceOverview {
  return {
    name: svc.name,
    channel: svc.channel,
    live: undefined,
    slots: slotStates(svc, undefined),
    active: null,
    last: null,
    kept: [],
  };
}
