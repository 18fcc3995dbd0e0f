/**
 * The lifecycle against a local AWS endpoint that behaves as AWS documents (sandbox/fake-elb/
 * health.ts, traffic-model.ts): a target group no forward names is not health-checked (`unused`),
 * a group named again reads `initial` for its checks, load-balancer 5xx are published per load
 * balancer only, and metrics arrive a period late. AWS's durations run at AWS_TIME_SCALE.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../sandbox/fake-elb/demo.js';
import type { Deployment } from '../../src/domain/deployment.js';
import { demoServiceYaml } from '../helpers/demo-service-yaml.js';
import { type Rig, startRig, USERS } from '../helpers/e2e-harness.js';
import { reasonWords } from '../helpers/reasons.js';
import { latestButton, textOf, threadPosts, updates } from '../helpers/slack-inspect.js';
import { waitUntil } from '../helpers/wait.js';

const SEARCH_CHANNEL = 'C0SEARCH';
const SEARCH = [
  ...demoServiceYaml({ name: 'search', channel: SEARCH_CHANNEL, demo: 'search', users: [USERS.approver] }),
  '    traffic:',
  '      period: 1000ms',
  '      pollInterval: 200ms',
];

let rig: Rig;
afterEach(async () => {
  await rig.close();
});

const healthOf = (arn: string) => rig.aws.elb.healthOf(arn).map((t) => t.health.state);

async function latestOf(service: string): Promise<Deployment> {
  const [d] = await rig.bot.store.listByService(service, 1);
  if (!d) throw new Error(`no deployment of ${service}`);
  return d;
}

/** `/deploy <service> <slot>` as the requester, then Approve as the approver once the prompt is up. */
async function deployAndApprove(service: string, slot: string, channel: string): Promise<Deployment> {
  const before = latestButton(rig.slack, 'gl_approve');
  expect((await rig.slash(`${service} ${slot}`, USERS.requester, channel)).status).toBe(200);
  const d = await latestOf(service);
  await rig.waitForState(d.id, 'awaiting_approval');
  const approve = await waitUntil(
    () => {
      const b = latestButton(rig.slack, 'gl_approve');
      return b && b.value !== before?.value ? b : undefined;
    },
    { what: 'the Approve button' },
  );
  await rig.click('gl_approve', approve.value, USERS.approver);
  return d;
}

