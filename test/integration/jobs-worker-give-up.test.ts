import type { Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { jobId } from '../../src/domain/job-ids.js';
import { startWorker } from '../../src/jobs/worker.js';
import type { JobRig } from '../helpers/job-rig.js';
import { useJobRig } from '../helpers/job-rig-hooks.js';
import { waitUntil } from '../helpers/wait.js';

let rig: JobRig;
let worker: Worker | undefined;
useJobRig(
  (r) => {
    rig = r;
  },
  { attempts: 2, backoffMs: 10 },
);
// Registered after useJobRig's hooks, so it runs before the rig is closed.
afterEach(async () => {
  await worker?.close();
  worker = undefined;
});

describe('the real worker and a job that always throws', () => {
  it('gives the deployment up once the job has used its attempts', async () => {
    const d = await rig.awaitingApproval();
    rig.aws.elb.failNext('DescribeListeners', 'Throttling', 'slow down');
    rig.aws.elb.failNext('DescribeListeners', 'Throttling', 'slow down');
    await rig.event(d.id, { type: 'approve', user: 'U0APPROVER' }); // enqueues the cutover
    worker = startWorker(rig.ctx, rig.bullConnection, { prefix: rig.prefix, concurrency: 1 });

    await waitUntil(async () => (await rig.queue.getJobState(jobId('cutover', d.id))) === 'failed', {
      what: 'the cutover job to fail for good',
    });
    // Read once it failed: a job read before its state was checked can hold an older count.
    const job = await rig.queue.getJob(jobId('cutover', d.id));
    expect(job?.attemptsMade).toBe(2);
    const after = await waitUntil(
      async () => {
        const cur = await rig.get(d.id);
        return cur.state === 'cutting_over' ? undefined : cur;
      },
      {
        timeoutMs: 5_000,
        what: 'the deployment to leave cutting_over',
        last: async () => (await rig.get(d.id)).state,
      },
    );
    expect(after.state).toBe('failed');
    expect(after.cutover).toBeUndefined();
    expect(await rig.store.lockHolder('checkout')).toBeNull();
  });
});
