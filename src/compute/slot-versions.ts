/**
 * Reads what runs on each slot of a service (src/domain/slot-version.ts): the tags of the slots'
 * target groups, one DescribeTags for up to 20 of them, and what each slot's compute runs. Best
 * effort and never throws: a read that fails is a problem shown with the slot, not a failure of
 * the deployment, since nothing here decides whether traffic may move.
 */

import type { ComputeReadPorts } from '../app/ports/compute.js';
import type { TrafficRouter } from '../app/ports/traffic-router.js';
import type { ServiceConfig } from '../domain/service.js';
import { DEFAULT_VERSION_TAGS, type SlotVersion } from '../domain/slot-version.js';
import { errorMessage } from '../errors.js';
import { computeVersion } from './registry.js';

export interface SlotVersionDeps extends ComputeReadPorts {
  router: Pick<TrafficRouter, 'slotTags'>;
}

/** A failure in a line a person reads: short, one line. */
function problem(what: string, err: unknown): string {
  return `${what}: ${errorMessage(err).replace(/\s+/g, ' ').slice(0, 160)}`;
}

export async function readSlotVersions(
  deps: SlotVersionDeps,
  svc: ServiceConfig,
): Promise<Record<string, SlotVersion>> {
  const keys = svc.versionTags ?? DEFAULT_VERSION_TAGS;
  const slots = Object.keys(svc.slots);
  const tagRead = deps.router.slotTags(svc).then(
    (tags) => ({ tags }),
    (err: unknown) => ({ error: problem('target group tags', err) }),
  );
  const computeReads = slots.map(async (slot): Promise<{ lines: string[]; error?: string }> => {
    const target = svc.compute[slot];
    if (!target) return { lines: [] };
    try {
      return { lines: await computeVersion(target, deps) };
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
