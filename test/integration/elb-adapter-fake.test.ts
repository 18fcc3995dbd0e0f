/**
 * The real AWS SDK client, over HTTP, against the fake ELBv2: the same path production takes,
 * only the endpoint differs.
 */
import { DescribeTagsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO, demoState } from '../../sandbox/fake-elb/demo.js';
import { type FakeElb, startFakeElb } from '../../sandbox/fake-elb/server.js';
import { forward } from '../../sandbox/fake-elb/state.js';
import type { ElbPort } from '../../src/app/ports/elb.js';
import { createElbAdapter, createElbClient } from '../../src/aws/elb-sdk-adapter.js';
import { switchForwards, verifyConfiguration } from '../../src/aws/switch-forwards.js';
import { AwsCallError, SwitchAbortedError } from '../../src/errors.js';
import { drainSlot } from '../helpers/teardown-steps.js';

const checkout = {
  listenerArns: [DEMO.checkout.listenerArn],
  slots: { blue: DEMO.checkout.blueArn, green: DEMO.checkout.greenArn },
};

let fake: FakeElb;
let port: ElbPort;

function clientFor(url: string, maxAttempts = 3): ElasticLoadBalancingV2Client {
  return new ElasticLoadBalancingV2Client({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummy-secret' },
    maxAttempts,
  });
}

beforeEach(async () => {
  // AWS's durations at 1/100: the demo's 30 s deregistration delay drains in 0.3 s.
  fake = await startFakeElb({ state: demoState({ forgottenRule: true, timeScale: 0.01 }) });
  port = createElbAdapter(clientFor(fake.url));
});

afterEach(async () => {
  await fake.close();
});

