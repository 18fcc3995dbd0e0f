/**
 * The JSON body of a deployment webhook. It names the deployment and the people involved and
 * nothing else: no secrets, no tokens, nothing from the configuration beyond the service and slot
 * names (no ARNs, no channel). `deliveryId` (= the x-greenlight-delivery header) is the
 * receiver's idempotency key: a retried or re-run delivery carries the same one.
 */
import type { Deployment } from '../domain/deployment.js';
import type { HookResult } from '../domain/evidence.js';
import { type SlotVersion, versionSummary } from '../domain/slot-version.js';
import type { State } from '../domain/states.js';

export interface HookPayload {
  hook: HookResult['hook'];
  deliveryId: string;
  deployment: {
    id: string;
    service: string;
    fromSlot: string | null;
    toSlot: string;
    requester: string;
    /** Why the requester asked, as typed; null when they gave no reason. */
    requestReason: string | null;
    approvedBy: string | null;
    state: State;
    /**
     * What ran on each slot when the precheck read them: a line for people (`1.42.0 (3f9c2e1), task
     * definition checkout:88`, null when nothing is known), the target group's version tags and what
     * the compute runs. Empty before the precheck.
     */
    slots: Record<string, { summary: string | null } & SlotVersion>;
  };
  /** ISO 8601 time the payload was built. */
  sentAt: string;
  /** Anything the caller adds (e.g. `reason`); it cannot replace the fields above. */
  [extra: string]: unknown;
}

/** `<deploymentId>-<hook>`: stable across retries and job re-runs. */
export function deliveryIdFor(deploymentId: string, hook: HookResult['hook']): string {
  return `${deploymentId}-${hook}`;
}

export function hookPayload(
  hook: HookResult['hook'],
  d: Deployment,
  extra: { sentAt?: number } & Record<string, unknown> = {},
): HookPayload {
  const { sentAt, ...rest } = extra;
  return {
    ...rest,
    hook,
    deliveryId: deliveryIdFor(d.id, hook),
    deployment: {
      id: d.id,
      service: d.service,
      fromSlot: d.fromSlot,
      toSlot: d.toSlot,
      requester: d.requester,
      requestReason: d.requestReason ?? null,
      approvedBy: d.approvedBy ?? null,
      state: d.state,
      slots: Object.fromEntries(
        Object.entries(d.slotVersions ?? {}).map(([slot, v]) => [
          slot,
          // The record keeps only the configured tag keys, in their configured order.
          { summary: versionSummary(v, Object.keys(v.tags)), ...v },
        ]),
      ),
    },
    sentAt: new Date(typeof sentAt === 'number' ? sentAt : Date.now()).toISOString(),
  };
}
