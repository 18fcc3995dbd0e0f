/**
 * What the traffic model records per period and how CloudWatch aggregates it into a requested
 * period: sums for the counts, the largest p99 seen, and Minimum / Maximum / Average of the
 * sampled host counts. Which metric lives on which dimension set is the caller's business.
 */

/** Target-group metrics (dimensions LoadBalancer + TargetGroup). */
export interface GroupBucket {
  requests: number;
  target5xx: number;
  connectionErrors: number;
  p99Ms: number | null;
  healthy: Samples;
  unhealthy: Samples;
}

/** Load-balancer metrics (dimension LoadBalancer only). */
export interface BalancerBucket {
  requests: number;
  elb5xx: number;
  elb502: number;
  elb503: number;
  elb504: number;
}

export interface Samples {
  min: number;
  max: number;
  sum: number;
  n: number;
}

export const noSamples = (): Samples => ({ min: Number.POSITIVE_INFINITY, max: 0, sum: 0, n: 0 });

export function emptyGroupBucket(): GroupBucket {
  return {
    requests: 0,
    target5xx: 0,
    connectionErrors: 0,
    p99Ms: null,
    healthy: noSamples(),
    unhealthy: noSamples(),
  };
}

export function emptyBalancerBucket(): BalancerBucket {
  return { requests: 0, elb5xx: 0, elb502: 0, elb503: 0, elb504: 0 };
}

export function addSample(s: Samples, value: number): void {
  s.min = Math.min(s.min, value);
  s.max = Math.max(s.max, value);
  s.sum += value;
  s.n += 1;
}

function mergeSamples(a: Samples, b: Samples): Samples {
  return { min: Math.min(a.min, b.min), max: Math.max(a.max, b.max), sum: a.sum + b.sum, n: a.n + b.n };
}

export function mergeGroup(a: GroupBucket, b: GroupBucket): GroupBucket {
  return {
    requests: a.requests + b.requests,
    target5xx: a.target5xx + b.target5xx,
    connectionErrors: a.connectionErrors + b.connectionErrors,
    p99Ms: a.p99Ms === null ? b.p99Ms : b.p99Ms === null ? a.p99Ms : Math.max(a.p99Ms, b.p99Ms),
    healthy: mergeSamples(a.healthy, b.healthy),
    unhealthy: mergeSamples(a.unhealthy, b.unhealthy),
  };
}

export function mergeBalancer(a: BalancerBucket, b: BalancerBucket): BalancerBucket {
  return {
    requests: a.requests + b.requests,
    elb5xx: a.elb5xx + b.elb5xx,
    elb502: a.elb502 + b.elb502,
    elb503: a.elb503 + b.elb503,
    elb504: a.elb504 + b.elb504,
  };
}

/** A sampled statistic, or undefined when nothing was sampled (CloudWatch publishes no point). */
export function statOf(s: Samples, stat: string): number | undefined {
  if (s.n === 0) return undefined;
  if (stat === 'Minimum') return s.min;
  if (stat === 'Average') return s.sum / s.n;
  return s.max;
}

/**
 * Buckets of `periodMs` (the model's own) summed into requested periods of `requestedMs` that
 * start in [fromMs, toMs), counting only buckets published by `publishedUntil`.
 */
export function aggregate<B>(
  buckets: Map<number, B> | undefined,
  opts: { periodMs: number; requestedMs: number; fromMs: number; toMs: number; publishedUntil: number },
  merge: (a: B, b: B) => B,
): [number, B][] {
  const agg = new Map<number, B>();
  for (const [start, b] of buckets ?? []) {
    if (start + opts.periodMs > opts.publishedUntil) continue;
    const at = Math.floor(start / opts.requestedMs) * opts.requestedMs;
    if (at < opts.fromMs || at >= opts.toMs) continue;
    const prev = agg.get(at);
    agg.set(at, prev === undefined ? b : merge(prev, b));
  }
  return [...agg].sort((x, y) => x[0] - y[0]);
}
