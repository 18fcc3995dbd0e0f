/**
 * afterRollback and verificationFailed through the real jobs, a real redis-server, the real queue
 * and a real HTTP receiver: a manual rollback (cause manual), an automatic rollback after a failed
 * verification (both hooks, cause auto_verification), a receiver answering 500 (retried by the
 * queue, then reported and counted; the rollback stands), a crash between recording a failed
 * verification and enqueueing its hook, and a queue that refuses the hook's job (the thread is told
 * all the same; reconcile enqueues the hook).
 */
import { createHmac } from 'node:crypto';
import type { Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobContext } from '../../src/app/context.js';
import type { Scheduler } from '../../src/app/ports/scheduler.js';
import { type JobName, jobId } from '../../src/domain/job-ids.js';
import { giveUp } from '../../src/jobs/give-up.js';
import { runAfterRollback, runVerificationFailed } from '../../src/jobs/notification-hooks.js';
import { reconcileAll } from '../../src/jobs/reconcile.js';
import { runRollback } from '../../src/jobs/rollback-job.js';
import { runVerify } from '../../src/jobs/verify-job.js';
import { startWorker } from '../../src/jobs/worker.js';
import { GATE_ALARM, type JobRig, USERS } from '../helpers/job-rig.js';
import { useJobRig } from '../helpers/job-rig-hooks.js';
import { metricOf } from '../helpers/metrics.js';
import { waitUntil } from '../helpers/wait.js';
import {
  type ReceivedRequest,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../helpers/webhook-receiver.js';

const SECRET = 'a-hook-secret-of-thirty-two-chars!';

let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.close());

let rig: JobRig;
useJobRig((r) => {
  rig = r;
  receiver.requests.length = 0;
  receiver.answer(() => ({ status: 200, body: 'noted' }));
  r.svc.hooks = {
    secretEnv: 'GL_TEST_HOOK_SECRET',
    timeoutMs: 2_000,
    retries: 1,
    afterRollback: `${receiver.url}/rolled-back`,
    verificationFailed: `${receiver.url}/verify-failed`,
  };
  r.ctx.secret = () => SECRET;
});

const series = metricOf(() => rig.ctx.metrics);
const metric = (hook: string, outcome: string) =>
  series(`greenlight_hook_calls_total{hook="${hook}",outcome="${outcome}"}`);

/** The request was signed with the service's hook secret, as the README says to check it. */
function signedBySecret(req: ReceivedRequest): boolean {
  const ts = req.headers['x-greenlight-timestamp'] as string;
  const expected = `sha256=${createHmac('sha256', SECRET).update(`${ts}.${req.raw}`).digest('hex')}`;
  return req.headers['x-greenlight-signature'] === expected;
}

const at = (path: string) => receiver.requests.filter((r) => r.path === path);

describe('afterRollback after a Rollback click', () => {
  it('is enqueued by the rollback once traffic is back, and says the cause: manual', async () => {
    const d = await rig.soaking();
    await rig.event(d.id, { type: 'rollback', user: USERS.approver });

    await runRollback(rig.ctx, d.id);

    const back = await rig.get(d.id);
    expect(back.state).toBe('rolled_back');
    expect(rig.weights()).toEqual({ blue: 1, green: 0 });
    expect(await rig.queue.getJob(jobId('after-rollback', d.id))).toBeDefined();
    expect(await rig.queue.getJob(jobId('verification-failed', d.id))).toBeUndefined();
    expect(receiver.requests).toEqual([]); // the rollback job itself calls nothing

    await runAfterRollback(rig.ctx, d.id);
    await runAfterRollback(rig.ctx, d.id); // a second run (another replica): nothing more

    const [req] = at('/rolled-back');
    expect(at('/rolled-back')).toHaveLength(1);
    if (!req) throw new Error('afterRollback not received');
    expect(signedBySecret(req)).toBe(true);
    expect(req.headers['x-greenlight-hook']).toBe('afterRollback');
    expect(req.headers['x-greenlight-delivery']).toBe(`${d.id}-afterRollback`);
    expect(JSON.parse(req.raw)).toMatchObject({
      hook: 'afterRollback',
      deliveryId: `${d.id}-afterRollback`,
      deployment: { id: d.id, state: 'rolled_back', fromSlot: 'blue', toSlot: 'green' },
      rollback: {
        cause: 'manual',
        by: USERS.approver,
        from: 'green',
        to: 'blue',
        reason: { code: 'rollback_requested', params: { user: USERS.approver } },
      },
    });
    expect(await metric('afterRollback', 'ok')).toBe(1);
    const posted = await rig.get(d.id);
    expect(rig.thread(posted, /afterRollback/)).toHaveLength(1);
  });
});

