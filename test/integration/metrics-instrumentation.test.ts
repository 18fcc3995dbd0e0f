/**
 * The operator metrics, counted where the real jobs do their work: a rollback by a gate breach
 * (soak and verification) and by a click, a breach counted once however often it is seen again,
 * AWS errors and throttled requests seen by the SDK client's middleware (real SDK against the local
 * ELBv2 endpoint), a hook that answers 500, and the lag of a job a real BullMQ worker started.
 */
import type { Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localAwsClients } from '../../sandbox/local-aws.js';
import { meterAwsClient } from '../../src/aws/call-metrics.js';
import { createElbAdapter } from '../../src/aws/elb-sdk-adapter.js';
import { jobId } from '../../src/domain/job-ids.js';
import { runCutover } from '../../src/jobs/cutover-job.js';
import { runPrecheck } from '../../src/jobs/precheck-job.js';
import { runVerify } from '../../src/jobs/verify-job.js';
import { runWatch } from '../../src/jobs/watch-job.js';
import { startWorker } from '../../src/jobs/worker.js';
import { type JobRig, USERS } from '../helpers/job-rig.js';
import { useJobRig } from '../helpers/job-rig-hooks.js';
import { metricOf } from '../helpers/metrics.js';
import { waitUntil } from '../helpers/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

let rig: JobRig;
useJobRig((r) => {
  rig = r;
});

/** The value of one series in the rig's /metrics text; undefined when absent. */
const value = metricOf(() => rig.ctx.metrics);

describe('greenlight_rollbacks_total and greenlight_gate_breaches_total', () => {
  it('counts an automatic rollback on a breach during the soak as auto_soak, and the breach by gate', async () => {
    const d = await rig.soaking();
    rig.alarmGate(true);

    await runWatch(rig.ctx, d.id);

    expect((await rig.get(d.id)).state).toBe('rolling_back');
    expect(await value('greenlight_rollbacks_total{service="checkout",cause="auto_soak"}')).toBe(1);
    expect(await value('greenlight_rollbacks_total{service="checkout",cause="manual"}')).toBeUndefined();
    expect(await value('greenlight_gate_breaches_total{service="checkout",gate="alarm"}')).toBe(1);
  });

  it('counts an automatic rollback on a breach during verification as auto_verification', async () => {
    const d = await rig.verifying();
    rig.alarmGate(true);

    await runVerify(rig.ctx, d.id);

    expect((await rig.get(d.id)).state).toBe('rolling_back');
    expect(await value('greenlight_rollbacks_total{service="checkout",cause="auto_verification"}')).toBe(1);
    expect(await value('greenlight_rollbacks_total{service="checkout",cause="auto_soak"}')).toBeUndefined();
  });

  it('counts a Rollback click as manual', async () => {
    const d = await rig.soaking();
    await rig.event(d.id, { type: 'rollback', user: USERS.approver });

    expect(await value('greenlight_rollbacks_total{service="checkout",cause="manual"}')).toBe(1);
  });

  it('counts a breach once, not at every check that sees it again', async () => {
    const d = await rig.soaking();
    rig.alarmGate(false);

    await runWatch(rig.ctx, d.id);
    await runWatch(rig.ctx, d.id);

    const after = await rig.get(d.id);
    expect(after.state).toBe('soaking');
    expect(after.messages.posted.filter((k) => k.startsWith('gate-soak-'))).toHaveLength(1); // alerted once
    expect(await value('greenlight_gate_breaches_total{service="checkout",gate="alarm"}')).toBe(1);
  });

  it('counts a breach once while Slack refuses its alert and every check sees it again', async () => {
    const d = await rig.soaking();
    rig.alarmGate(false);
    rig.slack.failNext('post');
    await runWatch(rig.ctx, d.id).catch(() => {}); // the alert could not be posted
    rig.slack.failNext('post');
    await runWatch(rig.ctx, d.id).catch(() => {});

    expect((await rig.get(d.id)).messages.posted.filter((k) => k.startsWith('gate-soak-'))).toHaveLength(0);
    expect(await value('greenlight_gate_breaches_total{service="checkout",gate="alarm"}')).toBe(1);
  });
});