describe('the SDK adapter against the fake ELBv2 over HTTP', () => {
  it('describes the demo load balancer’s listeners and rules', async () => {
    const listeners = await port.describeListeners({ loadBalancerArn: DEMO.loadBalancerArn });
    expect(listeners.map((l) => [l.Port, l.Protocol])).toEqual([
      [80, 'HTTP'],
      [443, 'HTTPS'],
    ]);
    const rules = await port.describeRules(DEMO.httpsListenerArn);
    expect(rules.map((r) => [r.Priority, r.IsDefault])).toEqual([
      ['10', false],
      ['default', true],
    ]);
    expect(rules[0]?.Actions[0]).toMatchObject({ Type: 'forward', TargetGroupArn: DEMO.search.blueArn });
  });

  it('switches checkout to green and a second switch changes nothing', async () => {
    const report = await switchForwards(port, { ...checkout, targetSlot: 'green' });
    expect(report.changed).toHaveLength(1);
    expect(fake.state.weightsOf(DEMO.checkout.listenerArn)).toEqual({ [DEMO.checkout.greenArn]: 1 });
    expect(fake.state.weightsOf(DEMO.search.ruleArn)).toEqual({ [DEMO.search.blueArn]: 1 });
    expect((await switchForwards(port, { ...checkout, targetSlot: 'green' })).changed).toEqual([]);
  });

  it('finds the forgotten rule on the other listener of the same load balancer', async () => {
    await switchForwards(port, { ...checkout, targetSlot: 'green' });
    const report = await verifyConfiguration(port, { ...checkout, targetSlot: 'green', oldSlot: 'blue' });
    expect(report.readBackOk).toBe(true);
    expect(report.offenders).toEqual([
      {
        listenerArn: DEMO.httpListenerArn,
        port: 80,
        priority: '5',
        ruleArn: expect.stringMatching(/:listener-rule\//),
        weight: 1,
        reason: 'weight',
      },
    ]);
    expect(report.listenersScanned).toBe(2);
  });

  it('drains the old slot: deregisters its targets and waits until none is draining', async () => {
    const report = await drainSlot(port, DEMO.checkout.blueArn, {
      slot: 'blue',
      pollMs: 20,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      now: () => Date.now(),
    });
    expect(report).toMatchObject({ slot: 'blue', deregistered: 2, timedOut: false });
    expect(fake.state.targetsOf(DEMO.checkout.blueArn)).toEqual([]);
    const sawDraining = fake.state.calls.filter((c) => c.operation === 'DescribeTargetHealth').length;
    expect(sawDraining).toBeGreaterThan(2);
  });

  it('restores the listener and the failed rule when the ModifyRule that follows fails, and reads them back', async () => {
    const ruleArn = fake.state.addRule({
      listenerArn: DEMO.checkout.listenerArn,
      priority: 20,
      actions: [forward([DEMO.checkout.blueArn, 1])],
    });
    fake.state.failNext('ModifyRule', 'InvalidConfigurationRequest', 'Rule is being modified');
    const err = await switchForwards(port, { ...checkout, targetSlot: 'green' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SwitchAbortedError);
    expect((err as SwitchAbortedError).cause).toMatchObject({
      operation: 'ModifyRule',
      code: 'InvalidConfigurationRequest',
    });
    expect(err).toMatchObject({ confirmedRestored: true, touched: true });
    expect((err as Error).message).toMatch(/back to its previous state \(read back\)/);
    expect(fake.state.weightsOf(DEMO.checkout.listenerArn)).toEqual({
      [DEMO.checkout.blueArn]: 1,
      [DEMO.checkout.greenArn]: 0,
    });
    expect(fake.state.weightsOf(ruleArn)).toEqual({ [DEMO.checkout.blueArn]: 1 });
    const modifies = fake.state.calls.filter((c) => c.operation.startsWith('Modify')).map((c) => c.operation);
    expect(modifies).toEqual(['ModifyListener', 'ModifyRule', 'ModifyRule', 'ModifyListener']);
  });

  it('surfaces AWS errors with their code: an unknown listener is ListenerNotFound', async () => {
    const missing = `${DEMO.checkout.listenerArn.slice(0, -16)}0000000000000000`;
    await expect(port.describeRules(missing)).rejects.toMatchObject({
      operation: 'DescribeRules',
      code: 'ListenerNotFound',
    });
  });

  it('answers DescribeTags for 1 to 20 resources, naming the kind of one that does not exist', async () => {
    const client = clientFor(fake.url, 1);
    const out = await client.send(new DescribeTagsCommand({ ResourceArns: [DEMO.checkout.greenArn] }));
    expect(out.TagDescriptions?.[0]?.Tags).toEqual(
      expect.arrayContaining([{ Key: 'version', Value: '1.42.0' }]),
    );
    const many = Array.from({ length: 21 }, () => DEMO.checkout.greenArn);
    await expect(client.send(new DescribeTagsCommand({ ResourceArns: many }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
    const gone = DEMO.checkout.greenArn.replace('checkout-green', 'checkout-gone');
    await expect(client.send(new DescribeTagsCommand({ ResourceArns: [gone] }))).rejects.toMatchObject({
      name: 'TargetGroupNotFoundException',
    });
  });

  it('answers an unknown action with AWS’s error XML and HTTP 400', async () => {
    const res = await fetch(fake.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=CreateTrustStore&Version=2015-12-01',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(
      /^<ErrorResponse xmlns="http:\/\/elasticloadbalancing\.amazonaws\.com\/doc\/2015-12-01\/"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code><Message>[^<]+<\/Message><\/Error><RequestId>[^<]+<\/RequestId><\/ErrorResponse>$/,
    );
  });

  it('lets the SDK retry Throttling and succeeds when AWS recovers', async () => {
    fake.state.failNext('DescribeListeners', 'Throttling', 'Rate exceeded');
    fake.state.failNext('DescribeListeners', 'Throttling', 'Rate exceeded');
    const listeners = await port.describeListeners({ listenerArns: [DEMO.checkout.listenerArn] });
    expect(listeners).toHaveLength(1);
    expect(fake.state.calls.filter((c) => c.operation === 'DescribeListeners')).toHaveLength(3);
  });

  it('reports Throttling as an AwsCallError once the SDK’s attempts are used up', async () => {
    const twoAttempts = createElbAdapter(clientFor(fake.url, 2));
    fake.state.failNext('DescribeTargetHealth', 'Throttling', 'Rate exceeded');
    fake.state.failNext('DescribeTargetHealth', 'Throttling', 'Rate exceeded');
    const err = await twoAttempts.describeTargetHealth(DEMO.checkout.greenArn).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ code: 'Throttling' });
    expect((err as Error).message).toContain('after 2 attempts');
  });
});

describe('createElbClient', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reaches the endpoint named by AWS_ENDPOINT_URL with the region from AWS_DEFAULT_REGION', async () => {
    process.env.AWS_ENDPOINT_URL = fake.url;
    delete process.env.AWS_REGION;
    process.env.AWS_DEFAULT_REGION = 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'dummy-secret';
    const viaEnv = createElbAdapter(createElbClient());
    const groups = await viaEnv.describeTargetGroups([DEMO.checkout.blueArn]);
    expect(groups.map((g) => g.TargetGroupName)).toEqual(['checkout-blue']);
  });
});
