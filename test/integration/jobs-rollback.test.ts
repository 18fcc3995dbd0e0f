/**
 * Rollbacks that must not happen: the Rollback button of an older deployment once a newer one
 * succeeded, and a rollback to a slot with no healthy target. Either way traffic stays put.
 */
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../sandbox/fake-elb/demo.js';
import { patchDeployment } from '../../src/app/context.js';
import { canRollBack } from '../../src/domain/state-machine.js';
import { runRollback } from '../../src/jobs/rollback-job.js';
import { runTeardown } from '../../src/jobs/teardown-job.js';
import { runVerify } from '../../src/jobs/verify-job.js';
import { ACTIONS, decodeActionValue } from '../../src/messages/index.js';
import { handleAction } from '../../src/slack/action-handler.js';
import { handleCommand } from '../../src/slack/command-handler.js';
import { type JobRig, USERS } from '../helpers/job-rig.js';
import { useJobRig } from '../helpers/job-rig-hooks.js';
import { reasonWords } from '../helpers/reasons.js';
import { latestButton } from '../helpers/slack-inspect.js';

const BLUE_TARGETS = ['i-0c0b1e0000000001a', 'i-0c0b1e0000000002a'];

let rig: JobRig;
useJobRig((r) => {
  rig = r;
});

const queuedRollbacks = async () =>
  (await rig.queue.getJobs(['waiting', 'delayed'])).filter((j) => j.name === 'rollback');

describe('a stale Rollback button', () => {
  it('is refused once a newer deployment succeeded, and the load balancer is left alone', async () => {
    // A: blue → green; verification finds a forgotten rule on :80 that still sends /checkout* to blue.
    const forgotten = rig.aws.elb.addRule({
      listenerArn: DEMO.httpListenerArn,
      priority: 5,
      actions: [{ Type: 'forward', TargetGroupArn: DEMO.checkout.blueArn }],
    });
    const a = await rig.verifying();
    await runVerify(rig.ctx, a.id);
    const failedA = await rig.get(a.id);
    expect(failedA.state).toBe('failed');
    expect(canRollBack(failedA)).toBe(true);
    const button = latestButton(rig.slackApi, ACTIONS.rollback);
    expect(button && decodeActionValue(button.value)?.deploymentId).toBe(a.id);

    // The rule is fixed by hand; B (green → blue) then runs to the end.
    rig.aws.elb.rules.delete(forgotten);
    // B's old slot is green: no connections to drain, so its teardown ends in one run.
    rig.aws.elb.setTargetGroupAttributes(DEMO.checkout.greenArn, {
      'deregistration_delay.timeout_seconds': '0',
    });
    const b = await rig.soaking('blue');
    const tearing = await rig.event(b.id, { type: 'teardown_now', user: USERS.approver });
    await runTeardown(rig.ctx, b.id, tearing.teardownStartedAt);
    expect((await rig.get(b.id)).state).toBe('done');
    const weights = rig.weights();
    const modifies = rig.modifyCalls();

    const result = await handleAction(rig.web(), {
      actionId: ACTIONS.rollback,
      value: button?.value ?? '',
      userId: USERS.requester,
    });

    expect(result.reply?.text).toContain(b.id);
    expect((await rig.get(a.id)).state).toBe('failed');
    expect(await rig.store.lockHolder('checkout')).toBeNull();
    expect(await queuedRollbacks()).toEqual([]);
    expect(rig.weights()).toEqual(weights);
    expect(rig.modifyCalls()).toBe(modifies);
  });
});

describe('a failed switch followed by a deployment that never moved traffic', () => {
  async function failedVerificationThenCancelled() {
    rig.aws.elb.addRule({
      listenerArn: DEMO.httpListenerArn,
      priority: 5,
      actions: [{ Type: 'forward', TargetGroupArn: DEMO.checkout.blueArn }],
    });
    const a = await rig.verifying();
    await runVerify(rig.ctx, a.id);
    expect((await rig.get(a.id)).state).toBe('failed');
    const button = latestButton(rig.slackApi, ACTIONS.rollback);
    // B is asked for and cancelled before approval: it never touched the load balancer.
    const b = await rig.request('blue');
    await rig.event(b.id, { type: 'cancel', user: USERS.requester });
    expect((await rig.get(b.id)).state).toBe('cancelled');
    return { a, b, button };
  }

  it("keeps the failed deployment's Rollback button working", async () => {
    const { a, button } = await failedVerificationThenCancelled();

    const result = await handleAction(rig.web(), {
      actionId: ACTIONS.rollback,
      value: button?.value ?? '',
      userId: USERS.requester,
    });

    expect(result.reply).toBeUndefined();
    expect((await rig.get(a.id)).state).toBe('rolling_back');
    expect((await queuedRollbacks()).map((j) => j.data.deploymentId)).toEqual([a.id]);
  });

  it('/deploy rollback acts on the failed deployment, not the cancelled one', async () => {
    const { a } = await failedVerificationThenCancelled();

    const reply = await handleCommand(rig.web(), {
      command: '/deploy',
      text: 'rollback checkout',
      userId: USERS.requester,
      channelId: 'C0CHECKOUT',
    });

    expect(JSON.stringify(reply)).toContain(a.id);
    expect((await rig.get(a.id)).state).toBe('rolling_back');
  });
});