describe('an automatic rollback after a failed verification', () => {
  it('calls verificationFailed with the failing check, then afterRollback with the cause auto_verification', async () => {
    const d = await rig.verifying();
    rig.alarmGate(true);

    await runVerify(rig.ctx, d.id);

    expect((await rig.get(d.id)).state).toBe('rolling_back');
    expect(await rig.queue.getJob(jobId('verification-failed', d.id))).toBeDefined();
    await runVerificationFailed(rig.ctx, d.id);
    const [failed] = at('/verify-failed');
    if (!failed) throw new Error('verificationFailed not received');
    expect(signedBySecret(failed)).toBe(true);
    const body = JSON.parse(failed.raw);
    expect(body).toMatchObject({
      hook: 'verificationFailed',
      deliveryId: `${d.id}-verificationFailed`,
      verification: { autoRollback: true, reason: { code: 'gate_breached' } },
    });
    expect(body.verification.checks).toEqual([
      { check: 'health_gates', detail: expect.stringContaining(GATE_ALARM) },
    ]);

    await runRollback(rig.ctx, d.id);
    expect((await rig.get(d.id)).state).toBe('rolled_back');
    await runAfterRollback(rig.ctx, d.id);
    const [rolled] = at('/rolled-back');
    expect(JSON.parse(rolled?.raw ?? '{}')).toMatchObject({
      rollback: { cause: 'auto_verification', by: 'greenlight', reason: { code: 'gate_breached' } },
    });
    expect(await metric('verificationFailed', 'ok')).toBe(1);
    expect(await metric('afterRollback', 'ok')).toBe(1);
    expect(at('/verify-failed')).toHaveLength(1);
  });

  it('is enqueued again by a re-run after a crash between the failure and the enqueue', async () => {
    const d = await rig.verifying();
    rig.alarmGate(false);
    await runVerify(rig.ctx, d.id);
    expect((await rig.get(d.id)).state).toBe('failed');
    // The process died before the hook's job was added.
    await rig.queue.remove(jobId('verification-failed', d.id));

    await runVerify(rig.ctx, d.id); // the verify job, run again

    expect(await rig.queue.getJob(jobId('verification-failed', d.id))).toBeDefined();
    await runVerificationFailed(rig.ctx, d.id);
    expect(at('/verify-failed').map((r) => JSON.parse(r.raw).verification)).toEqual([
      expect.objectContaining({
        autoRollback: false,
        checks: [expect.objectContaining({ check: 'health_gates' })],
      }),
    ]);
    expect((await rig.get(d.id)).state).toBe('failed'); // the hook changed nothing
  });

  it('is owed when the verify job itself gives up, and enqueued by the give-up', async () => {
    const d = await rig.verifying();
    await giveUp(rig.ctx, 'verify', d.id, 'CloudWatch could not be read');
    expect((await rig.get(d.id)).state).toBe('failed');
    expect(await rig.queue.getJob(jobId('verification-failed', d.id))).toBeDefined();
    await runVerificationFailed(rig.ctx, d.id);
    expect(at('/verify-failed')).toHaveLength(1);
  });

  it('is enqueued again by reconcile when its job was lost, and not once it was called', async () => {
    const d = await rig.verifying();
    rig.alarmGate(false);
    await runVerify(rig.ctx, d.id);
    await rig.queue.remove(jobId('verification-failed', d.id)); // lost (a crash, a Redis restore)

    await reconcileAll(rig.ctx);
    expect(await rig.queue.getJob(jobId('verification-failed', d.id))).toBeDefined();
    await runVerificationFailed(rig.ctx, d.id);
    expect(at('/verify-failed')).toHaveLength(1);

    await rig.queue.remove(jobId('verification-failed', d.id));
    await reconcileAll(rig.ctx);
    expect(await rig.queue.getJob(jobId('verification-failed', d.id))).toBeUndefined(); // paid
  });
});

