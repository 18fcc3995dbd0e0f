/**
 * Synthetic ALB traffic for tests and the sandbox: what CloudWatch would have recorded for the
 * load balancers and target groups of a FakeElbState, per period bucket.
 *
 * On each tick, every forward of every listener default action and every rule sends
 * `requestsPerSecond` production requests, split by its CURRENT weights (weight 0 gets nothing) —
 * except rules with an `http-header` condition: production clients send no such header, so only
 * test requests (`pin`) reach them. `pin(tg, rps)` adds traffic that ignores the weights
 * (clients stuck on the old slot, a test request loop, a forgotten DNS record, …).
 *
 * Requests to a target group are routed as an ALB routes them ("Health checks for your target
 * groups", ALB user guide): to its healthy targets; when it has none, to all its registered
 * targets whatever their health ("fails open"); when it has no registered target, the load
 * balancer answers 503 itself. A routed request is answered by how its target answers
 * (`FakeElbState.setTargetResponse`): `ok` (a share `setErrorRate` of target 5xx, latency
 * `setLatency`), `error` (a target 5xx), `timeout` (the load balancer answers 504) or `refused`
 * (the load balancer answers 502 and counts a target connection error). The troubleshooting page
 * of the ALB user guide names these causes for 502/503/504.
 *
 * Metrics and their dimension sets follow "CloudWatch metrics for your Application Load
 * Balancer": RequestCount, HTTPCode_Target_5XX_Count, TargetConnectionErrorCount and
 * TargetResponseTime per target group (and RequestCount per load balancer); HTTPCode_ELB_5XX_Count
 * and HTTPCode_ELB_502/503/504_Count per load balancer only (never per target group);
 * HealthyHostCount and UnHealthyHostCount per target group, sampled on every tick while a forward
 * names the group (its targets are health-checked). RequestCount "is only incremented for requests
 * where the load balancer node was able to choose a target": a 503 for a group without targets is
 * not in it. Counts are published only when non-zero, and only periods that ended at least
 * `publishDelayMs` before the last tick are visible: ALB metrics reach CloudWatch late (by default
 * one period: "a minute or more" with 60 s periods).
 */
import { FailureInjection } from './failure-injection.js';
import { headerConditions } from './fake-elb/conditions.js';
import type { FakeElbState, FakeTarget, ObservedHealth } from './fake-elb/state.js';
import {
  addSample,
  aggregate,
  type BalancerBucket,
  emptyBalancerBucket,
  emptyGroupBucket,
  type GroupBucket,
  mergeBalancer,
  mergeGroup,
  statOf,
} from './traffic-buckets.js';

/** Metrics published with the LoadBalancer + TargetGroup dimensions. */
export const GROUP_METRICS = [
  'RequestCount',
  'HTTPCode_Target_5XX_Count',
  'TargetConnectionErrorCount',
  'TargetResponseTime',
  'HealthyHostCount',
  'UnHealthyHostCount',
] as const;
/** Metrics published with the LoadBalancer dimension alone. */
export const BALANCER_METRICS = [
  'RequestCount',
  'HTTPCode_ELB_5XX_Count',
  'HTTPCode_ELB_502_Count',
  'HTTPCode_ELB_503_Count',
  'HTTPCode_ELB_504_Count',
] as const;
export type GroupMetric = (typeof GROUP_METRICS)[number];
export type BalancerMetric = (typeof BALANCER_METRICS)[number];

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface TrafficModelOptions {
  /** Per listener default action / rule that forwards (default 20). */
  requestsPerSecond?: number;
  /** Bucket length (default 60 s, CloudWatch's ALB period). */
  periodMs?: number;
  /** Interval of `start()` (default 1 s). */
  tickMs?: number;
  /** p99 latency of a target group without `setLatency` (default 45 ms). */
  defaultP99Ms?: number;
  /** How long after its end a period becomes visible (default: one period, as ALB metrics arrive late). */
  publishDelayMs?: number;
  now?: () => number;
}

export interface SeriesPoint {
  /** Period start (ms since epoch). */
  at: number;
  value: number;
}

export type AlarmKind = 'metric' | 'composite';

export interface FakeAlarm {
  name: string;
  state: AlarmStateValue;
  reason?: string;
  kind: AlarmKind;
  updatedAt: number;
}

export interface TrafficModelCall {
  operation: string;
  input: unknown;
}

interface Routed {
  ok: number;
  error: number;
  timeout: number;
  refused: number;
}

export class TrafficModel extends FailureInjection {
  readonly requestsPerSecond: number;
  readonly periodMs: number;
  readonly tickMs: number;
  readonly defaultP99Ms: number;
  publishDelayMs: number;
  now: () => number;
  /** CloudWatch alarms by name (DescribeAlarms). */
  readonly alarms = new Map<string, FakeAlarm>();
  /** Every CloudWatch request that named a supported operation, in order (failed ones included). */
  readonly calls: TrafficModelCall[] = [];

