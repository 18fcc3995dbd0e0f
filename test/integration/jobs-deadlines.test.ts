/**
 * Timed jobs that fire a little early (two workers' clocks differ): the job must fail so that
 * BullMQ retries it, leaving the deployment as it was, and act once the deadline has come.
 */
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../sandbox/fake-elb/demo.js';
import { NotDueYetError } from '../../src/errors.js';
import { runApprovalExpiry } from '../../src/jobs/approval-expiry-job.js';
import { runTeardown } from '../../src/jobs/teardown-job.js';
import { processJob } from '../../src/jobs/worker.js';
import { type JobRig, USERS } from '../helpers/job-rig.js';
import { useJobRig } from '../helpers/job-rig-hooks.js';

let rig: JobRig;
useJobRig((r) => {
  rig = r;
});

describe('a teardown job that runs 50 ms before its deadline', () => {
  it('throws NotDueYetError for a retry and leaves the deployment soaking with blue registered', async () => {
    const d = await rig.soaking();
    const at = d.teardownAt as number;
    rig.clock.set(at - 50);

    await expect(runTeardown(rig.ctx, d.id, at)).rejects.toBeInstanceOf(NotDueYetError);

    const after = await rig.get(d.id);
    expect(after.state).toBe('soaking');
    expect(after.teardownStartedAt).toBeUndefined();
    expect(rig.aws.elb.targetsOf(DEMO.checkout.blueArn)).toHaveLength(2);
    expect(await rig.store.lockHolder('checkout')).toBe(d.id);
    const err = await processJob(rig.ctx, {
      name: 'teardown',
      id: 't',
      data: { deploymentId: d.id, at },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NotDueYetError);
    expect(err).not.toBeInstanceOf(UnrecoverableError);
  });

  it('tears blue down when retried at the deadline', async () => {
    const d = await rig.soaking();
    const at = d.teardownAt as number;
    rig.aws.elb.setTargetGroupAttributes(DEMO.checkout.blueArn, {
      'deregistration_delay.timeout_seconds': '0',
    });
    rig.clock.set(at - 50);
    await expect(runTeardown(rig.ctx, d.id, at)).rejects.toBeInstanceOf(NotDueYetError);

    rig.clock.set(at);
    await runTeardown(rig.ctx, d.id, at);

    const after = await rig.get(d.id);
    expect(after.state).toBe('done');
    expect(rig.aws.elb.targetsOf(DEMO.checkout.blueArn)).toHaveLength(0);
    expect(rig.thread(after, /^Tore down/)).toHaveLength(1);
  });

  it('does nothing when Extend moved the deadline it was scheduled for', async () => {
    const d = await rig.soaking();
    const at = d.teardownAt as number;
    await rig.event(d.id, { type: 'extend', user: USERS.approver, byMs: 3_600_000 });
    rig.clock.set(at);

    await runTeardown(rig.ctx, d.id, at);

    expect((await rig.get(d.id)).state).toBe('soaking');
    expect(rig.aws.elb.targetsOf(DEMO.checkout.blueArn)).toHaveLength(2);
  });
});

describe('an approval-expiry job that runs 50 ms before the prompt expires', () => {
  it('throws NotDueYetError for a retry and leaves the prompt open', async () => {
    const d = await rig.awaitingApproval();
    const at = d.approvalExpiresAt as number;
    rig.clock.set(at - 50);

    await expect(runApprovalExpiry(rig.ctx, d.id)).rejects.toBeInstanceOf(NotDueYetError);

    expect((await rig.get(d.id)).state).toBe('awaiting_approval');
    expect(await rig.store.lockHolder('checkout')).toBe(d.id);
  });

  it('expires the deployment and frees the service when retried at the deadline', async () => {
    const d = await rig.awaitingApproval();
    const at = d.approvalExpiresAt as number;
    rig.clock.set(at - 50);
    await expect(runApprovalExpiry(rig.ctx, d.id)).rejects.toBeInstanceOf(NotDueYetError);

    rig.clock.set(at);
    await runApprovalExpiry(rig.ctx, d.id);

    expect((await rig.get(d.id)).state).toBe('expired');
    expect(await rig.store.lockHolder('checkout')).toBeNull();
  });
});
