/**
 * Slack down while traffic moves: the load balancer and the record do not wait for Slack. The
 * cutover, a failed verification and the automatic rollback all happen during the outage; every
 * message they could not send waits in its own job, and the thread catches up once Slack is back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../sandbox/fake-elb/demo.js';
import { type Rig, startRig, USERS } from '../helpers/e2e-harness.js';
import { reasonWords } from '../helpers/reasons.js';
import { latestButton, textOf, threadPosts } from '../helpers/slack-inspect.js';
import { waitUntil } from '../helpers/wait.js';

let rig: Rig;
afterEach(async () => {
  await rig.close();
});

describe('a Slack outage during a cutover', () => {
  it('does not hold up the switch, the verdict or the automatic rollback; the thread catches up after', async () => {
    rig = await startRig({
      checkout: ['gates:', '  maxErrorRate: 0.05', '  autoRollback: true', '  watchInterval: 1s'],
    });
    // Green answers its checks, then times out under traffic (checks every 300 s: 3 s at this scale).
    rig.aws.elb.targetGroup(DEMO.checkout.greenArn).healthCheck.HealthCheckIntervalSeconds = 300;
    await rig.slash('checkout green', USERS.requester);
    const d = await rig.latest();
    await rig.waitForState(d.id, 'awaiting_approval');
    const approve = await waitUntil(() => latestButton(rig.slack, 'gl_approve'), { what: 'Approve' });
    for (const t of rig.aws.elb.targetsOf(DEMO.checkout.greenArn))
      rig.aws.elb.setTargetResponse(DEMO.checkout.greenArn, t.id, 'timeout');

    rig.slack.outage(503);
    expect((await rig.click('gl_approve', approve.value, USERS.approver)).status).toBe(200);
    // Switched, judged and rolled back with Slack answering nothing but 503.
    const rolled = await rig.waitForState(d.id, 'rolled_back', 60_000);
    expect(reasonWords(rolled)).toMatch(/^Automatic rollback: health gate breached during verification/);
    expect(rig.aws.elb.weightsOf(DEMO.checkout.listenerArn)).toEqual({ [DEMO.checkout.blueArn]: 1 });
    const card = rolled.messages.card as string;
    expect(threadPosts(rig.slack, card, /Rolled back|Health gate breached|^Cutover/)).toEqual([]);

    rig.slack.outage(null);
    // Each message was queued for its own retries: they arrive once Slack answers again.
    for (const what of [/^Cutover/, /Health gate breached/, /Rolled back/]) {
      const posted = await waitUntil(() => threadPosts(rig.slack, card, what)[0], {
        timeoutMs: 90_000,
        what: `the thread to catch up with ${what}`,
      });
      expect(textOf(posted)).toMatch(what);
      expect(threadPosts(rig.slack, card, what)).toHaveLength(1);
    }
  });
});
