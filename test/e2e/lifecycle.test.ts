import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../sandbox/fake-elb/demo.js';
import { CHANNEL, type Rig, startRig, USERS } from '../helpers/e2e-harness.js';
import { reasonWords } from '../helpers/reasons.js';
import { ephemerals, latestButton, posts, textOf, threadPosts, updates } from '../helpers/slack-inspect.js';
import { waitUntil } from '../helpers/wait.js';

/** Share of the checkout listener's default forward that goes to each slot's target group. */
function checkoutWeights(rig: Rig): { blue: number; green: number } {
  const w = rig.aws.elb.weightsOf(DEMO.checkout.listenerArn);
  return { blue: w[DEMO.checkout.blueArn] ?? 0, green: w[DEMO.checkout.greenArn] ?? 0 };
}

async function requestAndAwaitApproval(rig: Rig, requester = USERS.requester) {
  const res = await rig.slash('checkout green', requester);
  expect(res.status).toBe(200);
  const d = await rig.latest();
  await rig.waitForState(d.id, 'awaiting_approval');
  const approve = await waitUntil(() => latestButton(rig.slack, 'gl_approve'), {
    what: 'the Approve button',
  });
  return { d, approve };
}

describe('a blue-green cutover driven from Slack', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(async () => {
    await rig.close();
  });

  it('goes from /deploy through approval, cutover, verification, soak and reminder to teardown', async () => {
    const { d, approve } = await requestAndAwaitApproval(rig);
    expect(approve.confirm).toBe(true);
    const card = posts(rig.slack).find((c) => c.args['channel'] === CHANNEL && !c.args['thread_ts']);
    expect(card).toBeDefined();
    const cardTs = (await rig.bot.store.get(d.id))?.messages.card as string;
    expect(threadPosts(rig.slack, cardTs, /healthy/i).length).toBeGreaterThan(0);
    expect(checkoutWeights(rig)).toEqual({ blue: 1, green: 0 });

    expect((await rig.click('gl_approve', approve.value, USERS.approver)).status).toBe(200);
    await rig.waitForState(d.id, 'soaking');
    expect(checkoutWeights(rig).blue).toBe(0);
    expect(checkoutWeights(rig).green).toBeGreaterThan(0);
    expect(threadPosts(rig.slack, cardTs, /^Verified/).length).toBe(1);

    const reminder = await waitUntil(
      () => posts(rig.slack).find((c) => !c.args['thread_ts'] && /torn down/i.test(textOf(c))),
      { what: 'the teardown reminder in the channel' },
    );
    expect(textOf(reminder)).toContain(`<@${USERS.requester}>`);
    expect(textOf(reminder)).toContain(`<@${USERS.approver}>`);

    const done = await rig.waitForState(d.id, 'done', 20_000);
    expect(done.teardownAt).toBeDefined();
    expect(rig.aws.elb.targetsOf(DEMO.checkout.blueArn)).toHaveLength(0);
    // The summary is posted right after the record says done.
    await waitUntil(() => threadPosts(rig.slack, cardTs, /^Tore down/).length === 1, {
      what: 'the teardown summary',
    });
    expect(threadPosts(rig.slack, cardTs, /^Tore down/)).toHaveLength(1);
    // The card is re-rendered by its own sync job: wait for the edit of the final version.
    const lastCard = await waitUntil(
      () => {
        const last = updates(rig.slack)
          .filter((c) => c.args['ts'] === cardTs)
          .at(-1);
        return last && /done|torn down/i.test(textOf(last)) ? last : undefined;
      },
      { what: 'the card to show the deployment done' },
    );
    expect(textOf(lastCard)).toMatch(/done|torn down/i);
    expect(await rig.bot.store.lockHolder('checkout')).toBeNull();
  });

  it('rolls back during the soak: traffic returns to blue and the teardown is cancelled', async () => {
    const { d, approve } = await requestAndAwaitApproval(rig);
    await rig.click('gl_approve', approve.value, USERS.approver);
    await rig.waitForState(d.id, 'soaking');
    const rollback = await waitUntil(() => latestButton(rig.slack, 'gl_rollback'), {
      what: 'the Rollback button',
    });
    expect(rollback.confirm).toBe(true);
    await rig.click('gl_rollback', rollback.value, USERS.requester);
    const rolled = await rig.waitForState(d.id, 'rolled_back');
    expect(checkoutWeights(rig)).toEqual({ blue: 1, green: 0 });
    expect(rolled.rollback?.awsMs).toBeGreaterThanOrEqual(0);
    // The teardown that was scheduled for the end of the soak must never run.
    await new Promise((r) => setTimeout(r, 4_500));
    expect((await rig.bot.store.get(d.id))?.state).toBe('rolled_back');
    expect(rig.aws.elb.targetsOf(DEMO.checkout.blueArn).length).toBeGreaterThan(0);
  });

  it('refuses self-approval, even by an approver, and says who can approve', async () => {
    const { d, approve } = await requestAndAwaitApproval(rig, USERS.approver);
    await rig.click('gl_approve', approve.value, USERS.approver);
    const refusal = await waitUntil(
      () => ephemerals(rig.slack).find((c) => c.args['user'] === USERS.approver),
      {
        what: 'an ephemeral refusal',
      },
    );
    expect(textOf(refusal)).toMatch(/someone else/i);
    expect(textOf(refusal)).toContain(`<@${USERS.approver}>`);
    expect((await rig.bot.store.get(d.id))?.state).toBe('awaiting_approval');
    expect(checkoutWeights(rig)).toEqual({ blue: 1, green: 0 });
  });

  it('refuses an approval from someone who is not an approver', async () => {
    const { d, approve } = await requestAndAwaitApproval(rig);
    await rig.click('gl_approve', approve.value, USERS.stranger);
    const refusal = await waitUntil(
      () => ephemerals(rig.slack).find((c) => c.args['user'] === USERS.stranger),
      {
        what: 'an ephemeral refusal',
      },
    );
    expect(textOf(refusal)).toMatch(/only approvers/i);
    expect((await rig.bot.store.get(d.id))?.state).toBe('awaiting_approval');
  });

  it('shows approvers the reason typed after the slot and what runs on each slot; the card, status and audit keep them', async () => {
    const typed = '1.42.0 <new pricing> JIRA-123';
    const res = await rig.slash(`checkout green ${typed}`, USERS.requester);
    expect(res.status).toBe(200);
    expect(res.text).toContain('*Why:* “1.42.0 &lt;new pricing&gt; JIRA-123”');
    const d = await rig.latest();
    expect(d.requestReason).toBe(typed);
    await rig.waitForState(d.id, 'awaiting_approval');
    const prompt = await waitUntil(
      () => posts(rig.slack).find((c) => c.args['thread_ts'] && textOf(c).includes('Approval needed')),
      { what: 'the approval prompt' },
    );
    expect(textOf(prompt)).toContain('*Why:* “1.42.0 &lt;new pricing&gt; JIRA-123”');
    // The demo's target groups carry version and commit tags (sandbox/fake-elb/demo.ts).
    expect(textOf(prompt)).toMatch(/green\S*: 1\.42\.0 \(3f9c2e1\)/);
    expect(textOf(prompt)).toMatch(/blue\S*: 1\.41\.2 \(9b1d4e0\)/);
    const precheck = posts(rig.slack).find((c) => textOf(c).includes('*Precheck*'));
    expect(precheck && textOf(precheck)).toContain('1.42.0 (3f9c2e1)');
    expect((await rig.bot.store.get(d.id))?.slotVersions?.['green']).toEqual({
      tags: { version: '1.42.0', commit: '3f9c2e1d7a4b8c6e0f2a5d9b1c3e7f4a6b8d0c2e' },
      compute: [],
    });
    // The card as it is once the deployment awaits approval (its last edit).
    const card = await waitUntil(
      () =>
        [...posts(rig.slack), ...updates(rig.slack)]
          .filter((c) => c.args['channel'] === CHANNEL && !c.args['thread_ts'])
          .find((c) => textOf(c).includes('awaiting approval')),
      { what: 'the status card awaiting approval' },
    );
    expect(textOf(card)).toContain('“1.42.0 &lt;new pricing&gt; JIRA-123”');
    expect(textOf(card)).toContain('1.42.0 (3f9c2e1)');
    const status = await rig.slash('status checkout', USERS.requester);
    expect(status.text).toContain('1.42.0 (3f9c2e1)');
    const history = await rig.slash('history checkout', USERS.requester);
    expect(history.text).toContain('1.42.0 &lt;new pricing&gt; JIRA-123');
  });

  it('runs exactly one cutover when two approvers click Approve at the same time', async () => {
    const { d, approve } = await requestAndAwaitApproval(rig);
    const [a, b] = await Promise.all([
      rig.click('gl_approve', approve.value, USERS.approver),
      rig.click('gl_approve', approve.value, USERS.sre),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const soaking = await rig.waitForState(d.id, 'soaking');
    const modifies = rig.aws.elb.calls.filter(
      (c) => c.operation === 'ModifyListener' || c.operation === 'ModifyRule',
    );
    expect(modifies).toHaveLength(1);
    await waitUntil(() => threadPosts(rig.slack, soaking.messages.card as string, /^Cutover/).length > 0, {
      what: 'the cutover message',
    });
    expect(threadPosts(rig.slack, soaking.messages.card as string, /^Cutover/)).toHaveLength(1);
    const loser = await waitUntil(() => ephemerals(rig.slack)[0], { what: 'a refusal for the second click' });
    expect([USERS.approver, USERS.sre]).toContain(loser.args['user']);
    expect(soaking.approvedBy).not.toBe(loser.args['user']);
  });

  it('blocks the deployment when a green target is unhealthy', async () => {
    const [target] = rig.aws.elb.targetsOf(DEMO.checkout.greenArn);
    rig.aws.elb.setTargetHealth(
      DEMO.checkout.greenArn,
      target?.id as string,
      'unhealthy',
      'Target.FailedHealthChecks',
    );
    await rig.slash('checkout green', USERS.requester);
    const d = await rig.latest();
    const blocked = await rig.waitForState(d.id, 'blocked');
    expect(reasonWords(blocked)).toContain(target?.id as string);
    expect(latestButton(rig.slack, 'gl_approve')).toBeUndefined();
    expect(checkoutWeights(rig)).toEqual({ blue: 1, green: 0 });
    expect(await rig.bot.store.lockHolder('checkout')).toBeNull();
  });

  it('names a listener on the same load balancer that still forwards to blue in the verification', async () => {
    const rogue = rig.aws.elb.addListener({
      loadBalancerArn: DEMO.loadBalancerArn,
      port: 8443,
      defaultActions: [{ Type: 'forward', TargetGroupArn: DEMO.checkout.blueArn }],
    });
    const { d, approve } = await requestAndAwaitApproval(rig);
    await rig.click('gl_approve', approve.value, USERS.approver);
    const failed = await rig.waitForState(d.id, 'failed');
    expect(reasonWords(failed)).toContain('8443');
    const verification = threadPosts(rig.slack, failed.messages.card as string, /8443/);
    expect(verification).toHaveLength(1);
    const text = textOf(verification[0]!);
    expect(text).toContain(rogue);
    expect(text).toContain(`<@${USERS.requester}>`);
    expect(latestButton(rig.slack, 'gl_rollback')).toBeDefined();
  });

  it('refuses a second /deploy while one is in progress and names the holder', async () => {
    await requestAndAwaitApproval(rig);
    const res = await rig.slash('checkout green', USERS.approver);
    expect(res.text).toMatch(/busy/i);
    expect(res.text).toContain(USERS.requester);
  });
});

describe('approval expiry', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig({
      timings: { soak: '1h', remindBefore: '10m', approvalTimeout: '1s', verifyWindow: '5s' },
    });
  });
  afterEach(async () => {
    await rig.close();
  });

  it('expires an unanswered approval prompt and removes its buttons', async () => {
    await rig.slash('checkout green', USERS.requester);
    const d = await rig.latest();
    const expired = await rig.waitForState(d.id, 'expired');
    const prompt = updates(rig.slack).filter((c) => c.args['ts'] === expired.messages.prompt);
    await waitUntil(
      () => prompt.length > 0 || updates(rig.slack).some((c) => c.args['ts'] === expired.messages.prompt),
      {
        what: 'the prompt to be edited',
      },
    );
    const last = updates(rig.slack)
      .filter((c) => c.args['ts'] === expired.messages.prompt)
      .at(-1);
    expect(last && textOf(last)).toMatch(/expired/i);
    expect(last?.args['blocks'] && JSON.stringify(last.args['blocks'])).not.toContain('gl_approve');
    expect(checkoutWeights(rig)).toEqual({ blue: 1, green: 0 });
  });
});