describe('a queue that refuses the hook’s job', () => {
  /** The rig's context whose queue fails to add the notification hooks' jobs (Redis down for a moment). */
  function refusingHooks(): JobContext {
    const s = rig.ctx.scheduler;
    const refused = new Set<JobName>(['after-rollback', 'verification-failed']);
    const scheduler: Scheduler = {
      enqueue: (job, id, at) =>
        refused.has(job) ? Promise.reject(new Error('Connection is closed.')) : s.enqueue(job, id, at),
      enqueueNotify: (id, out) => s.enqueueNotify(id, out),
      repair: (job, id, at, max) => s.repair(job, id, at, max),
      cancel: (job, id, at) => s.cancel(job, id, at),
      apply: (d, effects) => s.apply(d, effects),
    };
    return { ...rig.ctx, scheduler };
  }

  it('does not keep the rollback message from Slack; reconcile enqueues the hook', async () => {
    const d = await rig.soaking();
    await rig.event(d.id, { type: 'rollback', user: USERS.approver });

    await runRollback(refusingHooks(), d.id);

    const back = await rig.get(d.id);
    expect(back.state).toBe('rolled_back');
    expect(rig.thread(back, /Rolled back/)).toHaveLength(1);
    expect(await rig.queue.getJob(jobId('after-rollback', d.id))).toBeUndefined();
    await reconcileAll(rig.ctx);
    expect(await rig.queue.getJob(jobId('after-rollback', d.id))).toBeDefined();
  });

  it('does not keep the gate alert of a failed verification from Slack; reconcile enqueues the hook', async () => {
    const d = await rig.verifying();
    rig.alarmGate(false);

    await runVerify(refusingHooks(), d.id);

    const failed = await rig.get(d.id);
    expect(failed.state).toBe('failed');
    expect(rig.thread(failed, /Health gate breached/)).toHaveLength(1);
    expect(await rig.queue.getJob(jobId('verification-failed', d.id))).toBeUndefined();
    await reconcileAll(rig.ctx);
    expect(await rig.queue.getJob(jobId('verification-failed', d.id))).toBeDefined();
  });
});

describe('a receiver answering 500', () => {
  let worker: Worker | undefined;
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });

  it('is retried by the queue, then reported in the thread and counted; the rollback stands', async () => {
    receiver.answer((req) => ({ status: req.path === '/rolled-back' ? 500 : 200, body: 'database on fire' }));
    const d = await rig.soaking();
    await rig.queue.drain(true); // only the rollback and what it enqueues run
    await rig.event(d.id, { type: 'rollback', user: USERS.approver });
    worker = startWorker(rig.ctx, rig.bullConnection, { prefix: rig.prefix, concurrency: 2 });

    await waitUntil(async () => (await metric('afterRollback', 'failed')) === 1, {
      what: 'the afterRollback hook to be counted as failed',
      timeoutMs: 20_000,
    });

    // 1 + hooks.retries attempts, by the queue, each with the same delivery id.
    const calls = at('/rolled-back');
    expect(calls).toHaveLength(2);
    expect(new Set(calls.map((c) => c.headers['x-greenlight-delivery']))).toEqual(
      new Set([`${d.id}-afterRollback`]),
    );
    // The count comes before the job's last steps (its record, the thread): wait for it to end.
    await waitUntil(
      async () => (await rig.queue.getJobState(jobId('after-rollback', d.id))) === 'completed',
      {
        what: 'the afterRollback job to complete',
      },
    );
    const job = await rig.queue.getJob(jobId('after-rollback', d.id));
    expect(job?.attemptsStarted).toBe(2); // one failed run, then the last one, which completed
    const after = await rig.get(d.id);
    expect(after.state).toBe('rolled_back');
    expect(rig.weights()).toEqual({ blue: 1, green: 0 });
    const notice = await waitUntil(() => rig.thread(after, /afterRollback/)[0], {
      what: 'the thread notice',
    });
    expect(JSON.stringify(notice.args)).toContain('HTTP 500');
    expect(JSON.stringify(notice.args)).toContain('nothing was undone');
    expect(await metric('afterRollback', 'ok')).toBe(0);
  });
});
