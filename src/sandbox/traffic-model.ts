/**
 * Synthetic ALB traffic for tests and the sandbox: what CloudWatch would have recorded for the
 * target groups of a FakeElbState, per period bucket.
 *
 * On each tick, every forward of every listener default action and every rule sends
 * `requestsPerSecond`, split by its CURRENT weights (weight 0 gets nothing). On top of that,
 * `pin(tg, rps)` adds traffic that ignores the weights (clients stuck on the old slot by
 * stickiness, a forgotten DNS record, …). A target group without a healthy target answers all
 * of its requests with a 5xx; otherwise `setErrorRate` decides the share of 5xx. The p99 of a
 * bucket is the largest `setLatency` value seen while requests reached a target.
 *
 * Like CloudWatch, `series` has no RequestCount point for a period without requests, no 5xx
 * point when there was none, and only periods that ended (plus `publishDelayMs`) by the last tick.
 * The model also holds the CloudWatch alarms the fake serves and failures to inject.
 */
import type { AlarmState, AlarmStateValue, AlbMetricName } from '../aws/metrics-port.js';
import { FailureInjection } from './failure-injection.js';
import type { FakeElbState } from './fake-elb/state.js';

export interface TrafficModelOptions {
  /** Per listener default action / rule that forwards (default 20). */
  requestsPerSecond?: number;
  /** Bucket length (default 60 s, CloudWatch's ALB period). */
  periodMs?: number;
  /** Interval of `start()` (default 1 s). */
  tickMs?: number;
  /** p99 latency of a target group without `setLatency` (default 45 ms). */
  defaultP99Ms?: number;
  /** How long after its end a period becomes visible in `series` (default 0). */
  publishDelayMs?: number;
  now?: () => number;
}

export interface SeriesPoint {
  /** Period start (ms since epoch). */
  at: number;
  value: number;
}

interface Bucket {
  requests: number;
  errors5xx: number;
  p99Ms: number | null;
}

export type AlarmKind = 'metric' | 'composite';

export interface FakeAlarm extends AlarmState {
  kind: AlarmKind;
  updatedAt: number;
}

export interface TrafficModelCall {
  operation: string;
  input: unknown;
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
  private readonly buckets = new Map<string, Map<number, Bucket>>();
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
    this.publishDelayMs = opts.publishDelayMs ?? 0;
    this.now = opts.now ?? (() => Date.now());
    this.lastTick = this.now();
  }

  /** Extra requests per second to a target group, whatever the weights say (0 removes the pin). */
  pin(targetGroupArn: string, requestsPerSecond: number): void {
    if (requestsPerSecond > 0) this.pins.set(targetGroupArn, requestsPerSecond);
    else this.pins.delete(targetGroupArn);
  }

  /** Share (0–1) of the requests reaching the group's targets that are answered with a 5xx. */
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
   * of now, split at period boundaries. A time at or before the last tick does nothing.
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
      from = to;
    }
    this.lastTick = now;
  }

  /**
   * Points as CloudWatch would give them for periods of `periodMs` starting in [fromMs, toMs):
   * RequestCount and 5xx are sums (no point when zero), TargetResponseTime is the p99 in seconds.
   */
  series(
    targetGroupArn: string,
    metric: AlbMetricName,
    fromMs: number,
    toMs: number,
    periodMs: number = this.periodMs,
  ): SeriesPoint[] {
    const published = this.lastTick - this.publishDelayMs;
    const agg = new Map<number, Bucket>();
    for (const [start, b] of this.buckets.get(targetGroupArn) ?? []) {
      if (start + this.periodMs > published) continue;
      const at = Math.floor(start / periodMs) * periodMs;
      if (at < fromMs || at >= toMs) continue;
      const a = agg.get(at) ?? { requests: 0, errors5xx: 0, p99Ms: null };
      a.requests += b.requests;
      a.errors5xx += b.errors5xx;
      if (b.p99Ms !== null) a.p99Ms = Math.max(a.p99Ms ?? 0, b.p99Ms);
      agg.set(at, a);
    }
    const points: SeriesPoint[] = [];
    for (const [at, b] of [...agg].sort((x, y) => x[0] - y[0])) {
      if (metric === 'RequestCount' && b.requests > 0) points.push({ at, value: b.requests });
      if (metric === 'HTTPCode_Target_5XX_Count' && b.errors5xx > 0) points.push({ at, value: b.errors5xx });
      if (metric === 'TargetResponseTime' && b.p99Ms !== null) points.push({ at, value: b.p99Ms / 1000 });
    }
    return points;
  }

  /** Requests per second each target group receives now: weighted forwards plus pins. */
  private demandPerSecond(): Map<string, number> {
    const demand = new Map<string, number>();
    const add = (tg: string, rps: number) => demand.set(tg, (demand.get(tg) ?? 0) + rps);
    const sources = [...this.elb.listeners.keys(), ...this.elb.rules.keys()];
    for (const arn of sources) {
      const weights = Object.entries(this.elb.weightsOf(arn)).filter(([, w]) => w > 0);
      const total = weights.reduce((sum, [, w]) => sum + w, 0);
      for (const [tg, w] of weights) add(tg, (this.requestsPerSecond * w) / total);
    }
    for (const [tg, rps] of this.pins) add(tg, rps);
    return demand;
  }

  private send(tg: string, bucketStart: number, exactRequests: number): void {
    const requests = this.whole(`req ${tg}`, exactRequests);
    if (requests === 0) return;
    const healthy = this.elb.targetGroups.get(tg)?.targets.some((t) => t.state === 'healthy') ?? false;
    const errors = healthy ? this.whole(`5xx ${tg}`, requests * (this.errorRates.get(tg) ?? 0)) : requests;
    let byStart = this.buckets.get(tg);
    if (!byStart) {
      byStart = new Map();
      this.buckets.set(tg, byStart);
    }
    const b = byStart.get(bucketStart) ?? { requests: 0, errors5xx: 0, p99Ms: null };
    b.requests += requests;
    b.errors5xx += errors;
    if (healthy) b.p99Ms = Math.max(b.p99Ms ?? 0, this.latencies.get(tg) ?? this.defaultP99Ms);
    byStart.set(bucketStart, b);
  }

  private whole(key: string, exact: number): number {
    const total = (this.carry.get(key) ?? 0) + exact;
    const n = Math.floor(total + 1e-9);
    this.carry.set(key, total - n);
    return n;
  }
}
