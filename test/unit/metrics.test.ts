import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reason } from '../../src/domain/reasons.js';
import { ROLLBACK_CAUSES, rollbackCause } from '../../src/domain/rollback-cause.js';
import { createMetrics, HOOK_OUTCOMES, HOOKS, labelValue } from '../../src/ops/metrics.js';
import { seriesValue } from '../helpers/metrics.js';

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
    expect(seriesValue(body, 'greenlight_deployments_total{service="checkout",outcome="done"}')).toBe(2);
    expect(seriesValue(body, 'greenlight_deployments_total{service="checkout",outcome="rolled_back"}')).toBe(
      1,
    );
    expect(seriesValue(body, 'greenlight_deployments_total{service="search",outcome="failed"}')).toBe(1);
  });

  it('records cutover and rollback durations in separate histograms per service', async () => {
    const m = createMetrics();
    m.observeCutover('checkout', 0.8);
    m.observeCutover('checkout', 3);
    m.observeRollback('checkout', 1.5);

    const { body } = await m.render();
    expect(seriesValue(body, 'greenlight_cutover_duration_seconds_count{service="checkout"}')).toBe(2);
    expect(seriesValue(body, 'greenlight_cutover_duration_seconds_sum{service="checkout"}')).toBeCloseTo(3.8);
    expect(seriesValue(body, 'greenlight_cutover_duration_seconds_bucket{le="1",service="checkout"}')).toBe(
      1,
    );
    expect(seriesValue(body, 'greenlight_rollback_duration_seconds_count{service="checkout"}')).toBe(1);
    expect(seriesValue(body, 'greenlight_rollback_duration_seconds_bucket{le="1",service="checkout"}')).toBe(
      0,
    );
    expect(seriesValue(body, 'greenlight_rollback_duration_seconds_bucket{le="2",service="checkout"}')).toBe(
      1,
    );
  });

  it('collects queue depth and pending teardowns afresh on every scrape', async () => {
    const m = createMetrics();
    let depth: Record<string, number> = { waiting: 2, delayed: 5 };
    let pending = 3;
    m.setCollectors({ queueDepth: async () => depth, pendingTeardowns: async () => pending });

    const first = (await m.render()).body;
    expect(seriesValue(first, 'greenlight_queue_jobs{state="waiting"}')).toBe(2);
    expect(seriesValue(first, 'greenlight_queue_jobs{state="delayed"}')).toBe(5);
    expect(seriesValue(first, 'greenlight_pending_teardowns')).toBe(3);

    depth = { active: 1 };
    pending = 0;
    const second = (await m.render()).body;
    expect(seriesValue(second, 'greenlight_queue_jobs{state="active"}')).toBe(1);
    expect(seriesValue(second, 'greenlight_queue_jobs{state="waiting"}')).toBeUndefined();
    expect(seriesValue(second, 'greenlight_pending_teardowns')).toBe(0);
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
    expect(seriesValue(failed, 'greenlight_deployments_total{service="checkout",outcome="done"}')).toBe(1);
    expect(failed).not.toMatch(/^greenlight_queue_jobs\{/m);
    expect(seriesValue(failed, 'greenlight_metrics_collect_errors_total{collector="queue_jobs"}')).toBe(1);
    expect(
      seriesValue(failed, 'greenlight_metrics_collect_errors_total{collector="pending_teardowns"}'),
    ).toBe(1);

    healthy = true;
    await m.render();
    healthy = false;
    const stale = (await m.render()).body;
    expect(seriesValue(stale, 'greenlight_queue_jobs{state="waiting"}')).toBe(4);
    expect(seriesValue(stale, 'greenlight_pending_teardowns')).toBe(2);
    expect(seriesValue(stale, 'greenlight_metrics_collect_errors_total{collector="queue_jobs"}')).toBe(2);
  });

  it('keeps each instance on its own registry', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.deploymentFinished('checkout', 'done');

    expect(a.registry).not.toBe(b.registry);
    expect((await b.render()).body).not.toMatch(/^greenlight_deployments_total\{/m);
  });
});