describe('a rollback to a slot with no healthy target', () => {
  it('fails the rollback and leaves traffic on green', async () => {
    const d = await rig.soaking();
    for (const id of BLUE_TARGETS) rig.aws.elb.setTargetHealth(DEMO.checkout.blueArn, id, 'unhealthy');
    await rig.event(d.id, { type: 'rollback', user: USERS.requester });
    const modifies = rig.modifyCalls();

    await runRollback(rig.ctx, d.id);

    const after = await rig.get(d.id);
    expect(after.state).toBe('failed');
    expect(after.history.at(-1)?.event).toBe('rollback_failed');
    expect(reasonWords(after)).toMatch(/blue has 0 healthy target/);
    expect(after.rollback).toBeUndefined();
    expect(rig.weights()).toEqual({ blue: 0, green: 1 });
    expect(rig.modifyCalls()).toBe(modifies);
    expect(rig.thread(after, /Rollback failed/)).toHaveLength(1);
  });

  it('is refused, with nothing locked or written, when the slot is no longer configured', async () => {
    const d = await rig.soaking();
    await rig.event(d.id, { type: 'rollback', user: USERS.requester });
    const checkout = rig.ctx.config.services['checkout'];
    if (!checkout) throw new Error('no checkout service');
    const { blue: _gone, ...slots } = checkout.slots;
    const ctx = {
      ...rig.ctx,
      config: {
        ...rig.ctx.config,
        services: { ...rig.ctx.config.services, checkout: { ...checkout, slots } },
      },
    };
    const calls = rig.aws.elb.calls.length;

    await runRollback(ctx, d.id);

    const after = await rig.get(d.id);
    expect(after.state).toBe('failed');
    expect(reasonWords(after)).toMatch(/Rollback refused: slot blue is no longer configured/);
    expect(rig.aws.elb.calls.length).toBe(calls);
    expect(rig.weights()).toEqual({ blue: 0, green: 1 });
  });

  it('can be retried once blue is healthy again', async () => {
    const d = await rig.soaking();
    for (const id of BLUE_TARGETS) rig.aws.elb.setTargetHealth(DEMO.checkout.blueArn, id, 'unhealthy');
    await rig.event(d.id, { type: 'rollback', user: USERS.requester });
    await runRollback(rig.ctx, d.id);
    expect(canRollBack(await rig.get(d.id))).toBe(true);

    for (const id of BLUE_TARGETS) rig.aws.elb.setTargetHealth(DEMO.checkout.blueArn, id, 'healthy');
    rig.clock.advance(1_000);
    await rig.event(d.id, { type: 'rollback', user: USERS.requester });
    await runRollback(rig.ctx, d.id);

    expect((await rig.get(d.id)).state).toBe('rolled_back');
    expect(rig.weights().blue).toBe(1);
    expect(rig.weights().green).toBe(0);
  });
});

describe('a rollback locks what the cutover rewrote, as recorded', () => {
  /** The operations the load balancer received from index `from` up to the first Modify call. */
  const untilModify = (from: number) => {
    const ops = rig.aws.elb.calls.slice(from).map((c) => c.operation);
    return ops.slice(0, ops.findIndex((op) => op.startsWith('Modify')) + 1);
  };

  it('records the sites of the cutover, and reads the forwards once, under the lock, before switching back', async () => {
    const d = await rig.soaking();
    const site = `${DEMO.checkout.listenerArn}#default`;
    expect(d.cutover?.sites).toEqual([site]);
    await rig.event(d.id, { type: 'rollback', user: USERS.requester });
    const from = rig.aws.elb.calls.length;

    await runRollback(rig.ctx, d.id);

    expect((await rig.get(d.id)).state).toBe('rolled_back');
    expect(rig.weights()).toEqual({ blue: 1, green: 0 });
    // The health of blue and one read of the listener (with its rules), then the switch back: no
    // read first to find out what to lock.
    const ops = untilModify(from);
    expect(ops.filter((op) => op === 'DescribeListeners')).toHaveLength(1);
    expect(ops).toContain('DescribeTargetHealth');
    expect(ops.at(-1)).toBe('ModifyListener');
  });

  it('locks again by a fresh plan when the forwards changed since the cutover', async () => {
    const d = await rig.soaking();
    // As if the cutover had rewritten another forward than the one now sending traffic to green.
    await patchDeployment(rig.ctx, d.id, (cur) =>
      cur.cutover
        ? {
            ...cur,
            cutover: {
              ...cur.cutover,
              sites: ['arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop/0/0/gone'],
            },
          }
        : null,
    );
    await rig.event(d.id, { type: 'rollback', user: USERS.requester });
    const modifies = rig.modifyCalls();

    await runRollback(rig.ctx, d.id);

    expect((await rig.get(d.id)).state).toBe('rolled_back');
    expect(rig.weights()).toEqual({ blue: 1, green: 0 });
    expect(rig.modifyCalls()).toBe(modifies + 1);
  });
});
