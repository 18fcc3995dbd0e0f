/**
 * The body of one events-webhook event: a state transition of a deployment, built from the record
 * right after the transition (in the same step that stores it, src/store/event-outbox.ts) and
 * sent as built, byte for byte, on every attempt. Shaped as Standard Webhooks recommends
 * (`type`, `timestamp`, `data`). It holds no secrets and nothing from the configuration beyond
 * the service and slot names: no ARNs, no URLs past their host, no channel. Pure.
 */
import type { Deployment, HistoryEntry } from './deployment.js';
import type { DeploymentReason } from './reasons.js';
import { redactUrls } from './redact.js';
import { versionSummary } from './slot-version.js';
import type { State } from './states.js';

const TRANSITION_EVENT_TYPE = 'deployment.transition';

export interface TransitionEvent {
  /** `<deploymentId>-v<record version>`: stable across retries; the webhook-id header. */
  id: string;
  type: typeof TRANSITION_EVENT_TYPE;
  /** ISO 8601 time of the transition (not of the delivery). */
  timestamp: string;
  data: {
    deploymentId: string;
    service: string;
    /** The record version this transition produced (1: the request that created it). */
    version: number;
    /** null for the request that created the deployment. */
    fromState: State | null;
    toState: State;
    /** What moved it: `requested`, `approve`, `cutover_succeeded`, `rollback`, … */
    event: string;
    /** Slack user id of who acted, `greenlight` when Greenlight acted by itself; null: a job step. */
    by: string | null;
    /** ISO 8601, as `timestamp`. */
    at: string;
    /** Why (a failure, a cancel, a rollback): a code and its parameters; null when none. */
    reason: DeploymentReason | null;
    /** Plain words the transition recorded (`old slot kept for 1d`); null when none. */
    detail: string | null;
    requester: string;
    /** Why the requester asked, as typed; null when they gave no reason. */
    requestReason: string | null;
    fromSlot: string | null;
    toSlot: string;
    /** What ran on each slot when the precheck read them, one line each; absent before that. */
    slots?: Record<string, string | null>;
  };
}

/** The event id of the transition that produced record `version`. No `.` (the spec forbids it in ids). */
export function transitionEventId(deploymentId: string, version: number): string {
  return `${deploymentId}-v${version}`;
}

const ARN = /\barn:aws[a-z-]*:[^\s"'<>,;()]+/gi;

/** ARNs and URLs out of a text meant for an outside receiver. */
function scrubText(text: string): string {
  return redactUrls(text).replace(ARN, '[arn]');
}

/** A reason with ARNs and URLs out of its texts. */
export function scrubReason(r: DeploymentReason): DeploymentReason {
  const params = Object.fromEntries(
    Object.entries(r.params).map(([k, v]) => [k, typeof v === 'string' ? scrubText(v) : v]),
  );
  return { code: r.code, params } as DeploymentReason;
}

/** The event for history entry `entry` of `d` (the record as written), which made it `version`. */
export function transitionEvent(d: Deployment, entry: HistoryEntry, version: number): TransitionEvent {
  const at = new Date(entry.at).toISOString();
  const slots = d.slotVersions
    ? Object.fromEntries(
        Object.entries(d.slotVersions).map(([slot, v]) => {
          const line = versionSummary(v, Object.keys(v.tags));
          return [slot, line === null ? null : scrubText(line)];
        }),
      )
    : undefined;
  return {
    id: transitionEventId(d.id, version),
    type: TRANSITION_EVENT_TYPE,
    timestamp: at,
    data: {
      deploymentId: d.id,
      service: d.service,
      version,
      fromState: version === 1 ? null : entry.from,
      toState: entry.to,
      event: entry.event,
      by: entry.by ?? null,
      at,
      reason: entry.reason ? scrubReason(entry.reason) : null,
      detail: entry.detail === undefined ? null : scrubText(entry.detail),
      requester: d.requester,
      requestReason: d.requestReason ?? null,
      fromSlot: d.fromSlot,
      toSlot: d.toSlot,
      ...(slots ? { slots } : {}),
    },
  };
}
