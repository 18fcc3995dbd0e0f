/**
 * Prometheus metrics (prom-client) on a registry of our own, so tests and several instances never
 * share global state. Queue depth and pending teardowns are gauges collected on each scrape; a
 * failing collector keeps its gauge's last values and is counted instead of failing the scrape.
 *
 * Names follow Prometheus's conventions ("Metric and label naming"): the `greenlight_` prefix,
 * base units (seconds), `_total` on counters, and labels with few values: a service, a cause, an
 * AWS operation and error code, never a deployment id or an ARN. Counters whose label values are
 * known up front (rollback causes and gates per configured service, hook outcomes) start at 0, so
 * `increase()` sees their first event (a series that appears at 1 has no earlier sample to compare).
 * The job-lag label is `job_name`, not `job`: Prometheus renames a scraped `job` label to
 * `exported_job` (scrape_config `honor_labels`, default false).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { DeploymentReason } from '../domain/reasons.js';
import { ROLLBACK_CAUSES, rollbackCause } from '../domain/rollback-cause.js';
import { VERSION } from './version.js';

/** The health gates a breach is counted by (GateBreach.kind, unreadable metrics excepted). */
export const GATES = ['error_rate', 'p99_latency', 'unhealthy_hosts', 'alarm'] as const;

/** The hooks Greenlight calls (HookResult.hook). */
export const HOOKS = [
  'beforeCutover',
  'afterCutover',
  'beforeTeardown',
  'scaleDown',
  'afterRollback',
  'verificationFailed',
] as const;
/**
 * How a hook call ended: `ok` (a 2xx), `failed` (answered another status), `timed_out` (no answer
 * within `hooks.timeout`), `unreachable` (no answer: connection refused, DNS), `not_called`
 * (refused before sending: no usable secret).
 */
export const HOOK_OUTCOMES = ['ok', 'failed', 'timed_out', 'unreachable', 'not_called'] as const;
export type HookOutcome = (typeof HOOK_OUTCOMES)[number];

/**
 * How one delivery attempt of the events webhook ended: `delivered` (a 2xx), `retried` (any other
 * answer, or none: tried again later), `gone` (a 410 Gone: delivery turned off, the event waits);
 * and `dead_lettered`, once per event given up (after `events.retryFor`, or waiting while delivery
 * was off or `events` not configured: kept in Redis, never sent again by itself).
 */
export const EVENT_OUTCOMES = ['delivered', 'retried', 'gone', 'dead_lettered'] as const;
export type EventOutcome = (typeof EVENT_OUTCOMES)[number];

/** The AWS services Greenlight calls, by their service prefix (as in IAM actions). */
export type AwsServiceLabel = 'elasticloadbalancing' | 'cloudwatch' | 'ecs' | 'autoscaling' | 'sts';

/**
 * A label value from outside (an AWS error code, a Slack error string, an SDK command name): up
 * to 64 characters of letters, digits and `_.:-`, others replaced by `_`; empty becomes `unknown`.
 * Those values come from fixed vocabularies; this only keeps a malformed one from bloating a series.
 */
export function labelValue(raw: string): string {
  const v = raw.slice(0, 64).replace(/[^A-Za-z0-9_.:-]/g, '_');
  return v === '' ? 'unknown' : v;
}

export interface MetricsOptions {
  /** The configured services: their rollback and gate-breach counters start at 0. */
  services?: readonly string[];
}

export interface MetricsCollectors {
  /** Jobs per queue state (e.g. waiting, active, delayed, failed). */
  queueDepth?: () => Promise<Record<string, number>>;
  /** Deployments soaking with a teardown still to come. */
  pendingTeardowns?: () => Promise<number>;
  /** Events the events webhook gave up on, kept in Redis (dead letters). */
  deadLetters?: () => Promise<number>;
  /** Whether the events webhook's receiver turned delivery off (a 410 Gone for the configured URL). */
  eventsDisabled?: () => Promise<boolean>;
}

