/**
 * The reconcile loop: a deployment whose job was lost (a crash between recording a transition
 * and enqueueing its job) gets the job its state needs, on the deterministic schedule.
 */
import { describe, expect, it } from 'vitest';
import { jobId } from '../../src/domain/job-ids.js';
import { STALE_SWITCH_MS } from '../../src/domain/limits.js';
import { MAX_REPAIRS, reconcileAll } from '../../src/jobs/reconcile.js';
import { type JobRig, POLL_INTERVAL_MS, USERS } from '../helpers/job-rig.js';
import { useJobRig } from '../helpers/job-rig-hooks.js';
import { reasonWords } from '../helpers/reasons.js';
import { waitUntil } from '../helpers/wait.js';

let rig: JobRig;
useJobRig((r) => {
  rig = r;
});

describe('reconciling active deployments', () => {
  it('enqueues the next verification poll on the grid for a verifying deployment with no queued job', async () => {
    const d = await rig.verifying();
    await rig.queue.remove(jobId('verify', d.id));
    expect(await rig.queue.getJob(jobId('verify', d.id))).toBeUndefined();
    const switchedAt = d.cutover?.finishedAt as number;
    // 5 s past a point of the poll grid every deployment shares (multiples of the interval since
    // the epoch), two intervals after the switch.
    const gridPoint = (Math.ceil(switchedAt / POLL_INTERVAL_MS) + 2) * POLL_INTERVAL_MS;
    rig.clock.set(gridPoint + 5_000);

    expect(await reconcileAll(rig.ctx)).toBe(1);

    const at = gridPoint + POLL_INTERVAL_MS;
    const job = await rig.queue.getJob(jobId('verify', d.id, at));
    expect(job?.data).toEqual({ deploymentId: d.id, at });
    expect(await job?.getState()).toBe('delayed');
    expect(job?.opts.delay).toBe(POLL_INTERVAL_MS - 5_000);
  });

  it('adds nothing more when run again', async () => {
    const d = await rig.verifying();
    await rig.queue.remove(jobId('verify', d.id));
    const gridPoint = Math.ceil((d.cutover?.finishedAt as number) / POLL_INTERVAL_MS) * POLL_INTERVAL_MS;
    rig.clock.set(gridPoint + 5_000);

    await reconcileAll(rig.ctx);
    await reconcileAll(rig.ctx);

    const verifies = (await rig.queue.getJobs(['delayed', 'waiting'])).filter((j) => j.name === 'verify');
    expect(verifies.map((j) => j.id)).toEqual([jobId('verify', d.id, gridPoint + POLL_INTERVAL_MS)]);
  });

  it('re-creates the reminder and the teardown of a soaking deployment at their deadlines', async () => {
    const d = await rig.soaking();
    const remind = jobId('remind', d.id, d.remindAt);
    const teardown = jobId('teardown', d.id, d.teardownAt);
    await rig.queue.remove(remind);
    await rig.queue.remove(teardown);

    await reconcileAll(rig.ctx);

    expect((await rig.queue.getJob(remind))?.data).toEqual({ deploymentId: d.id, at: d.remindAt });
    expect((await rig.queue.getJob(teardown))?.data).toEqual({ deploymentId: d.id, at: d.teardownAt });
  });
});

describe('repairing what is stuck', () => {
  /** Fails the job with this id for good, as a worker whose every attempt threw would. */
  async function failForGood(id: string): Promise<void> {
    const { UnrecoverableError, Worker } = await import('bullmq');
    const { Redis } = await import('ioredis');
    const connection = new Redis(rig.redisUrl, { maxRetriesPerRequest: null });
    const worker = new Worker(
      rig.queue.name,
      async (job) => {
        if (job.id === id)
          throw new UnrecoverableError('AccessDenied: elasticloadbalancing:DeregisterTargets');
      },
      { connection, prefix: rig.prefix, concurrency: 1 },
    );
    try {
      await waitUntil(async () => (await rig.queue.getJob(id))?.isFailed(), { what: `${id} to fail` });
    } finally {
      await worker.close();
      connection.disconnect();
    }
  }

  it('retries a teardown that failed for good, then records the failure so the service is freed', async () => {
    const d = await rig.soaking();
    const tearing = await rig.event(d.id, { type: 'teardown_now', user: USERS.approver });
    const id = jobId('teardown', d.id, tearing.teardownStartedAt);
    for (let repair = 1; repair <= MAX_REPAIRS; repair += 1) {
      await failForGood(id);
      await reconcileAll(rig.ctx);
      expect((await rig.queue.getJob(id))?.data.repairs).toBe(repair);
      expect((await rig.get(d.id)).state).toBe('tearing_down');
    }
    await failForGood(id);
    await reconcileAll(rig.ctx);
    const after = await rig.get(d.id);
    expect(after.state).toBe('failed');
    expect(reasonWords(after)).toMatch(
      /^The teardown job gave up: AccessDenied: .* \(still failing after 3 more tries\)/,
    );
    expect(await rig.store.lockHolder('checkout')).toBeNull();
  });

  it('reports a switch that started long ago and never finished, instead of resuming it', async () => {
    const d = await rig.cuttingOver();
    await rig.ctx.store.update(d.id, (cur) => ({
      next: { ...cur, switchStartedAt: cur.updatedAt },
      result: null,
    }));
    await rig.switchAlbTo('green'); // it got half-way (here: all the way) before its worker died
    rig.clock.set(d.updatedAt + STALE_SWITCH_MS + 60_000);
    const modifies = rig.modifyCalls();

    await reconcileAll(rig.ctx);

    const after = await rig.get(d.id);
    expect(after.state).toBe('failed');
    expect(reasonWords(after)).toMatch(
      /its switch started 16m ago and never finished; it is not resumed this late/,
    );
    expect(after.cutover).toBeDefined(); // touched: Rollback stays possible
    expect(rig.modifyCalls()).toBe(modifies);
  });
});
