/**
 * Target health as ELBv2 reports it, derived from what the fake knows: whether any forward of
 * the load balancer names the target's group, when the target was registered, how its health
 * checks answer, and the group's health-check settings. Pure (the clock is an argument).
 *
 * What AWS documents, and this follows:
 * - Only target groups that a listener rule names are health-checked ("Health checks for your
 *   target groups", ALB user guide: "the load balancer periodically sends requests to its
 *   registered targets … in target groups that are registered with a listener rule"). A group
 *   that no forward of any load balancer names reports its targets `unused`, reason
 *   `Target.NotInUse` ("The target group is not used by any load balancer or the target is in an
 *   Availability Zone that is not enabled for its load balancer", ELBv2 API reference,
 *   `TargetHealth`).
 * - A target in a group that a forward names again reads `initial`, reason
 *   `Elb.InitialHealthChecking` ("still sending the target the minimum number of health checks
 *   required to determine its health status", API reference) until `HealthyThresholdCount`
 *   consecutive checks, one every `HealthCheckIntervalSeconds`, passed — or
 *   `UnhealthyThresholdCount` failed. A target newly registered in a group already in use reads
 *   `initial` (`Elb.RegistrationInProgress`) and "must pass one health check to be considered
 *   healthy" (ALB user guide, "Health checks for your target groups").
 * - A healthy target whose checks start failing stays `healthy` until `UnhealthyThresholdCount`
 *   consecutive checks failed (and the other way round with `HealthyThresholdCount`); the reason
 *   names how they fail: `Target.ResponseCodeMismatch`, `Target.Timeout`,
 *   `Target.FailedHealthChecks` (ELBv2 API reference, `TargetHealth`).
 * - A deregistered target reads `draining` (`Target.DeregistrationInProgress`) for the group's
 *   `deregistration_delay.timeout_seconds` (0–3600, default 300), even when its connections
 *   closed earlier, then it is gone ("Deregistration delay", ALB user guide).
 *
 * `timeScale` multiplies every AWS duration (check interval, deregistration delay): 1 is AWS's own
 * timing; tests and the sandbox use less so that 5 checks × 30 s do not take 150 s.
 */
import type { TargetHealthStateEnum as TargetHealthState } from '@aws-sdk/client-elastic-load-balancing-v2';

/** How a target answers requests and health checks. */
export type TargetResponse = 'ok' | 'error' | 'timeout' | 'refused';

/** A target group's health-check settings, as DescribeTargetGroups names them. */
export interface HealthCheckSettings {
  HealthCheckProtocol: string;
  HealthCheckPort: string;
  HealthCheckPath: string;
  HealthCheckIntervalSeconds: number;
  HealthCheckTimeoutSeconds: number;
  HealthyThresholdCount: number;
  UnhealthyThresholdCount: number;
  Matcher: { HttpCode: string };
}

/**
 * AWS's defaults for an HTTP/HTTPS target group of instance or ip type: interval 30 s, timeout
 * 5 s, healthy threshold 5, unhealthy threshold 2, success code 200 (ALB user guide, "Health
 * check settings").
 */
export function defaultHealthCheck(protocol: string): HealthCheckSettings {
  return {
    HealthCheckProtocol: protocol,
    HealthCheckPort: 'traffic-port',
    HealthCheckPath: '/',
    HealthCheckIntervalSeconds: 30,
    HealthCheckTimeoutSeconds: 5,
    HealthyThresholdCount: 5,
    UnhealthyThresholdCount: 2,
    Matcher: { HttpCode: '200' },
  };
}

/** What the fake knows about one target (times are the fake's clock, ms; -Infinity = "long ago"). */
export interface TargetFacts {
  registeredAt: number;
  response: TargetResponse;
  /** Since when the target answers as `response`. */
  responseSince: number;
  /** The state it was reported in just before `response` last changed. */
  stateBefore?: ObservedHealth;
  deregisteredAt?: number;
  /** When the deregistration shows (AWS applies it a moment after the call returns). */
  drainingFrom?: number;
  /** When a draining target is gone. */
  drainingUntil?: number;
}

export interface ObservedHealth {
  state: TargetHealthState;
  reason?: string;
  description?: string;
}

const REASONS: Record<Exclude<TargetResponse, 'ok'>, ObservedHealth> = {
  error: {
    state: 'unhealthy',
    reason: 'Target.ResponseCodeMismatch',
    description: 'Health checks failed with these codes: [500]',
  },
  timeout: { state: 'unhealthy', reason: 'Target.Timeout', description: 'Request timed out' },
  refused: { state: 'unhealthy', reason: 'Target.FailedHealthChecks', description: 'Health checks failed' },
};

export const NOT_IN_USE: ObservedHealth = {
  state: 'unused',
  reason: 'Target.NotInUse',
  description: 'Target group is not configured to receive traffic from the load balancer',
};

export const DRAINING: ObservedHealth = {
  state: 'draining',
  reason: 'Target.DeregistrationInProgress',
  description: 'Target deregistration is in progress',
};

function settled(response: TargetResponse): ObservedHealth {
  return response === 'ok' ? { state: 'healthy' } : REASONS[response];
}

/** Milliseconds of `checks` consecutive health checks of the group (scaled). */
export function checksMs(hc: HealthCheckSettings, checks: number, timeScale: number): number {
  return checks * hc.HealthCheckIntervalSeconds * 1000 * timeScale;
}

function thresholdMs(hc: HealthCheckSettings, response: TargetResponse, timeScale: number): number {
  return checksMs(hc, response === 'ok' ? hc.HealthyThresholdCount : hc.UnhealthyThresholdCount, timeScale);
}

/** How long a target takes to leave `initial` (see the header: one check after a registration). */
function initialMs(t: TargetFacts, hc: HealthCheckSettings, inUseSince: number, timeScale: number): number {
  if (t.registeredAt >= inUseSince && t.response === 'ok') return checksMs(hc, 1, timeScale);
  return thresholdMs(hc, t.response, timeScale);
}

/**
 * The health DescribeTargetHealth reports for a registered target at `now`. `inUseSince`: since
 * when some forward names the group (undefined: none does). Draining is decided by the caller
 * (it also removes targets whose delay is over).
 */
export function observeHealth(
  t: TargetFacts,
  hc: HealthCheckSettings,
  inUseSince: number | undefined,
  now: number,
  timeScale: number,
): ObservedHealth {
  if (t.drainingFrom !== undefined && now >= t.drainingFrom) return DRAINING;
  if (inUseSince === undefined) return NOT_IN_USE;
  const start = Math.max(t.registeredAt, inUseSince);
  const registering = t.registeredAt >= inUseSince && now - t.registeredAt < checksMs(hc, 1, timeScale);
  const initial: ObservedHealth = registering
    ? {
        state: 'initial',
        reason: 'Elb.RegistrationInProgress',
        description: 'Target registration is in progress',
      }
    : {
        state: 'initial',
        reason: 'Elb.InitialHealthChecking',
        description: 'Initial health checks in progress',
      };
  const changedAt = Math.max(start, t.responseSince);
  const needed =
    t.responseSince <= start
      ? initialMs(t, hc, inUseSince, timeScale)
      : thresholdMs(hc, t.response, timeScale);
  if (now - changedAt >= needed) return settled(t.response);
  // Not enough checks since the last change: the state before it holds (initial when the change
  // came before the first verdict since the group was named or the target registered).
  if (t.responseSince <= start || t.stateBefore === undefined) return initial;
  if (t.stateBefore.state === 'unused' || t.stateBefore.state === 'initial') return initial;
  return t.stateBefore;
}