export interface Metrics {
  registry: Registry;
  deploymentFinished(service: string, outcome: string): void;
  observeCutover(service: string, seconds: number): void;
  observeRollback(service: string, seconds: number): void;
  /** This process found that Redis lost its data (the sentinel's generation changed). */
  redisDataLost(): void;
  /** 1 when Redis persists every write and never evicts (appendonly, noeviction), else 0. */
  setRedisDurable(durable: boolean): void;
  /** Slots the last forgotten-environment scan found running without traffic. */
  setIdleSlots(n: number): void;
  /** A rollback was recorded as started (the `rollback` event, its `reason`): counted by cause. */
  rollbackStarted(service: string, reason: DeploymentReason | undefined): void;
  /** A health-gate breach seen for the first time (not yet announced), by gate. */
  gateBreached(service: string, gate: string): void;
  /** An AWS call failed (after the SDK's own retries): operation as `DescribeRules`, code as AWS names it. */
  awsError(service: AwsServiceLabel, operation: string, code: string): void;
  /** AWS answered one request (one attempt: the SDK retries it) with a throttling error. */
  awsThrottled(service: AwsServiceLabel, operation: string): void;
  /** A hook (webhook) call ended with `outcome`. */
  hookCalled(hook: string, outcome: HookOutcome): void;
  /** One delivery attempt of the events webhook ended with `outcome`. */
  eventDelivery(outcome: EventOutcome): void;
  /** A Slack Web API call failed: `method` as `chat.postMessage`, `error` as Slack names it. */
  slackApiError(method: string, error: string): void;
  /** A queue job started `seconds` after it was due. */
  observeJobLag(job: string, seconds: number): void;
  /** Sets scrape-time collectors; merges with earlier calls (pass `undefined` to remove one). */
  setCollectors(c: MetricsCollectors): void;
  render(): Promise<{ contentType: string; body: string }>;
}

/** Seconds: a healthy cutover is a few AWS calls; a slow one waits for throttling retries. */
export const SWITCH_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];

/**
 * Seconds from when a job was due to when a worker started it: a few milliseconds when workers
 * keep up; seconds when every worker is busy (a release train) or Redis is slow.
 */
