/**
 * The forgotten-environment scan: reads AWS (forwards, registered targets, ECS and Auto Scaling
 * sizes) for every configured service and reports, in the service's channel, each slot that runs
 * without traffic while no record accounts for it (`src/domain/idle-slots.ts`). It trusts AWS, not
 * Redis, so it still works when Redis lost every record. Run periodically by one process at a time
 * (a lease), and at once, reporting everything, when a data loss is detected.
 */

import type { JobContext } from '../app/context.js';
import type { TrafficRouter } from '../app/ports/traffic-router.js';
import { runningCompute } from '../compute/registry.js';
import { dueForReport, type IdleSlot, idleSlots, type SlotReading } from '../domain/idle-slots.js';
import type { ServiceConfig } from '../domain/service.js';
import { errorMessage } from '../errors.js';
import { forgottenEnvironmentMessage } from '../messages/index.js';
import type { ScanMarks } from '../store/scan-marks.js';

const DAY_MS = 86_400_000;

export interface ScanResult {
  /** Services read. */
  scanned: number;
  /** Slots found idle (reported now or not). */
  idle: IdleSlot[];
  /** Slots reported in this pass. */
  reported: IdleSlot[];
  /** Services that could not be read or reported (retried next pass). */
  errors: { service: string; error: string }[];
}

/** What runs behind a slot, as its compute backend reads it (nothing for a webhook). */
async function computeOf(ctx: JobContext, svc: ServiceConfig, slot: string): Promise<SlotReading['compute']> {
  const target = Object.hasOwn(svc.compute, slot) ? svc.compute[slot] : undefined;
  return target ? runningCompute(target, ctx.computeFor(svc)) : undefined;
}

async function readSlots(ctx: JobContext, router: TrafficRouter, svc: ServiceConfig): Promise<SlotReading[]> {
  return Promise.all(
    Object.keys(svc.slots).map(async (slot) => {
      const { targets } = await router.slotHealth(svc, slot);
      const compute = await computeOf(ctx, svc, slot);
      const registered = targets.filter((t) => t.state !== 'draining').length;
      return compute ? { slot, registered, compute } : { slot, registered };
    }),
  );
}

async function scanService(
  ctx: JobContext,
  marks: ScanMarks,
  router: TrafficRouter,
  svc: ServiceConfig,
  reason: ScanReason,
  result: ScanResult,
): Promise<void> {
  const now = ctx.clock.now();
  const live = await router.liveSlot(svc);
  const slots = await readSlots(ctx, router, svc);
  const recent = await ctx.store.listByService(svc.name, 5);
  const idle = idleSlots({ service: svc.name, soakMs: svc.soakMs, live, slots, recent });
  const idleNames = new Set(idle.map((s) => s.slot));
  await marks.clearIdle(
    svc.name,
    slots.map((s) => s.slot).filter((s) => !idleNames.has(s)),
  );
  const found: IdleSlot[] = [];
  for (const s of idle)
    found.push({ service: svc.name, ...s, idleSince: await marks.idleSince(svc.name, s.slot, now) });
  result.idle.push(...found);
  const due = new Set(dueForReport(found, svc.soakMs, now, reason !== 'periodic'));
  const day = Math.floor(now / DAY_MS);
  const fresh: IdleSlot[] = [];
  for (const s of found) {
    if (due.has(s.slot) && !(await marks.wasReported(`${svc.name}/${s.slot}:${day}`))) fresh.push(s);
  }
  if (fresh.length === 0) return;
  // Marked only once Slack took it: a failed post is tried again on the next pass.
  await ctx.slack.post(svc.channel, forgottenEnvironmentMessage(svc.name, fresh, reason, now));
  for (const s of fresh) await marks.markReported(`${svc.name}/${s.slot}:${day}`, 2 * DAY_MS);
  result.reported.push(...fresh);
  ctx.log.warn(
    { service: svc.name, slots: fresh.map((s) => s.slot), reason },
    'forgotten environment reported',
  );
}

/**
 * Why this pass runs: `periodic` reports slots idle for longer than their soak; `loss` (Redis lost
 * its data) and `fresh-dataset` (a new dataset: a first start, or a loss no process lived through)
 * report every idle slot at once — no record will ever name them.
 */
export type ScanReason = 'periodic' | 'loss' | 'fresh-dataset';

export async function scanForgotten(
  ctx: JobContext,
  marks: ScanMarks,
  opts: { reason: ScanReason },
): Promise<ScanResult> {
  const router = ctx.router.cached();
  const result: ScanResult = { scanned: 0, idle: [], reported: [], errors: [] };
  for (const svc of Object.values(ctx.config.services)) {
    try {
      await scanService(ctx, marks, router, svc, opts.reason, result);
      result.scanned += 1;
    } catch (err) {
      result.errors.push({ service: svc.name, error: errorMessage(err) });
    }
  }
  if (result.errors.length > 0) {
    ctx.log.warn(
      { errors: result.errors.slice(0, 10), count: result.errors.length },
      'forgotten scan: some services could not be checked',
    );
  }
  return result;
}