/** The version package.json declares: what greenlight_build_info must carry. */
const packageVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('the metrics operators alert on', () => {
  it('names counters with _total, durations in seconds, every series with the greenlight_ prefix', async () => {
    const { body } = await createMetrics({ services: ['checkout'] }).render();
    const ours = [...body.matchAll(/^# TYPE (greenlight_\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]);
    expect(ours.length).toBeGreaterThan(10);
    for (const [name, type] of ours) {
      if (type === 'counter') expect(name).toMatch(/_total$/);
      if (type === 'histogram') expect(name).toMatch(/_seconds$/);
    }
    expect(body).toContain('# TYPE greenlight_rollbacks_total counter');
    expect(body).toContain('# TYPE greenlight_job_lag_seconds histogram');
  });

  it('reports the running version as greenlight_build_info 1', async () => {
    const { body } = await createMetrics().render();
    expect(seriesValue(body, `greenlight_build_info{version="${packageVersion}"}`)).toBe(1);
  });

  it('counts rollbacks by cause, each configured service starting at 0 for every cause', async () => {
    const m = createMetrics({ services: ['checkout', 'search'] });
    const zero = (await m.render()).body;
    for (const service of ['checkout', 'search']) {
      for (const cause of ROLLBACK_CAUSES) {
        expect(seriesValue(zero, `greenlight_rollbacks_total{service="${service}",cause="${cause}"}`)).toBe(
          0,
        );
      }
    }

    m.rollbackStarted('checkout', undefined);
    m.rollbackStarted('checkout', reason('rollback_requested', { user: 'U1' }));
    m.rollbackStarted('checkout', reason('gate_breached', { summary: '5xx', rollback: 'soak' }));
    m.rollbackStarted('search', reason('gate_breached', { summary: 'p99', rollback: 'verification' }));
    m.rollbackStarted('search', reason('failure', { step: 'verify', detail: 'x' }));

    const { body } = await m.render();
    expect(seriesValue(body, 'greenlight_rollbacks_total{service="checkout",cause="manual"}')).toBe(2);
    expect(seriesValue(body, 'greenlight_rollbacks_total{service="checkout",cause="auto_soak"}')).toBe(1);
    expect(
      seriesValue(body, 'greenlight_rollbacks_total{service="checkout",cause="auto_verification"}'),
    ).toBe(0);
    expect(seriesValue(body, 'greenlight_rollbacks_total{service="search",cause="auto_verification"}')).toBe(
      1,
    );
    expect(seriesValue(body, 'greenlight_rollbacks_total{service="search",cause="other"}')).toBe(1);
  });

  it('maps each rollback reason to its cause', () => {
    expect(rollbackCause(undefined)).toBe('manual');
    expect(rollbackCause(reason('rollback_requested', { user: 'U1' }))).toBe('manual');
    expect(rollbackCause(reason('gate_breached', { summary: 's', rollback: 'verification' }))).toBe(
      'auto_verification',
    );
    expect(rollbackCause(reason('gate_breached', { summary: 's', rollback: 'soak' }))).toBe('auto_soak');
    expect(rollbackCause(reason('gate_breached', { summary: 's' }))).toBe('other');
    expect(rollbackCause(reason('text', { text: 'legacy' }))).toBe('other');
  });

  it('counts gate breaches by service and gate, starting at 0 for every gate', async () => {
    const m = createMetrics({ services: ['checkout'] });
    m.gateBreached('checkout', 'alarm');
    m.gateBreached('checkout', 'alarm');
    m.gateBreached('checkout', 'p99_latency');

    const { body } = await m.render();
    expect(seriesValue(body, 'greenlight_gate_breaches_total{service="checkout",gate="alarm"}')).toBe(2);
    expect(seriesValue(body, 'greenlight_gate_breaches_total{service="checkout",gate="p99_latency"}')).toBe(
      1,
    );
    expect(seriesValue(body, 'greenlight_gate_breaches_total{service="checkout",gate="error_rate"}')).toBe(0);
    expect(
      seriesValue(body, 'greenlight_gate_breaches_total{service="checkout",gate="unhealthy_hosts"}'),
    ).toBe(0);
  });

  it('counts AWS errors by service, operation and code, and throttled requests by operation', async () => {
    const m = createMetrics();
    m.awsError('elasticloadbalancing', 'ModifyListener', 'Throttling');
    m.awsError('elasticloadbalancing', 'ModifyListener', 'Throttling');
    m.awsError('cloudwatch', 'GetMetricData', 'AccessDenied');
    m.awsThrottled('ecs', 'DescribeServices');

    const { body } = await m.render();
    expect(
      seriesValue(
        body,
        'greenlight_aws_errors_total{service="elasticloadbalancing",operation="ModifyListener",code="Throttling"}',
      ),
    ).toBe(2);
    expect(
      seriesValue(
        body,
        'greenlight_aws_errors_total{service="cloudwatch",operation="GetMetricData",code="AccessDenied"}',
      ),
    ).toBe(1);
    expect(
      seriesValue(
        body,
        'greenlight_aws_throttled_requests_total{service="ecs",operation="DescribeServices"}',
      ),
    ).toBe(1);
  });

  it('keeps a malformed label value short and free of quotes and spaces', async () => {
    const m = createMetrics();
    m.awsError('autoscaling', 'UpdateAutoScalingGroup', `bad "code" with spaces ${'x'.repeat(100)}`);
    m.slackApiError('chat.postMessage', '');

    const { body } = await m.render();
    const line = body.split('\n').find((l) => l.startsWith('greenlight_aws_errors_total{'));
    const code = /code="([^"]*)"/.exec(line ?? '')?.[1];
    expect(code).toBe(labelValue(`bad "code" with spaces ${'x'.repeat(100)}`));
    expect(code).toMatch(/^[A-Za-z0-9_.:-]{64}$/);
    expect(
      seriesValue(body, 'greenlight_slack_api_errors_total{method="chat.postMessage",error="unknown"}'),
    ).toBe(1);
  });

  it('counts hook calls by hook and outcome, every pair starting at 0', async () => {
    const m = createMetrics();
    const zero = (await m.render()).body;
    for (const hook of HOOKS) {
      for (const outcome of HOOK_OUTCOMES) {
        expect(seriesValue(zero, `greenlight_hook_calls_total{hook="${hook}",outcome="${outcome}"}`)).toBe(0);
      }
    }
    m.hookCalled('beforeTeardown', 'failed');
    m.hookCalled('beforeTeardown', 'ok');
    m.hookCalled('beforeTeardown', 'ok');

    const { body } = await m.render();
    expect(seriesValue(body, 'greenlight_hook_calls_total{hook="beforeTeardown",outcome="ok"}')).toBe(2);
    expect(seriesValue(body, 'greenlight_hook_calls_total{hook="beforeTeardown",outcome="failed"}')).toBe(1);
  });

  it('counts Slack API errors by method and error', async () => {
    const m = createMetrics();
    m.slackApiError('chat.update', 'message_not_found');
    m.slackApiError('chat.postMessage', 'ratelimited');
    m.slackApiError('chat.postMessage', 'ratelimited');

    const { body } = await m.render();
    expect(
      seriesValue(body, 'greenlight_slack_api_errors_total{method="chat.update",error="message_not_found"}'),
    ).toBe(1);
    expect(
      seriesValue(body, 'greenlight_slack_api_errors_total{method="chat.postMessage",error="ratelimited"}'),
    ).toBe(2);
  });

  it('observes job lag per job name in seconds (label job_name: a scraped `job` would be renamed)', async () => {
    const m = createMetrics();
    m.observeJobLag('rollback', 0.004);
    m.observeJobLag('rollback', 45);
    m.observeJobLag('verify', -1); // a clock step: never a negative lag

    const { body } = await m.render();
    expect(seriesValue(body, 'greenlight_job_lag_seconds_count{job_name="rollback"}')).toBe(2);
    expect(seriesValue(body, 'greenlight_job_lag_seconds_bucket{le="0.01",job_name="rollback"}')).toBe(1);
    expect(seriesValue(body, 'greenlight_job_lag_seconds_bucket{le="30",job_name="rollback"}')).toBe(1);
    expect(seriesValue(body, 'greenlight_job_lag_seconds_bucket{le="60",job_name="rollback"}')).toBe(2);
    expect(seriesValue(body, 'greenlight_job_lag_seconds_sum{job_name="verify"}')).toBe(0);
    expect(body).not.toMatch(/greenlight_job_lag_seconds\S*\{[^}]*\bjob="/);
  });
});
