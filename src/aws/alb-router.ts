/**
 * The traffic router on an Application Load Balancer (src/app/ports/traffic-router.ts): production
 * traffic follows the weighted forwards of the service's listeners and rules; each slot keeps a
 * preview rule so that AWS health-checks it; draining is deregistering the slot's targets.
 */
import type { ElbPort } from '../app/ports/elb.js';
import type { TrafficRouter } from '../app/ports/traffic-router.js';
import { findForwardSites } from '../domain/forwards.js';
import type { ServiceConfig } from '../domain/service.js';
import { cachedReads } from './cached-reads.js';
import { startDrain, stillDraining } from './drain.js';
import { detachSlot, ensurePreviewRules, previewRuleTest } from './preview-rules.js';
import { healthCheckTiming, readLiveSlot, readPrecheck, readSlotHealth } from './read-precheck.js';
import {
  readListeners,
  type SwitchRequest,
  sitesToRewrite,
  switchForwards,
  verifyConfiguration,
} from './switch-forwards.js';
import { timeElbPort } from './timed-elb-port.js';

export interface AlbRouterOptions {
  /** How a failed switch's put-back retries (tests shorten the backoff). */
  restore?: SwitchRequest['restore'];
  /**
   * The same port with listener and rule reads shared while in flight (sharedReads: give the
   * router its `fresh` port and this): used by the precheck's reads and a switch's plan before
   * it locks. Absent: every read is fresh.
   */
  shared?: ElbPort;
}

function slotArn(svc: ServiceConfig, slot: string): string {
  const arn = svc.slots[slot];
  if (arn === undefined) throw new Error(`"${slot}" is not a slot of ${svc.name}`);
  return arn;
}

/**
 * Which reads may be shared (`opts.shared`): the precheck's (the cutover checks health again and
 * plans again under its lock) and the plan a switch locks by (the switch reads again under the
 * lock). Everything a decision rests on reads fresh: the switch itself, read-back and the scan of
 * verification, the live slot for drift, health before a switch, draining.
 */
export function createAlbRouter(elb: ElbPort, opts: AlbRouterOptions = {}): TrafficRouter {
  const reads = opts.shared ?? elb;
  const forwards = (svc: ServiceConfig) => ({
    listenerArns: svc.listeners,
    slots: svc.slots,
    isPreviewRule: previewRuleTest(svc),
  });
  return {
    precheck: (svc, targetSlot, o) => readPrecheck(reads, svc, targetSlot, { ...o, attachWith: elb }),
    liveSlot: (svc) => readLiveSlot(elb, svc),
    async forwardSites(svc) {
      const snap = await readListeners(elb, svc.listeners, previewRuleTest(svc));
      return findForwardSites(snap.listeners, snap.rulesByListener, svc.slots);
    },
    slotHealth: (svc, slot) => readSlotHealth(elb, slot, slotArn(svc, slot)),
    async slotTags(svc) {
      const slots = Object.entries(svc.slots);
      const byArn = await elb.describeTags(slots.map(([, arn]) => arn));
      return Object.fromEntries(slots.map(([slot, arn]) => [slot, byArn[arn] ?? {}]));
    },
    async healthCheckTiming(svc, slot) {
      const [group] = await elb.describeTargetGroups([slotArn(svc, slot)]);
      return healthCheckTiming(group);
    },
    attachSlots: async (svc, slots) => (await ensurePreviewRules(elb, svc, slots)).created,
    detachSlot: (svc, slot) => detachSlot(elb, svc, slot),
    sitesToRewrite: (svc, targetSlot) => sitesToRewrite(reads, { ...forwards(svc), targetSlot }),
    switchTo: (svc, targetSlot, fence = {}) =>
      switchForwards(elb, {
        ...forwards(svc),
        targetSlot,
        ...(fence.beforeFirstModify ? { beforeFirstModify: fence.beforeFirstModify } : {}),
        ...(fence.beforeEachWrite ? { beforeEachWrite: fence.beforeEachWrite } : {}),
        ...(fence.lockedSites ? { lockedSites: fence.lockedSites } : {}),
        ...(opts.restore ? { restore: opts.restore } : {}),
      }),
    verify: (svc, targetSlot, oldSlot) => verifyConfiguration(elb, { ...forwards(svc), targetSlot, oldSlot }),
    startDrain: (svc, slot) => startDrain(elb, slotArn(svc, slot)),
    stillDraining: (svc, slot, leaving) => stillDraining(elb, slotArn(svc, slot), leaving),
    timed() {
      const timed = timeElbPort(elb);
      const timedShared = opts.shared ? timeElbPort(opts.shared) : undefined;
      return {
        router: createAlbRouter(timed.port, {
          ...opts,
          ...(timedShared ? { shared: timedShared.port } : {}),
        }),
        awsMs: () => timed.awsMs() + (timedShared?.awsMs() ?? 0),
      };
    },
    cached() {
      const cached = cachedReads(elb);
      return createAlbRouter(cached, { ...opts, shared: cached });
    },
  };
}
