/**
 * Which of the load balancer's own 5xx the new slot's users saw. Pure.
 *
 * AWS publishes the 5xx the load balancer generates itself (HTTPCode_ELB_5XX_Count: 502
 * connection errors, 503 no target to choose, 504 timeouts) with the LoadBalancer dimension only —
 * never per target group (docs/platform-facts.md, "CloudWatch ALB metrics"). On a load
 * balancer shared by several services they cannot be put on one service by their dimensions, so:
 * - a period is *attributable* only once the new slot holds all the service's traffic (the old
 *   slot's period settled at or under the tolerance) — the caller decides that;
 * - when the load balancer carried no other request in that period (its RequestCount is the
 *   service's), all its 5xx are the new slot's;
 * - otherwise only the excess over the baseline is: the largest count of any period before the
 *   switch (errors other services had anyway);
 * - the slot's own TargetConnectionErrorCount (per target group, each a 502 the load balancer
 *   answered) counts in any case, as the floor.
 * The load balancer's 503s are in no RequestCount (no target was chosen): they count as requests.
 */
import type { TrafficPoint } from './evidence.js';

/** The load balancer's own 5xx per period before the switch (the most of any one period). */
export interface LbBaseline {
  lb5xx: number;
  lb503: number;
}

export interface UserFacing {
  errors: number;
  requests: number;
  /** Load-balancer 5xx counted against the new slot. */
  fromLb: number;
  /** How they were put on it: all of them (alone), the excess over the baseline, or connection errors. */
  basis: 'alone' | 'excess' | 'connections';
}

/** The baseline from the periods that ended before the switch: the most of any one period. */
export function lbBaseline(points: TrafficPoint[], switchedAt: number, periodMs: number): LbBaseline {
  const before = points.filter((p) => p.at + periodMs <= switchedAt);
  return {
    lb5xx: Math.max(0, ...before.map((p) => p.lb5xx ?? 0)),
    lb503: Math.max(0, ...before.map((p) => p.lb503 ?? 0)),
  };
}

export function userFacing5xx(p: TrafficPoint, attributable: boolean, baseline?: LbBaseline): UserFacing {
  const connections = p.connectionErrors ?? 0;
  const target = p.errors5xx;
  const only = (fromLb: number, extraRequests: number, basis: UserFacing['basis']): UserFacing => {
    const requests = p.requests + extraRequests;
    return { errors: Math.min(requests, target + fromLb), requests, fromLb, basis };
  };
  if (!attributable || p.lb5xx === undefined) return only(connections, 0, 'connections');
  if ((p.lbOtherRequests ?? 0) === 0) return only(Math.max(p.lb5xx, connections), p.lb503 ?? 0, 'alone');
  if (baseline === undefined) return only(connections, 0, 'connections');
  const excess = Math.max(0, p.lb5xx - baseline.lb5xx);
  const excess503 = Math.max(0, (p.lb503 ?? 0) - baseline.lb503);
  return excess > connections ? only(excess, excess503, 'excess') : only(connections, 0, 'connections');
}

/** How the detail of an error-rate breach names where its load-balancer 5xx come from. */
export function lbBasisText(basis: UserFacing['basis']): string {
  switch (basis) {
    case 'alone':
      return 'HTTPCode_ELB_5XX_Count; the load balancer carried no other traffic';
    case 'excess':
      return 'HTTPCode_ELB_5XX_Count above what the shared load balancer had before the switch';
    case 'connections':
      return 'TargetConnectionErrorCount';
  }
}
