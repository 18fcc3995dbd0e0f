/**
 * Evidence after the switch, as data: traffic per slot per period (CloudWatch), health-gate
 * breaches, webhook results and compute scale-down. Produced by the AWS/hook edges and the pure
 * evaluation in `src/domain/traffic.ts`; rendered by `src/slack/blocks/`.
 */

/** One CloudWatch period of one slot. A missing 5xx datapoint is 0; a missing p99 is null. */
export interface TrafficPoint {
  /** Start of the period (ms since epoch). */
  at: number;
  requests: number;
  errors5xx: number;
  p99Ms: number | null;
}

export interface SlotTraffic {
  slot: string;
  points: TrafficPoint[];
}

export type GateKind = 'error_rate' | 'p99_latency' | 'alarm' | 'metrics_unreadable';

export interface GateBreach {
  kind: GateKind;
  /** One sentence a person can act on, e.g. "green answered 7.5% 5xx (limit 5%) in the period from 10:02". */
  detail: string;
}

export type TrafficVerdict =
  /** The old slot had ≤ tolerance requests for a full period after the switch. */
  | 'drained'
  /** Still inside the verify window, not drained yet. */
  | 'waiting'
  /** The verify window ended with traffic still on the old slot. */
  | 'not_drained'
  /** Metrics could not be read: never counted as success. */
  | 'unreadable';

export interface TrafficReport {
  oldSlot: SlotTraffic;
  newSlot: SlotTraffic;
  verdict: TrafficVerdict;
  /** Start of the first full period with the old slot at or under the tolerance. */
  drainedAt?: number;
  windowEndsAt: number;
  toleranceRequests: number;
  breaches: GateBreach[];
  /** Why the metrics could not be read (verdict `unreadable`). */
  error?: string;
}

export interface HookResult {
  hook: 'beforeCutover' | 'afterCutover' | 'beforeTeardown' | 'scaleDown';
  url: string;
  ok: boolean;
  /** HTTP status, or null when no answer came (timeout, connection refused). */
  status: number | null;
  /** First ~300 characters of the response body, or the network error. */
  excerpt: string;
  attempts: number;
  durationMs: number;
}

export type ScaleDownKind = 'ecs' | 'asg' | 'webhook';

export interface ScaleDownReport {
  kind: ScaleDownKind;
  /** `cluster/service`, the group name, or the webhook URL. */
  target: string;
  /** What it was before (ECS desired count; ASG min/desired/max), so a later deploy can show it. */
  previous?: { desired?: number; min?: number; max?: number };
  /** True when the running count reached zero within the bound. */
  reachedZero: boolean;
  /** Running tasks / in-service instances at the end of the wait. */
  remaining: number;
  waitedMs: number;
  error?: string;
}
