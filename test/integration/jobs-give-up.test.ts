/**
 * A job that used up its attempts: `giveUp` must end the deployment in a state that says what the
 * load balancer shows, release the service lock and say so in the thread.
 */
import { describe, expect, it } from 'vitest';
import { canRollBack } from '../../src/domain/state-machine.js';
import { giveUp } from '../../src/jobs/give-up.js';
import { type JobRig, USERS } from '../helpers/job-rig.js';
import { useJobRig } from '../helpers/job-rig-hooks.js';
import { reasonWords } from '../helpers/reasons.js';

let rig: JobRig;
useJobRig((r) => {
  rig = r;
});

describe('giving up on a job after its attempts', () => {
  it('fails a cutover whose load balancer is untouched without recording a switch', async () => {
    const d = await rig.cuttingOver();
    expect(await rig.store.lockHolder('checkout')).toBe(d.id);

    await giveUp(rig.ctx, 'cutover', d.id, 'boom');

    const after = await rig.get(d.id);
    expect(after.state).toBe('failed');
    expect(after.cutover).toBeUndefined();
    expect(canRollBack(after)).toBe(false);
    expect(after.reason).toEqual({ code: 'gave_up', params: { job: 'cutover', why: 'boom' } });
    expect(reasonWords(after)).toMatch(/cutover job gave up: boom/);
    expect(rig.weights()).toEqual({ blue: 1, green: 0 });
    expect(await rig.store.lockHolder('checkout')).toBeNull();
    expect(rig.thread(after, /could not complete/)).toHaveLength(1);
  });

  it('fails a cutover whose load balancer was already switched with the switch recorded, so Rollback stays possible', async () => {
    const d = await rig.cuttingOver();
    await rig.switchAlbTo('green');

    await giveUp(rig.ctx, 'cutover', d.id, 'boom');

    const after = await rig.get(d.id);
    expect(after.state).toBe('failed');
    expect(after.cutover).toBeDefined();
    expect(canRollBack(after)).toBe(true);
    expect(await rig.store.lockHolder('checkout')).toBeNull();
    await rig.event(d.id, { type: 'rollback', user: USERS.requester });
    expect((await rig.get(d.id)).state).toBe('rolling_back');
  });

  it('counts a load balancer it cannot read as switched', async () => {
    const d = await rig.cuttingOver();
    rig.aws.elb.failNext('DescribeListeners', 'AccessDenied', 'not allowed');

    await giveUp(rig.ctx, 'cutover', d.id, 'boom');

    const after = await rig.get(d.id);
    expect(after.state).toBe('failed');
    expect(canRollBack(after)).toBe(true);
    expect(await rig.store.lockHolder('checkout')).toBeNull();
  });

  it('fails a verification as not verified', async () => {
    const d = await rig.verifying();

    await giveUp(rig.ctx, 'verify', d.id, 'boom');

    const after = await rig.get(d.id);
    expect(after.state).toBe('failed');
    expect(reasonWords(after)).toMatch(/verify job gave up: boom.*not verified/);
    expect(canRollBack(after)).toBe(true);
    expect(await rig.store.lockHolder('checkout')).toBeNull();
    expect(rig.thread(after, /could not complete/)).toHaveLength(1);
  });

  it('fails a teardown', async () => {
    const d = await rig.soaking();
    await rig.event(d.id, { type: 'teardown_now', user: USERS.approver });

    await giveUp(rig.ctx, 'teardown', d.id, 'boom');

    const after = await rig.get(d.id);
    expect(after.state).toBe('failed');
    expect(reasonWords(after)).toMatch(/teardown job gave up: boom/);
    expect(canRollBack(after)).toBe(false);
    expect(await rig.store.lockHolder('checkout')).toBeNull();
  });

  it('leaves a deployment alone when the job that gave up is not the one its state waits for', async () => {
    const d = await rig.soaking();

    await giveUp(rig.ctx, 'teardown', d.id, 'not due yet');

    expect((await rig.get(d.id)).state).toBe('soaking');
    expect(await rig.store.lockHolder('checkout')).toBe(d.id);
  });

  it('still records the failure when the notice cannot be posted to Slack', async () => {
    const d = await rig.verifying();
    rig.slack.failNext('post');

    await giveUp(rig.ctx, 'verify', d.id, 'boom');

    expect((await rig.get(d.id)).state).toBe('failed');
    expect(await rig.store.lockHolder('checkout')).toBeNull();
  });
});
