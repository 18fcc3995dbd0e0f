import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/ops/metrics.js';

/** The value of one sample line, e.g. `name{a="b"} 3`; undefined when absent. */
function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('createMetrics', () => {
  it('renders Prometheus text with default process metrics', async () => {
    const { contentType, body } = await createMetrics().render();

    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(body).toContain('nodejs_heap_size_used_bytes');
  });

  it('counts finished deployments by service and outcome', async () => {
    const m = createMetrics();
    m.deploymentFinished('checkout', 'done');
    m.deploymentFinished('checkout', 'done');
    m.deploymentFinished('checkout', 'rolled_back');
    m.deploymentFinished('search', 'failed');

    const { body } = await m.render();
    expect(body).toContain('# TYPE greenlight_deployments_total counter');
    expect(sample(body, 'greenlight_deployments_total{service="checkout",outcome="done"}')).toBe(2);
    expect(sample(body, 'greenlight_deployments_total{service="checkout",outcome="rolled_back"}')).toBe(1);
    expect(sample(body, 'greenlight_deployments_total{service="search",outcome="failed"}')).toBe(1);
  });

  it('records cutover and rollback durations in separate histograms per service', async () => {
    const m = createMetrics();
    m.observeCutover('checkout', 0.8);
    m.observeCutover('checkout', 3);
    m.observeRollback('checkout', 1.5);

    const { body } = await m.render();
    expect(sample(body, 'greenlight_cutover_duration_seconds_count{service="checkout"}')).toBe(2);
    expect(sample(body, 'greenlight_cutover_duration_seconds_sum{service="checkout"}')).toBeCloseTo(3.8);
    expect(sample(body, 'greenlight_cutover_duration_seconds_bucket{le="1",service="checkout"}')).toBe(1);
    expect(sample(body, 'greenlight_rollback_duration_seconds_count{service="checkout"}')).toBe(1);
    expect(sample(body, 'greenlight_rollback_duration_seconds_bucket{le="1",service="checkout"}')).toBe(0);
    expect(sample(body, 'greenlight_rollback_duration_seconds_bucket{le="2",service="checkout"}')).toBe(1);
  });

  it('collects queue depth and pending teardowns afresh on every scrape', async () => {
    const m = createMetrics();
    let depth: Record<string, number> = { waiting: 2, delayed: 5 };
    let pending = 3;
    m.setCollectors({ queueDepth: async () => depth, pendingTeardowns: async () => pending });

    const first = (await m.render()).body;
    expect(sample(first, 'greenlight_queue_jobs{state="waiting"}')).toBe(2);
    expect(sample(first, 'greenlight_queue_jobs{state="delayed"}')).toBe(5);
    expect(sample(first, 'greenlight_pending_teardowns')).toBe(3);

    depth = { active: 1 };
    pending = 0;
    const second = (await m.render()).body;
    expect(sample(second, 'greenlight_queue_jobs{state="active"}')).toBe(1);
    expect(sample(second, 'greenlight_queue_jobs{state="waiting"}')).toBeUndefined();
    expect(sample(second, 'greenlight_pending_teardowns')).toBe(0);
  });

  it('keeps serving metrics when a collector fails, counting the failure and keeping the last values', async () => {
    const m = createMetrics();
    m.deploymentFinished('checkout', 'done');
    let healthy = false;
    m.setCollectors({
      queueDepth: async () => {
        if (!healthy) throw new Error('redis down');
        return { waiting: 4 };
      },
      pendingTeardowns: async () => {
        if (!healthy) throw new Error('redis down');
        return 2;
      },
    });

    const failed = (await m.render()).body;
    expect(sample(failed, 'greenlight_deployments_total{service="checkout",outcome="done"}')).toBe(1);
    expect(failed).not.toMatch(/^greenlight_queue_jobs\{/m);
    expect(sample(failed, 'greenlight_metrics_collect_errors_total{collector="queue_jobs"}')).toBe(1);
    expect(sample(failed, 'greenlight_metrics_collect_errors_total{collector="pending_teardowns"}')).toBe(1);

    healthy = true;
    await m.render();
    healthy = false;
    const stale = (await m.render()).body;
    expect(sample(stale, 'greenlight_queue_jobs{state="waiting"}')).toBe(4);
    expect(sample(stale, 'greenlight_pending_teardowns')).toBe(2);
    expect(sample(stale, 'greenlight_metrics_collect_errors_total{collector="queue_jobs"}')).toBe(2);
  });

  it('keeps each instance on its own registry', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.deploymentFinished('checkout', 'done');

    expect(a.registry).not.toBe(b.registry);
    expect((await b.render()).body).not.toMatch(/^greenlight_deployments_total\{/m);
  });
});