  private lastTick: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly pins = new Map<string, number>();
  private readonly errorRates = new Map<string, number>();
  private readonly latencies = new Map<string, number>();
  private readonly groups = new Map<string, Map<number, GroupBucket>>();
  private readonly balancers = new Map<string, Map<number, BalancerBucket>>();
  /** Fractions of a request carried to the next tick, so counts stay whole and exact over time. */
  private readonly carry = new Map<string, number>();

  constructor(
    readonly elb: FakeElbState,
    opts: TrafficModelOptions = {},
  ) {
    super();
    this.requestsPerSecond = opts.requestsPerSecond ?? 20;
    this.periodMs = opts.periodMs ?? 60_000;
    this.tickMs = opts.tickMs ?? 1_000;
    this.defaultP99Ms = opts.defaultP99Ms ?? 45;
    this.publishDelayMs = opts.publishDelayMs ?? this.periodMs;
    this.now = opts.now ?? (() => Date.now());
    this.lastTick = this.now();
  }

  /** Extra requests per second to a target group, whatever the weights say (0 removes the pin). */
  pin(targetGroupArn: string, requestsPerSecond: number): void {
    if (requestsPerSecond > 0) this.pins.set(targetGroupArn, requestsPerSecond);
    else this.pins.delete(targetGroupArn);
  }

  /** Share (0–1) of the requests answered by the group's `ok` targets that are a target 5xx. */
  setErrorRate(targetGroupArn: string, fraction: number): void {
    this.errorRates.set(targetGroupArn, Math.min(1, Math.max(0, fraction)));
  }

  setLatency(targetGroupArn: string, p99Ms: number): void {
    this.latencies.set(targetGroupArn, Math.max(0, p99Ms));
  }