describe('on an ALB that behaves as AWS documents', () => {
  it('deploys to a fresh green no forward named: attaches it, shows the health checks, approves, cuts over; Rollback returns to a blue that stayed health-checked', async () => {
    rig = await startRig({ services: SEARCH });
    // search-green is named by no forward: AWS does not health-check it.
    expect(healthOf(DEMO.search.greenArn)).toEqual(['unused', 'unused']);

    const d = await deployAndApprove('search', 'green', SEARCH_CHANNEL);
    const soaking = await rig.waitForState(d.id, 'soaking');
    const card = soaking.messages.card as string;

    // The precheck attached green with its preview rule and waited for its first checks.
    const progress = threadPosts(rig.slack, card, /Health checks of green/);
    expect(progress).toHaveLength(1);
    expect(textOf(progress[0]!)).toMatch(/2 initial — first check due in ~\S+; healthy after 5 checks × 30s/);
    expect(textOf(progress[0]!)).toContain('attached it with its preview rule');
    const edits = updates(rig.slack).filter((c) => c.args['ts'] === soaking.messages.health);
    expect(textOf(edits.at(-1)!)).toMatch(/done waiting:\n.*green: 2 healthy after \d+(\.\d)?s/);
    const [prompt] = threadPosts(rig.slack, card, /^Approval needed/);
    expect(prompt && textOf(prompt)).toContain('X-Greenlight-Slot: search/green');

    // Production moved to green; blue keeps its preview rule, so it is still checked and healthy.
    expect(rig.aws.elb.weightsOf(DEMO.search.ruleArn)).toEqual({ [DEMO.search.greenArn]: 1 });
    expect(healthOf(DEMO.search.blueArn)).toEqual(['healthy', 'healthy']);
    expect(threadPosts(rig.slack, card, /^Verified/)).toHaveLength(1);

    const rollback = await waitUntil(() => latestButton(rig.slack, 'gl_rollback'), { what: 'Rollback' });
    await rig.click('gl_rollback', rollback.value, USERS.requester);
    const rolled = await rig.waitForState(d.id, 'rolled_back');
    expect(rig.aws.elb.weightsOf(DEMO.search.ruleArn)).toEqual({ [DEMO.search.blueArn]: 1 });
    const message = await waitUntil(() => threadPosts(rig.slack, card, /^Rolled back/)[0], {
      what: 'the rollback message',
    });
    expect(textOf(message)).toMatch(/no forward sends traffic to \*?green/);
    expect(reasonWords(rolled)).toContain(USERS.requester);
    // Green, now the idle slot, keeps its preview rule: still checked, ready for the next deploy.
    expect(healthOf(DEMO.search.greenArn)).toEqual(['healthy', 'healthy']);
  });

  it('blocks with the reason when the attached slot does not pass its checks within the bound', async () => {
    // 5 checks × 30 s at 1/100 take 1.5 s; the service allows 400 ms.
    rig = await startRig({ services: [...SEARCH, '    healthWait: 400ms'] });
    expect((await rig.slash('search green', USERS.requester, SEARCH_CHANNEL)).status).toBe(200);
    const d = await latestOf('search');
    const blocked = await rig.waitForState(d.id, 'blocked');
    expect(reasonWords(blocked)).toMatch(
      /^green's targets did not pass their health checks within \d+(\.\d+)?m?s \(5 checks × 30s needed\): i-\S+ initial \(Elb\.InitialHealthChecking\)/,
    );
    expect(latestButton(rig.slack, 'gl_approve')).toBeUndefined();
    // Nothing production sees changed: search still goes to blue.
    expect(rig.aws.elb.weightsOf(DEMO.search.ruleArn)).toEqual({ [DEMO.search.blueArn]: 1 });
  });

  it('tears blue down and detaches it; a later deploy back to blue attaches it again and cuts over', async () => {
    rig = await startRig({
      timings: { soak: '1h', remindBefore: '10m', approvalTimeout: '1m', verifyWindow: '8s' },
    });
    const first = await deployAndApprove('checkout', 'green', 'C0CHECKOUT');
    await rig.waitForState(first.id, 'soaking');
    const teardown = await waitUntil(() => latestButton(rig.slack, 'gl_teardown_now'), {
      what: 'Tear down now',
    });
    await rig.click('gl_teardown_now', teardown.value, USERS.approver);
    const done = await rig.waitForState(first.id, 'done');
    expect(done.detached).toEqual(expect.any(Number));
    expect(rig.aws.elb.targetsOf(DEMO.checkout.blueArn)).toEqual([]);

    // The team redeploys blue's compute: its new tasks register in a group no forward names.
    rig.aws.elb.registerTargetNow(DEMO.checkout.blueArn, 'i-0c0b1e000000000new', 8080);
    expect(healthOf(DEMO.checkout.blueArn)).toEqual(['unused']);

    const back = await deployAndApprove('checkout', 'blue', 'C0CHECKOUT');
    const soaking = await rig.waitForState(back.id, 'soaking');
    expect(soaking.fromSlot).toBe('green');
    expect(rig.aws.elb.weightsOf(DEMO.checkout.listenerArn)).toEqual({ [DEMO.checkout.blueArn]: 1 });
    expect(threadPosts(rig.slack, soaking.messages.card as string, /Health checks of blue/)).toHaveLength(1);
    expect(healthOf(DEMO.checkout.greenArn)).toEqual(['healthy', 'healthy']);
  });

  it('fails verification through the load-balancer 5xx gate when green times out, and rolls back by itself', async () => {
    rig = await startRig({
      checkout: ['gates:', '  maxErrorRate: 0.05', '  autoRollback: true', '  watchInterval: 1s'],
    });
    // Green answers its checks until the approval, then stops answering requests: the load
    // balancer answers 504 itself, published as HTTPCode_ELB_5XX_Count of the load balancer (shared
    // with search here), never of green. With checks every 300 s (3 s at this scale) green still
    // reads healthy when the cutover checks it, as a slot that breaks only under traffic does.
    rig.aws.elb.targetGroup(DEMO.checkout.greenArn).healthCheck.HealthCheckIntervalSeconds = 300;
    const before = latestButton(rig.slack, 'gl_approve');
    await rig.slash('checkout green', USERS.requester);
    const d = await latestOf('checkout');
    await rig.waitForState(d.id, 'awaiting_approval');
    const approve = await waitUntil(
      () => {
        const b = latestButton(rig.slack, 'gl_approve');
        return b && b.value !== before?.value ? b : undefined;
      },
      { what: 'the Approve button' },
    );
    for (const t of rig.aws.elb.targetsOf(DEMO.checkout.greenArn))
      rig.aws.elb.setTargetResponse(DEMO.checkout.greenArn, t.id, 'timeout');
    await rig.click('gl_approve', approve.value, USERS.approver);

    const rolled = await rig.waitForState(d.id, 'rolled_back', 20_000);
    expect(reasonWords(rolled)).toMatch(/^Automatic rollback: health gate breached during verification\./);
    // Search shares the load balancer: only the 5xx above its pre-switch level are green's.
    expect(reasonWords(rolled)).toMatch(
      /generated by the load balancer: HTTPCode_ELB_5XX_Count above what the shared load balancer had before the switch/,
    );
    expect(rolled.history.some((h) => h.event === 'verify_failed')).toBe(false);
    expect(rig.aws.elb.weightsOf(DEMO.checkout.listenerArn)).toEqual({ [DEMO.checkout.blueArn]: 1 });
    // Blue was health-checked all along (its preview rule), so the rollback could trust it.
    expect(healthOf(DEMO.checkout.blueArn)).toEqual(['healthy', 'healthy']);
    const alert = await waitUntil(
      () => threadPosts(rig.slack, rolled.messages.card as string, /Health gate breached/)[0],
      { what: 'the gate alert' },
    );
    expect(textOf(alert)).toMatch(/Rolling back automatically/);
  });
});