describe('extending the soak', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig({
      timings: { soak: '1h', remindBefore: '10m', approvalTimeout: '1m', verifyWindow: '8s' },
    });
  });
  afterEach(async () => {
    await rig.close();
  });

  it('extends once when the same Extend button is clicked twice, and says the second click is stale', async () => {
    const { d, approve } = await requestAndAwaitApproval(rig);
    await rig.click('gl_approve', approve.value, USERS.approver);
    const soaking = await rig.waitForState(d.id, 'soaking');
    const extend = await waitUntil(() => latestButton(rig.slack, 'gl_extend'), { what: 'the Extend button' });
    await rig.click('gl_extend', extend.value, USERS.approver);
    const once = await waitUntil(
      async () => {
        const cur = await rig.bot.store.get(d.id);
        return cur && cur.teardownAt !== soaking.teardownAt ? cur : undefined;
      },
      { what: 'the teardown to move' },
    );
    expect(once.teardownAt).toBe((soaking.teardownAt as number) + 3_600_000);
    await rig.click('gl_extend', extend.value, USERS.approver);
    const stale = await waitUntil(() => ephemerals(rig.slack).find((c) => /out of date/.test(textOf(c))), {
      what: 'the stale-button refusal',
    });
    expect(stale.args['user']).toBe(USERS.approver);
    expect((await rig.bot.store.get(d.id))?.teardownAt).toBe(once.teardownAt);
  });
});
