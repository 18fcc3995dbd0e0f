/**
 * What a verification or a soak watch asks CloudWatch for: the metric queries of both slots'
 * target groups and of their load balancer. Pure. `slotTraffic` (points.ts) reads the results
 * back by the query ids built here (`old_req`, `new_5xx`, `lb_503`, …).
 */
import type { MetricQuery } from '../metrics.js';

/** CloudWatch dimensions of a target group behind the load balancer of a listener. */
export function albDimensions(
  listenerArn: string,
  targetGroupArn: string,
): { loadBalancer: string; targetGroup: string } {
  const lb = /:listener\/(app\/[^/]+\/[^/]+)\/[^/]+$/.exec(listenerArn)?.[1];
  if (!lb) throw new Error(`not an ALB listener ARN: ${listenerArn}`);
  const tg = /:(targetgroup\/[^/]+\/[^/]+)$/.exec(targetGroupArn)?.[1];
  if (!tg) throw new Error(`not a target group ARN: ${targetGroupArn}`);
  return { loadBalancer: lb, targetGroup: tg };
}

export type SlotPrefix = 'old' | 'new';

const SERIES = [
  { suffix: 'req', metricName: 'RequestCount', stat: 'Sum' },
  { suffix: '5xx', metricName: 'HTTPCode_Target_5XX_Count', stat: 'Sum' },
  { suffix: 'p99', metricName: 'TargetResponseTime', stat: 'p99' },
] as const;

/** What the gates read of the new slot besides requests, 5xx and p99. */
const NEW_ONLY = [
  { suffix: 'conn', metricName: 'TargetConnectionErrorCount', stat: 'Sum' },
  { suffix: 'unhealthy', metricName: 'UnHealthyHostCount', stat: 'Maximum' },
] as const;

/** Published with the LoadBalancer dimension alone: the load balancer's own 5xx. */
const LOAD_BALANCER = [
  { id: 'lb_5xx', metricName: 'HTTPCode_ELB_5XX_Count', stat: 'Sum' },
  { id: 'lb_503', metricName: 'HTTPCode_ELB_503_Count', stat: 'Sum' },
  { id: 'lb_req', metricName: 'RequestCount', stat: 'Sum' },
] as const;

/** The new slot's gate queries, and the load balancer's own 5xx when `loadBalancerErrors`. */
function gateQueries(input: {
  loadBalancer: string;
  newTargetGroup: string;
  periodSeconds: number;
  loadBalancerErrors: boolean;
}): MetricQuery[] {
  const group = NEW_ONLY.map((s) => ({
    id: `new_${s.suffix}`,
    metricName: s.metricName,
    stat: s.stat,
    loadBalancer: input.loadBalancer,
    targetGroup: input.newTargetGroup,
    periodSeconds: input.periodSeconds,
  }));
  const balancer = input.loadBalancerErrors
    ? LOAD_BALANCER.map((s) => ({
        id: s.id,
        metricName: s.metricName,
        stat: s.stat,
        loadBalancer: input.loadBalancer,
        periodSeconds: input.periodSeconds,
      }))
    : [];
  return [...group, ...balancer];
}

/**
 * The queries of a verification: requests, target 5xx and p99 latency of both slots; the new
 * slot's connection errors and unhealthy hosts; the load balancer's own 5xx and 503 when
 * `loadBalancerErrors` (default true). `newOnly`: only what the soak's gates read of the new slot.
 */
export function trafficQueries(input: {
  loadBalancer: string;
  oldTargetGroup: string;
  newTargetGroup: string;
  periodSeconds: number;
  loadBalancerErrors?: boolean;
  newOnly?: boolean;
}): MetricQuery[] {
  const slots: [SlotPrefix, string][] = [
    ['old', input.oldTargetGroup],
    ['new', input.newTargetGroup],
  ];
  const basic = slots
    .filter(([prefix]) => !input.newOnly || prefix === 'new')
    .flatMap(([prefix, targetGroup]) =>
      SERIES.map((s) => ({
        id: `${prefix}_${s.suffix}`,
        metricName: s.metricName,
        stat: s.stat,
        loadBalancer: input.loadBalancer,
        targetGroup,
        periodSeconds: input.periodSeconds,
      })),
    );
  return [...basic, ...gateQueries({ ...input, loadBalancerErrors: input.loadBalancerErrors ?? true })];
}
