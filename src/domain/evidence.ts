/**
 * Evidence after the switch, as data: traffic per slot per period (CloudWatch), health-gate
 * breaches, webhook results and compute scale-down. Produced by the AWS/hook edges and the pure
 * evaluation in `src/domain/traffic/`; rendered by `src/messages/`.
 */

/** One CloudWatch period of one slot. A missing 5xx datapoint is 0; a missing p99 is null. */
export interface TrafficPoint {
  /** Start of the period (ms since epoch). */
  at: number;
  requests: number;
  /** 5xx answered by the slot's targets (HTTPCode_Target_5XX_Count). */
  errors5xx: number;
  p99Ms: number | null;
  /** Connections to the slot's targets that failed (TargetConnectionErrorCount); new slot only. */
  connectionErrors?: number;
  /** Largest UnHealthyHostCount of the period; null when none was published. New slot only. */
  unhealthyHosts?: number | null;
  /**
   * 5xx the load balancer generated itself (HTTPCode_ELB_5XX_Count: 502 connection errors, 503
   * no target, 504 timeouts), for the whole load balancer — AWS publishes them per load balancer
   * only. New slot only, when `gates.loadBalancerErrors` is on.
   */
  lb5xx?: number;
  /** Of those, 503s (no target could be chosen: not in any RequestCount). */
  lb503?: number;
  /** Requests the load balancer carried for others than this service's slots in the period. */
  lbOtherRequests?: number;
}

export interface SlotTraffic {
  slot: string;
  points: TrafficPoint[];
}

export type GateKind = 'error_rate' | 'p99_latency' | 'unhealthy_hosts' | 'alarm' | 'metrics_unreadable';

export interface GateBreach {
  kind: GateKind;
  /** One sentence a person can act on, e.g. "green answered 7.5% 5xx (limit 5%) in the period from 10:02". */
  detail: string;
  /**
   * What makes this breach the same breach when the gates are evaluated again (alerts are
   * de-duplicated on it): the kind and the start of the run of over-limit periods, or the alarm
   * and its state reason. Unlike `detail`, it does not change as the value or the count does.
   */
  key?: string;
}

export type TrafficVerdict =
  /**
   * In a settled full period after the switch the old slot had ≤ tolerance requests while the
   * new slot received requests (or, with `traffic.allowIdle`, the window ended with no request
   * on the new slot and such a quiet period: then `note` says so).
   */
  | 'drained'
  /** Still inside the verify window, not drained yet. */
  | 'waiting'
  /** The verify window ended with traffic still on the old slot. */
  | 'not_drained'
  /**
   * Not verified, never counted as success: the metrics could not be read, or they do not show
   * the traffic (no request on the new slot after the switch, a configured alarm that does not
   * exist). `error` says which.
   */
  | 'unreadable';

/**
 * Why a verification is `unreadable`: the metrics could not be read (`read_failed`), no request
 * reached the new slot (`no_requests`), the window ended before any full period was settled
 * (`not_settled`), or a configured gate alarm does not exist (`missing_alarms`).
 */
export type UnverifiedCause = 'read_failed' | 'no_requests' | 'not_settled' | 'missing_alarms';

export interface TrafficReport {
  oldSlot: SlotTraffic;
  newSlot: SlotTraffic;
  verdict: TrafficVerdict;
  /** Start of the first full period with the old slot at or under the tolerance. */
  drainedAt?: number;
  windowEndsAt: number;
  toleranceRequests: number;
  /** Start of the first period entirely after the switch (earlier points include pre-switch traffic). */
  firstFullPeriod?: number;
  breaches: GateBreach[];
  /** Why the traffic is not verified (verdict `unreadable`), as a clause. */
  error?: string;
  /** What kind of `unreadable` this is (see `UnverifiedCause`). */
  unverifiedCause?: UnverifiedCause;
  /** Said with the verdict, e.g. that `drained` rests on `traffic.allowIdle` (no request was seen). */
  note?: string;
  /** The load balancer's own 5xx per period before the switch (kept for the soak's gates). */
  lbBaseline?: { lb5xx: number; lb503: number };
}

export interface HookResult {
  hook:
    | 'beforeCutover'
    | 'afterCutover'
    | 'beforeTeardown'
    | 'scaleDown'
    /** Notifications: called after the fact, their failure undoes and blocks nothing. */
    | 'afterRollback'
    | 'verificationFailed';
  url: string;
  ok: boolean;
  /** HTTP status, or null when no answer came (timeout, connection refused). */
  status: number | null;
  /** First ~300 characters of the response body, or the network error. */
  excerpt: string;
  attempts: number;
  durationMs: number;
}

/** The kind of compute scaled down: its backend's kind (`ecs`, `asg`, `webhook`, …). */
export type ScaleDownKind = string;

/**
 * How the teardown message names what was scaled down, put on the report by its backend:
 * `ECS service shop/checkout-blue: desired 3 → 0, 0 running`.
 */
export interface ScaleDownShown {
  /** What it is, for people: `ECS service`, `Auto Scaling group`, `Scale-down webhook`. */
  label: string;
  /** Its name after the label (`shop/checkout-blue`); absent: `target` is a URL, of which the host is shown. */
  name?: string;
  /**
   * What its count counts (`running`, `instances`): shown with the previous sizes
   * (`desired 3 → 0, 0 running`). Absent: it has no sizes (a webhook), so it shows
   * `scaled to zero` or `N remaining`.
   */
  unit?: string;
}

export interface ScaleDownReport {
  kind: ScaleDownKind;
  /** `cluster/service`, the group name, or the webhook URL. */
  target: string;
  /**
   * How the message names it (set by the backend). Absent on reports kept by earlier versions:
   * the message then words them by `kind`.
   */
  shown?: ScaleDownShown;
  /** What it was before (ECS desired count; ASG min/desired/max), so a later deploy can show it. */
  previous?: { desired?: number; min?: number; max?: number };
  /** True when the running count reached zero within the bound. */
  reachedZero: boolean;
  /** Running tasks / in-service instances at the end of the wait. */
  remaining: number;
  waitedMs: number;
  error?: string;
  /** What kept it from zero or was found on the way (a service being deleted, protected instances, hooks). */
  notes?: string[];
}
