/**
 * The reconcile loop: a deployment whose job was lost (a crash between recording a transition
 * and enqueueing its job) gets the job its state needs, on the deterministic schedule.
 */
import { describe, expect, it } from 'vitest';
import { jobId } from '../../src/domain/job-ids.js';
import { reconcileAll } from '../../src/jobs/reconcile.js';
import { type JobRig, POLL_INTERVAL_MS } from '../helpers/job-rig.js';
import { useJobRig } from '../helpers/job-rig-hooks.js';

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
    rig.clock.set(switchedAt + 2 * POLL_INTERVAL_MS + 5_000); // between the 2nd and 3rd poll

    expect(await reconcileAll(rig.ctx)).toBe(1);

    const at = switchedAt + 3 * POLL_INTERVAL_MS;
    const job = await rig.queue.getJob(jobId('verify', d.id, at));
    expect(job?.data).toEqual({ deploymentId: d.id, at });
    expect(await job?.getState()).toBe('delayed');
    expect(job?.opts.delay).toBe(15_000);
  });

  it('adds nothing more when run again', async () => {
    const d = await rig.verifying();
    await rig.queue.remove(jobId('verify', d.id));
    rig.clock.set((d.cutover?.finishedAt as number) + 5_000);

    await reconcileAll(rig.ctx);
    await reconcileAll(rig.ctx);

    const verifies = (await rig.queue.getJobs(['delayed', 'waiting'])).filter((j) => j.name === 'verify');
    expect(verifies.map((j) => j.id)).toEqual([
      jobId('verify', d.id, (d.cutover?.finishedAt as number) + POLL_INTERVAL_MS),
    ]);
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