  setAlarm(name: string, state: AlarmStateValue, reason?: string, kind: AlarmKind = 'metric'): void {
    const alarm: FakeAlarm = { name, state, kind, updatedAt: this.now() };
    if (reason !== undefined) alarm.reason = reason;
    this.alarms.set(name, alarm);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Sends the traffic of the time since the last tick, with the weights, health and overrides
   * of now, split at period boundaries, and samples the host counts. A time at or before the last
   * tick does nothing.
   */
  tick(now: number = this.now()): void {
    if (!(now > this.lastTick)) return;
    this.elb.sweep();
    const demand = this.demandPerSecond();
    let from = this.lastTick;
    while (from < now) {
      const bucket = Math.floor(from / this.periodMs) * this.periodMs;
      const to = Math.min(now, bucket + this.periodMs);
      for (const [tg, rps] of demand) this.send(tg, bucket, (rps * (to - from)) / 1000);
      this.sampleHosts(bucket);
      from = to;
    }
    this.lastTick = now;
  }

  /**
   * A target-group metric as CloudWatch gives it (dimensions LoadBalancer + TargetGroup) for
   * periods of `periodMs` starting in [fromMs, toMs): counts are sums with no point when zero,
   * TargetResponseTime is the p99 in seconds, host counts by `stat` (Maximum, Minimum, Average).
   */
  series(
    targetGroupArn: string,
    metric: GroupMetric,
    fromMs: number,
    toMs: number,
    periodMs: number = this.periodMs,
    stat = 'Sum',
  ): SeriesPoint[] {
    const points: SeriesPoint[] = [];
    for (const [at, b] of aggregate(
      this.groups.get(targetGroupArn),
      this.window(fromMs, toMs, periodMs),
      mergeGroup,
    )) {
      const value = groupValue(b, metric, stat);
      if (value !== undefined) points.push({ at, value });
    }
    return points;
  }

  /** A load-balancer metric (dimension LoadBalancer alone), as `series` does for target groups. */
  balancerSeries(
    loadBalancerArn: string,
    metric: BalancerMetric,
    fromMs: number,
    toMs: number,
    periodMs: number = this.periodMs,
  ): SeriesPoint[] {
    const points: SeriesPoint[] = [];
    for (const [at, b] of aggregate(
      this.balancers.get(loadBalancerArn),
      this.window(fromMs, toMs, periodMs),
      mergeBalancer,
    )) {
      const value = balancerValue(b, metric);
      if (value > 0) points.push({ at, value });
    }
    return points;
  }

  private window(fromMs: number, toMs: number, requestedMs: number) {
    return {
      periodMs: this.periodMs,
      requestedMs,
      fromMs,
      toMs,
      publishedUntil: this.lastTick - this.publishDelayMs,
    };
  }

  /** Requests per second each target group receives now: weighted production forwards plus pins. */
  private demandPerSecond(): Map<string, number> {
    const demand = new Map<string, number>();
    const add = (tg: string, rps: number) => demand.set(tg, (demand.get(tg) ?? 0) + rps);
    const production = [
      ...this.elb.listeners.keys(),
      ...[...this.elb.rules.values()]
        .filter((r) => headerConditions(r.conditions).length === 0)
        .map((r) => r.arn),
    ];
    for (const arn of production) {
      const weights = Object.entries(this.elb.weightsOf(arn)).filter(([, w]) => w > 0);
      const total = weights.reduce((sum, [, w]) => sum + w, 0);
      for (const [tg, w] of weights) add(tg, (this.requestsPerSecond * w) / total);
    }
    for (const [tg, rps] of this.pins) add(tg, rps);
    return demand;
  }

  /** The targets an ALB would send the group's requests to now (see the header), with how they answer. */
  private routable(tgArn: string): { target: FakeTarget; health: ObservedHealth }[] {
    const live = this.elb.healthOf(tgArn).filter(({ health }) => health.state !== 'draining');
    const healthy = live.filter(({ health }) => health.state === 'healthy');
    return healthy.length > 0 ? healthy : live;
  }

  private send(tg: string, bucketStart: number, exactRequests: number): void {
    const requests = this.whole(`req ${tg}`, exactRequests);
    if (requests === 0) return;
    const lb = this.elb.loadBalancersOf(tg)[0] ?? [...this.elb.loadBalancers.keys()][0];
    const balancer = lb === undefined ? emptyBalancerBucket() : this.balancerBucket(lb, bucketStart);
    const targets = this.routable(tg);
    if (targets.length === 0) {
      balancer.elb503 += requests;
      balancer.elb5xx += requests;
      return;
    }
    const group = this.groupBucket(tg, bucketStart);
    group.requests += requests;
    balancer.requests += requests;
    const routed = this.split(
      tg,
      requests,
      targets.map(({ target }) => target),
    );
    group.target5xx += routed.error + this.whole(`5xx ${tg}`, routed.ok * (this.errorRates.get(tg) ?? 0));
    group.connectionErrors += routed.refused;
    balancer.elb502 += routed.refused;
    balancer.elb504 += routed.timeout;
    balancer.elb5xx += routed.refused + routed.timeout;
    if (routed.ok + routed.error > 0) {
      group.p99Ms = Math.max(group.p99Ms ?? 0, this.latencies.get(tg) ?? this.defaultP99Ms);
    }
  }

  /** Requests spread evenly over the targets, counted by how each target answers. */
  private split(tg: string, requests: number, targets: FakeTarget[]): Routed {
    const routed: Routed = { ok: 0, error: 0, timeout: 0, refused: 0 };
    for (const kind of ['error', 'timeout', 'refused'] as const) {
      const share = targets.filter((t) => t.response === kind).length / targets.length;
      routed[kind] = this.whole(`${kind} ${tg}`, requests * share);
    }
    routed.ok = Math.max(0, requests - routed.error - routed.timeout - routed.refused);
    return routed;
  }

  /** HealthyHostCount / UnHealthyHostCount of every group some forward names (health-checked ones). */
  private sampleHosts(bucketStart: number): void {
    for (const tg of this.elb.targetGroups.values()) {
      if (tg.inUseSince === undefined) continue;
      const states = this.elb.healthOf(tg.arn).map(({ health }) => health.state);
      const b = this.groupBucket(tg.arn, bucketStart);
      addSample(b.healthy, states.filter((s) => s === 'healthy').length);
      addSample(b.unhealthy, states.filter((s) => s === 'unhealthy').length);
    }
  }

  private groupBucket(tg: string, start: number): GroupBucket {
    return bucketIn(this.groups, tg, start, emptyGroupBucket);
  }

  private balancerBucket(lb: string, start: number): BalancerBucket {
    return bucketIn(this.balancers, lb, start, emptyBalancerBucket);
  }

  private whole(key: string, exact: number): number {
    const total = (this.carry.get(key) ?? 0) + exact;
    const n = Math.floor(total + 1e-9);
    this.carry.set(key, total - n);
    return n;
  }
}

function bucketIn<B>(all: Map<string, Map<number, B>>, key: string, start: number, empty: () => B): B {
  let byStart = all.get(key);
  if (!byStart) {
    byStart = new Map();
    all.set(key, byStart);
  }
  let b = byStart.get(start);
  if (!b) {
    b = empty();
    byStart.set(start, b);
  }
  return b;
}

function groupValue(b: GroupBucket, metric: GroupMetric, stat: string): number | undefined {
  const positive = (n: number) => (n > 0 ? n : undefined);
  switch (metric) {
    case 'RequestCount':
      return positive(b.requests);
    case 'HTTPCode_Target_5XX_Count':
      return positive(b.target5xx);
    case 'TargetConnectionErrorCount':
      return positive(b.connectionErrors);
    case 'TargetResponseTime':
      return b.p99Ms === null ? undefined : b.p99Ms / 1000;
    case 'HealthyHostCount':
      return statOf(b.healthy, stat);
    case 'UnHealthyHostCount':
      return statOf(b.unhealthy, stat);
  }
}

function balancerValue(b: BalancerBucket, metric: BalancerMetric): number {
  switch (metric) {
    case 'RequestCount':
      return b.requests;
    case 'HTTPCode_ELB_5XX_Count':
      return b.elb5xx;
    case 'HTTPCode_ELB_502_Count':
      return b.elb502;
    case 'HTTPCode_ELB_503_Count':
      return b.elb503;
    case 'HTTPCode_ELB_504_Count':
      return b.elb504;
  }
}
