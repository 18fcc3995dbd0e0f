/**
 * Prometheus metrics (prom-client) on a registry of our own, so tests and several instances never
 * share global state. Queue depth and pending teardowns are gauges collected on each scrape; a
 * failing collector keeps its gauge's last values and is counted instead of failing the scrape.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsCollectors {
  /** Jobs per queue state (e.g. waiting, active, delayed, failed). */
  queueDepth?: () => Promise<Record<string, number>>;
  /** Deployments soaking with a teardown still to come. */
  pendingTeardowns?: () => Promise<number>;
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
  /** Sets scrape-time collectors; merges with earlier calls (pass `undefined` to remove one). */
  setCollectors(c: MetricsCollectors): void;
  render(): Promise<{ contentType: string; body: string }>;
}

/** Seconds: a healthy cutover is a few AWS calls; a slow one waits for throttling retries. */
export const SWITCH_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];

export function createMetrics(): Metrics {
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
  new Gauge({
    name: 'greenlight_pending_teardowns',
    help: 'Deployments keeping a previous slot alive until a scheduled teardown.',
    registers: [registry],
    collect() {
      return track(
        (async () => {
          if (!collectors.pendingTeardowns) return this.reset();
          try {
            this.set(await collectors.pendingTeardowns());
          } catch {
            collectErrors.inc({ collector: 'pending_teardowns' });
          }
        })(),
      );
    },
  });
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

  return {
    registry,
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
