/**
 * The JSON body of a deployment webhook. It names the deployment and the people involved and
 * nothing else: no secrets, no tokens, nothing from the configuration beyond the service and slot
 * names (no ARNs, no channel). `deliveryId` (= the x-greenlight-delivery header) is the
 * receiver's idempotency key: a retried or re-run delivery carries the same one.
 */
import type { Deployment } from '../domain/deployment.js';
import type { HookResult } from '../domain/evidence.js';
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
    },
    sentAt: new Date(typeof sentAt === 'number' ? sentAt : Date.now()).toISOString(),
  };
}