describe('greenlight_aws_errors_total and greenlight_aws_throttled_requests_total', () => {
  /** The rig's context on an ELBv2 client that retries as production does, its errors counted. */
  function meteredElb() {
    const { elb } = localAwsClients(rig.aws.url, { maxAttempts: 3 });
    meterAwsClient(elb, 'elasticloadbalancing', rig.ctx.metrics);
    return rig.withElb(createElbAdapter(elb));
  }

  it('counts each throttled attempt the SDK retried, and no error when a retry succeeded', async () => {
    const ctx = meteredElb();
    rig.aws.elb.failNext('DescribeTargetHealth', 'Throttling', 'Rate exceeded');
    rig.aws.elb.failNext('DescribeTargetHealth', 'Throttling', 'Rate exceeded');
    const d = await rig.request();

    await runPrecheck(ctx, d.id);

    expect((await rig.get(d.id)).state).toBe('awaiting_approval');
    expect(
      await value(
        'greenlight_aws_throttled_requests_total{service="elasticloadbalancing",operation="DescribeTargetHealth"}',
      ),
    ).toBe(2);
    const { body } = await rig.ctx.metrics.render();
    expect(body).not.toMatch(/^greenlight_aws_errors_total\{/m);
  });

  it('counts a call that failed by operation and the code AWS answered', async () => {
    const ctx = meteredElb();
    rig.aws.elb.failNext(
      'DescribeTargetHealth',
      'TargetGroupNotFound',
      'One or more target groups not found',
    );
    const d = await rig.request();

    await runPrecheck(ctx, d.id).catch(() => undefined); // blocked, or left to retry: the count is the point

    expect(
      await value(
        'greenlight_aws_errors_total{service="elasticloadbalancing",operation="DescribeTargetHealth",code="TargetGroupNotFound"}',
      ),
    ).toBe(1);
    expect(
      await value(
        'greenlight_aws_throttled_requests_total{service="elasticloadbalancing",operation="DescribeTargetHealth"}',
      ),
    ).toBeUndefined();
  });
});

describe('greenlight_hook_calls_total', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    receiver.answer((r) => ({ status: r.path === '/fail' ? 500 : 200, body: 'answer' }));
  });
  afterAll(() => receiver.close());

  it('counts a beforeCutover hook that answered 500 as failed', async () => {
    rig.svc.hooks = {
      secretEnv: 'GL_TEST_HOOK_SECRET',
      timeoutMs: 2_000,
      retries: 0,
      beforeCutover: `${receiver.url}/fail`,
    };
    rig.ctx.secret = () => 'a-hook-secret-of-thirty-two-chars!';
    const d = await rig.cuttingOver();

    await runCutover(rig.ctx, d.id);

    expect(await value('greenlight_hook_calls_total{hook="beforeCutover",outcome="failed"}')).toBe(1);
    expect(await value('greenlight_hook_calls_total{hook="beforeCutover",outcome="ok"}')).toBe(0);
  });
});

describe('greenlight_job_lag_seconds', () => {
  let worker: Worker | undefined;
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });

  it('observes, as a worker starts a job, the time since it was due (a delayed job: since its deadline)', async () => {
    const d = await rig.soaking();
    await rig.queue.drain(true); // the jobs the soak scheduled: only this test's job runs
    const at = rig.clock.now() + 500;
    const id = jobId('sync', d.id, at);
    await rig.ctx.scheduler.enqueue('sync', d.id, at);
    worker = startWorker(rig.ctx, rig.bullConnection, { prefix: rig.prefix, concurrency: 1 });

    await waitUntil(async () => (await rig.queue.getJobState(id)) === 'completed', { what: 'the sync job' });
    const job = await rig.queue.getJob(id);
    expect(job?.opts.delay).toBe(500);
    expect(job?.attemptsStarted).toBe(1);
    if (job?.processedOn === undefined) throw new Error('BullMQ recorded no start of the sync job');
    // What was observed is the job's own due (created + delay) → started, as BullMQ recorded it.
    const expected = (job.processedOn - job.timestamp - (job.opts.delay ?? 0)) / 1000;
    expect(await value('greenlight_job_lag_seconds_count{job_name="sync"}')).toBe(1);
    expect(await value('greenlight_job_lag_seconds_sum{job_name="sync"}')).toBeCloseTo(expected, 6);
  });
});