export const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let collectors: MetricsCollectors = {};
  // Scrape-time collections in flight; the error counter waits for them so a failure shows at once.
  let inflight: Promise<void>[] = [];
  const track = (p: Promise<void>): Promise<void> => {
    inflight.push(p);
    return p;
  };

  const deployments = new Counter({
    name: 'greenlight_deployments_total',
    help: 'Deployments that reached a terminal state, by service and outcome (done, rolled_back, failed, ...).',
    labelNames: ['service', 'outcome'] as const,
    registers: [registry],
  });
  const cutover = new Histogram({
    name: 'greenlight_cutover_duration_seconds',
    help: 'Time to switch every forward of a service to the new slot, read-back included.',
    labelNames: ['service'] as const,
    buckets: SWITCH_BUCKETS,
    registers: [registry],
  });
  const rollback = new Histogram({
    name: 'greenlight_rollback_duration_seconds',
    help: 'Time to switch every forward of a service back to the previous slot, read-back included.',
    labelNames: ['service'] as const,
    buckets: SWITCH_BUCKETS,
    registers: [registry],
  });
  new Gauge({
    name: 'greenlight_queue_jobs',
    help: 'Jobs in the work queue, by state.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      return track(
        (async () => {
          if (!collectors.queueDepth) return this.reset();
          try {
            const depth = await collectors.queueDepth();
            this.reset();
            for (const [state, n] of Object.entries(depth)) this.set({ state }, n);
          } catch {
            collectErrors.inc({ collector: 'queue_jobs' });
          }
        })(),
      );
    },
  });
  /**
   * A gauge of one number, read on each scrape: `read` gives undefined when its collector is not
   * set (the gauge is reset); a read that fails keeps the last value and counts `collector`.
   */
  const scrapedGauge = (
    name: string,
    help: string,
    collector: string,
    read: () => Promise<number> | undefined,
  ) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        return track(
          (async () => {
            try {
              const value = read();
              if (value === undefined) return this.reset();
              this.set(await value);
            } catch {
              collectErrors.inc({ collector });
            }
          })(),
        );
      },
    });
  scrapedGauge(
    'greenlight_pending_teardowns',
    'Deployments keeping a previous slot alive until a scheduled teardown.',
    'pending_teardowns',
    () => collectors.pendingTeardowns?.(),
  );
  scrapedGauge(
    'greenlight_event_dead_letters',
    'Events the events webhook gave up on, kept in Redis (the newest 10 000, for 30 days at most).',
    'event_dead_letters',
    () => collectors.deadLetters?.(),
  );
  scrapedGauge(
    'greenlight_events_endpoint_disabled',
    '1 while the events webhook sends nothing because its receiver answered 410 Gone, else 0.',
    'events_endpoint_disabled',
    () => collectors.eventsDisabled?.().then((disabled) => (disabled ? 1 : 0)),
  );
  // Registered after the gauges, so their collections of this scrape are already in `inflight`.
  const collectErrors = new Counter({
    name: 'greenlight_metrics_collect_errors_total',
    help: 'Scrape-time collectors that failed (their gauge keeps its last collected values).',
    labelNames: ['collector'] as const,
    registers: [registry],
    async collect() {
      const pending = inflight;
      inflight = [];
      await Promise.allSettled(pending);
    },
  });

  const dataLost = new Counter({
    name: 'greenlight_redis_data_lost_total',
    help: 'Times this process found that Redis lost its data (deployment records, locks, scheduled jobs).',
    registers: [registry],
  });
  const durable = new Gauge({
    name: 'greenlight_redis_durable',
    help: '1 when Redis reports appendonly persistence and maxmemory-policy noeviction, else 0.',
    registers: [registry],
  });
  const idleSlots = new Gauge({
    name: 'greenlight_idle_slots',
    help: 'Slots the last forgotten-environment scan found running without traffic, no record accounting for them.',
    registers: [registry],
  });

  new Gauge({
    name: 'greenlight_build_info',
    help: 'Always 1; `version` is the running build (package.json).',
    labelNames: ['version'] as const,
    registers: [registry],
  }).set({ version: VERSION }, 1);
  const rollbacks = new Counter({
    name: 'greenlight_rollbacks_total',
    help: 'Rollbacks started, by service and cause (manual, auto_verification, auto_soak, other).',
    labelNames: ['service', 'cause'] as const,
    registers: [registry],
  });
  const gateBreaches = new Counter({
    name: 'greenlight_gate_breaches_total',
    help: 'Health-gate breaches of a new slot, each counted once, by service and gate (error_rate, p99_latency, unhealthy_hosts, alarm).',
    labelNames: ['service', 'gate'] as const,
    registers: [registry],
  });
  for (const service of opts.services ?? []) {
    for (const cause of ROLLBACK_CAUSES) rollbacks.inc({ service, cause }, 0);
    for (const gate of GATES) gateBreaches.inc({ service, gate }, 0);
  }
  const awsErrors = new Counter({
    name: 'greenlight_aws_errors_total',
    help: 'AWS calls that failed after the SDK retries, by service, operation and error code.',
    labelNames: ['service', 'operation', 'code'] as const,
    registers: [registry],
  });
  const awsThrottles = new Counter({
    name: 'greenlight_aws_throttled_requests_total',
    help: 'AWS requests answered with a throttling error, each attempt counted (the SDK retries them), by service and operation.',
    labelNames: ['service', 'operation'] as const,
    registers: [registry],
  });
  const hooks = new Counter({
    name: 'greenlight_hook_calls_total',
    help: 'Hook (webhook) calls, by hook and outcome (ok, failed, timed_out, unreachable, not_called).',
    labelNames: ['hook', 'outcome'] as const,
    registers: [registry],
  });
  for (const hook of HOOKS) for (const outcome of HOOK_OUTCOMES) hooks.inc({ hook, outcome }, 0);
  const events = new Counter({
    name: 'greenlight_event_deliveries_total',
    help: 'Delivery attempts of the events webhook by outcome (delivered, retried, gone), and events given up (dead_lettered).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  for (const outcome of EVENT_OUTCOMES) events.inc({ outcome }, 0);
  const slackErrors = new Counter({
    name: 'greenlight_slack_api_errors_total',
    help: 'Slack Web API calls that failed after the client retries, by method and Slack error.',
    labelNames: ['method', 'error'] as const,
    registers: [registry],
  });
  const jobLag = new Histogram({
    name: 'greenlight_job_lag_seconds',
    help: 'Time from when a queue job was due to when a worker started it (first start only), by job name.',
    labelNames: ['job_name'] as const,
    buckets: LAG_BUCKETS,
    registers: [registry],
  });

  return {
    registry,
    rollbackStarted: (service, reason) => rollbacks.inc({ service, cause: rollbackCause(reason) }),
    gateBreached: (service, gate) => gateBreaches.inc({ service, gate: labelValue(gate) }),
    awsError: (service, operation, code) =>
      awsErrors.inc({ service, operation: labelValue(operation), code: labelValue(code) }),
    awsThrottled: (service, operation) => awsThrottles.inc({ service, operation: labelValue(operation) }),
    hookCalled: (hook, outcome) => hooks.inc({ hook: labelValue(hook), outcome }),
    eventDelivery: (outcome) => events.inc({ outcome }),
    slackApiError: (method, error) =>
      slackErrors.inc({ method: labelValue(method), error: labelValue(error) }),
    observeJobLag: (job, seconds) => jobLag.observe({ job_name: labelValue(job) }, Math.max(0, seconds)),
    redisDataLost: () => dataLost.inc(),
    setRedisDurable: (ok) => durable.set(ok ? 1 : 0),
    setIdleSlots: (n) => idleSlots.set(n),
    deploymentFinished: (service, outcome) => deployments.inc({ service, outcome }),
    observeCutover: (service, seconds) => cutover.observe({ service }, seconds),
    observeRollback: (service, seconds) => rollback.observe({ service }, seconds),
    setCollectors: (c) => {
      collectors = { ...collectors, ...c };
    },
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
