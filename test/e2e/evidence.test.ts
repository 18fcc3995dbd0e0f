/**
 * Proving the cutover with traffic and tearing the old slot down for real (issue 3), end to end:
 * signed Slack requests, the real runtime, AWS through the real SDK against the local endpoint
 * whose synthetic traffic follows the load balancer's live weights.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../sandbox/fake-elb/demo.js';
import { demoServiceYaml } from '../helpers/demo-service-yaml.js';
import { CHANNEL, type Rig, type RigOptions, startRig, USERS } from '../helpers/e2e-harness.js';
import { reasonWords } from '../helpers/reasons.js';
import { latestButton, textOf, threadPosts } from '../helpers/slack-inspect.js';
import { waitUntil } from '../helpers/wait.js';

const SHORT_WINDOW = { soak: '1h', remindBefore: '10m', approvalTimeout: '1m', verifyWindow: '5s' };

async function deployAndApprove(rig: Rig, service = 'checkout') {
  // Commands are taken in the service's own channel.
  await rig.slash(`${service} green`, USERS.requester, service === 'search' ? 'C0SEARCH' : CHANNEL);
  const [d] = await rig.bot.store.listByService(service, 1);
  if (!d) throw new Error('no deployment');
  await rig.waitForState(d.id, 'awaiting_approval');
  const approve = await waitUntil(
    async () => {
      const fresh = await rig.bot.store.get(d.id);
      return fresh?.messages.prompt ? latestButton(rig.slack, 'gl_approve') : undefined;
    },
    { what: 'the Approve button' },
  );
  await rig.click('gl_approve', approve.value, USERS.approver);
  return d;
}

describe('traffic evidence, health gates, hooks and compute scale-down', () => {
  let rig: Rig | undefined;
  let hookServer: Server | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
    await new Promise((r) => (hookServer ? hookServer.close(r) : r(undefined)));
    hookServer = undefined;
    delete process.env['GL_E2E_HOOK_SECRET'];
  });
  const start = async (opts: RigOptions) => {
    rig = await startRig(opts);
    return rig;
  };

  it('fails verification with a one-click Rollback when traffic never leaves the old slot', async () => {
    const r = await start({ timings: SHORT_WINDOW });
    // Clients stuck on blue (e.g. a cached route elsewhere): requests keep arriving whatever the weights say.
    r.aws.traffic.pin(DEMO.checkout.blueArn, 40);
    const d = await deployAndApprove(r);
    const failed = await r.waitForState(d.id, 'failed', 20_000);
    expect(reasonWords(failed)).toMatch(/did not leave blue/i);
    expect(failed.cutover).toBeDefined();
    expect(failed.messages.traffic).toBeDefined();
    // The traffic table is one message, edited in place as periods arrive.
    const edits = r.slack.calls.filter(
      (c) => c.method === 'chat.update' && c.args['ts'] === failed.messages.traffic,
    );
    expect(edits.length).toBeGreaterThan(0);
    const text = textOf(await waitUntil(() => edits.at(-1), { what: 'the traffic table' }));
    expect(text).toMatch(/not drained/i);
    // Mentions added by an edit notify nobody: a new thread reply pings requester and approvers.
    const ping = await waitUntil(
      () => threadPosts(r.slack, failed.messages.card as string, /^Verification failed/)[0],
      { what: 'the verification-failed reply' },
    );
    expect(textOf(ping)).toContain(`<@${USERS.requester}>`);
    expect(textOf(ping)).toContain(`<@${USERS.approver}>`);
    expect(textOf(ping)).toMatch(/Roll ?back/i);
    const rollback = latestButton(r.slack, 'gl_rollback');
    expect(rollback).toBeDefined();
    await r.click('gl_rollback', rollback!.value, USERS.approver);
    await r.waitForState(d.id, 'rolled_back');
    expect(r.aws.elb.weightsOf(DEMO.checkout.listenerArn)[DEMO.checkout.greenArn] ?? 0).toBe(0);
  });

  it('rolls back by itself when green breaches the 5xx gate with autoRollback, and says why', async () => {
    const r = await start({
      timings: SHORT_WINDOW,
      checkout: ['gates:', '  maxErrorRate: 0.05', '  autoRollback: true'],
    });
    r.aws.traffic.setErrorRate(DEMO.checkout.greenArn, 0.5);
    const d = await deployAndApprove(r);
    const rolled = await r.waitForState(d.id, 'rolled_back', 20_000);
    expect(reasonWords(rolled)).toMatch(/automatic rollback/i);
    expect(reasonWords(rolled)).toMatch(/5xx/i);
    const alert = threadPosts(r.slack, rolled.messages.card as string, /rolling back automatically/i);
    expect(alert).toHaveLength(1);
    expect(textOf(alert[0]!)).toMatch(/50(\.0)?%/);
    expect(r.aws.elb.weightsOf(DEMO.checkout.listenerArn)[DEMO.checkout.blueArn]).toBeGreaterThan(0);
    expect(r.aws.elb.weightsOf(DEMO.checkout.listenerArn)[DEMO.checkout.greenArn] ?? 0).toBe(0);
  });

  it('aborts the cutover with the load balancer unchanged when beforeCutover answers 500', async () => {
    const received: { headers: Record<string, unknown>; body: string }[] = [];
    hookServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('database is read-write; refusing to freeze schema');
      });
    });
    await new Promise<void>((resolve) => hookServer!.listen(0, '127.0.0.1', resolve));
    const port = (hookServer.address() as AddressInfo).port;
    process.env['GL_E2E_HOOK_SECRET'] = 'hook-secret-for-tests-0123456789abcdef';
    const r = await start({
      timings: SHORT_WINDOW,
      checkout: [
        'hooks:',
        '  secretEnv: GL_E2E_HOOK_SECRET',
        '  retries: 0',
        `  beforeCutover: http://127.0.0.1:${port}/freeze?token=abc`,
        `  afterCutover: http://127.0.0.1:${port}/thaw`,
      ],
    });
    const before = r.aws.elb.weightsOf(DEMO.checkout.listenerArn);
    const d = await deployAndApprove(r);
    const failed = await r.waitForState(d.id, 'failed');
    expect(reasonWords(failed)).toMatch(/beforeCutover hook answered 500/);
    expect(failed.cutover).toBeUndefined();
    expect(r.aws.elb.calls.filter((c) => c.operation.startsWith('Modify'))).toHaveLength(0);
    expect(r.aws.elb.weightsOf(DEMO.checkout.listenerArn)).toEqual(before);
    // The failed freeze may have half-happened: afterCutover tells the service it can thaw.
    await waitUntil(() => received.length === 2, { what: 'the afterCutover call' });
    expect(received[0]?.headers['x-greenlight-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(JSON.parse(received[0]?.body ?? '{}')).toMatchObject({ hook: 'beforeCutover' });
    expect(JSON.parse(received[1]?.body ?? '{}')).toMatchObject({
      hook: 'afterCutover',
      switched: 'none',
      deployment: { state: 'failed' },
    });
    const hookPost = await waitUntil(
      () =>
        threadPosts(r.slack, failed.messages.card as string, /beforeCutover/).find((c) =>
          /500/.test(textOf(c)),
        ),
      { what: 'the hook result in the thread' },
    );
    expect(textOf(hookPost)).toContain('refusing to freeze schema');
    expect(textOf(hookPost)).not.toContain('token=abc');
  });

  it('does not call an unsigned hook: a missing hook secret aborts the cutover with nothing changed', async () => {
    const r = await start({
      timings: SHORT_WINDOW,
      checkout: ['hooks:', '  secretEnv: GL_E2E_UNSET_SECRET', '  beforeCutover: http://127.0.0.1:9/never'],
    });
    const d = await deployAndApprove(r);
    const failed = await r.waitForState(d.id, 'failed');
    expect(reasonWords(failed)).toMatch(/beforeCutover hook was not called/);
    expect(r.aws.elb.calls.filter((c) => c.operation.startsWith('Modify'))).toHaveLength(0);
    const note = await waitUntil(
      () => threadPosts(r.slack, failed.messages.card as string, /not called/)[0],
      { what: 'the hook refusal in the thread' },
    );
    expect(textOf(note)).toContain('GL_E2E_UNSET_SECRET');
  });

  it('scales an ECS service and an Auto Scaling group to zero at teardown and waits for it', async () => {
    const r = await start({
      timings: { soak: '3s', remindBefore: '1s', approvalTimeout: '1m', verifyWindow: '8s' },
      checkout: [
        'compute:',
        '  blue: { ecs: { cluster: shop, service: checkout-blue } }',
        'hourlyCost: { blue: 3.5 }',
      ],
      services: [
        ...demoServiceYaml({ name: 'search', channel: 'C0SEARCH', demo: 'search', users: [USERS.approver] }),
        '    traffic: { period: 1s, pollInterval: 200ms }',
        '    compute:',
        '      blue: { autoScalingGroup: search-blue-asg }',
      ],
    });
    r.aws.ecs.addService('shop', 'checkout-blue', { desired: 3 });
    r.aws.asg.addGroup('search-blue-asg', { min: 2, max: 6, desired: 3 });
    const checkout = await deployAndApprove(r, 'checkout');
    const search = await deployAndApprove(r, 'search');
    const [c, s] = await Promise.all([
      r.waitForState(checkout.id, 'done', 30_000),
      r.waitForState(search.id, 'done', 30_000),
    ]);
    expect(c.scaleDown).toMatchObject({
      kind: 'ecs',
      reachedZero: true,
      remaining: 0,
      previous: { desired: 3 },
    });
    expect(s.scaleDown).toMatchObject({
      kind: 'asg',
      reachedZero: true,
      remaining: 0,
      previous: { min: 2, desired: 3 },
    });
    expect(r.aws.ecs.service('shop', 'checkout-blue')).toMatchObject({ desired: 0, running: 0 });
    expect(r.aws.asg.group('search-blue-asg')).toMatchObject({ min: 0, desired: 0 });
    const summary = await waitUntil(() => threadPosts(r.slack, c.messages.card as string, /^Tore down/)[0], {
      what: 'the teardown summary',
    });
    expect(textOf(summary)).toMatch(/desired 3 → 0/);
    expect(textOf(summary)).toMatch(/\$/);
  });
});
