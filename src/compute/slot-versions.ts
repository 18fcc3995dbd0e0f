/**
 * Reads what runs on each slot of a service (src/domain/slot-version.ts): the tags of the slots'
 * target groups, one DescribeTags for up to 20 of them, and what each slot's compute runs. Best
 * effort and never throws: a read that fails is a problem shown with the slot, not a failure of
 * the deployment, since nothing here decides whether traffic may move. Bounded: a read still
 * going after SLOT_VERSION_DEADLINE_MS is given up (the SDK's own retries could hold the
 * precheck's prompt for a minute).
 */

import type { ComputeReadPorts } from '../app/ports/compute.js';
import type { TrafficRouter } from '../app/ports/traffic-router.js';
import { beforeDeadline, TOO_LATE } from '../domain/deadline.js';
import type { ServiceConfig } from '../domain/service.js';
import type { SlotVersion } from '../domain/slot-version.js';
import { errorMessage } from '../errors.js';
import { computeVersion } from './registry.js';

export interface SlotVersionDeps extends ComputeReadPorts {
  router: Pick<TrafficRouter, 'slotTags'>;
}

/** How long the precheck waits for what runs on the slots before it goes on without it. */
const SLOT_VERSION_DEADLINE_MS = 5_000;

/** `read`, or a rejection saying it took too long once `ms` have passed. */
async function bounded<T>(read: Promise<T>, ms: number): Promise<T> {
  const r = await beforeDeadline(read, ms);
  if (r === TOO_LATE) throw new Error(`no answer within ${ms / 1000} s`);
  return r;
}

/** A failure in a line a person reads: short, one line. */
function problem(what: string, err: unknown): string {
  return `${what}: ${errorMessage(err).replace(/\s+/g, ' ').slice(0, 160)}`;
}

export async function readSlotVersions(
  deps: SlotVersionDeps,
  svc: ServiceConfig,
  deadlineMs = SLOT_VERSION_DEADLINE_MS,
): Promise<Record<string, SlotVersion>> {
  const keys = svc.versionTags;
  const slots = Object.keys(svc.slots);
  const tagRead = bounded(deps.router.slotTags(svc), deadlineMs).then(
    (tags) => ({ tags }),
    (err: unknown) => ({ error: problem('target group tags', err) }),
  );
  const computeReads = slots.map(async (slot): Promise<{ lines: string[]; error?: string }> => {
    const target = svc.compute[slot];
    if (!target) return { lines: [] };
    try {
      return { lines: await bounded(computeVersion(target, deps), deadlineMs) };
    } catch (err) {
      return { lines: [], error: problem('compute', err) };
    }
  });
  const [tagged, ...computed] = await Promise.all([tagRead, ...computeReads]);
  const out: Record<string, SlotVersion> = {};
  slots.forEach((slot, i) => {
    const all = 'tags' in tagged ? (tagged.tags[slot] ?? {}) : {};
    const tags: Record<string, string> = {};
    for (const k of keys) if (all[k] !== undefined) tags[k] = all[k];
    const c = computed[i] ?? { lines: [] };
    const problems = [...('error' in tagged ? [tagged.error] : []), ...(c.error ? [c.error] : [])];
    out[slot] = { tags, compute: c.lines, ...(problems.length > 0 ? { problems } : {}) };
  });
  return out;
}
