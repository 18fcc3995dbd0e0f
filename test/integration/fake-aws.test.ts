/**
 * The real AWS SDK clients (ELBv2 awsQuery, ECS JSON 1.1, Auto Scaling awsQuery, CloudWatch
 * JSON 1.0) against ONE fake AWS endpoint, the way the bot runs with a single AWS_ENDPOINT_URL.
 * Time is a counter moved by scaleDown's sleep, so convergence is deterministic.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAsgState } from '../../sandbox/fake-autoscaling.js';
import { type FakeAws, type FakeAwsRequest, startFakeAws } from '../../sandbox/fake-aws.js';
import { FakeEcsState } from '../../sandbox/fake-ecs.js';
import { FakeElbState } from '../../sandbox/fake-elb/index.js';
import { createAsgAdapter } from '../../src/aws/asg-adapter.js';
import { createEcsAdapter } from '../../src/aws/ecs-adapter.js';
import { createElbAdapter } from '../../src/aws/elb-sdk-adapter.js';
import { computeVersion } from '../../src/compute/registry.js';
import { AwsCallError } from '../../src/errors.js';
import { type ScaleDownRun, scaleDown } from '../helpers/teardown-steps.js';

const CONTEXT = { deploymentId: 'checkout-20240501100000-ab12', service: 'checkout', slot: 'blue' };
const config = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummy-secret' },
  maxAttempts: 3,
});

let clock: { t: number };
let elb: FakeElbState;
let ecs: FakeEcsState;
let asg: FakeAsgState;
let cloudwatchSeen: string[];
let fake: FakeAws;

beforeEach(async () => {
  clock = { t: 1_714_557_600_000 };
  const now = () => clock.t;
  elb = new FakeElbState({ now });
  ecs = new FakeEcsState({ now, stepMs: 200 });
  asg = new FakeAsgState({ now, stepMs: 200 });
  cloudwatchSeen = [];
  const cloudwatch = (req: FakeAwsRequest) => {
    const target = req.headers['x-amz-target'];
    if (typeof target !== 'string' || !target.startsWith('GraniteServiceVersion20100801.')) return undefined;
    cloudwatchSeen.push(target);
    return {
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: '{"MetricAlarms":[]}',
    };
  };
  fake = await startFakeAws({ elb, ecs, asg, cloudwatch });
});

afterEach(async () => {
  await fake.close();
});

function deps(): ScaleDownRun {
  return {
    ecs: createEcsAdapter(new ECSClient(config(fake.url))),
    asg: createAsgAdapter(new AutoScalingClient(config(fake.url))),
    webhook: () => Promise.reject(new Error('no webhook in this test')),
    sleep: async (ms) => {
      clock.t += ms;
    },
    now: () => clock.t,
    pollMs: 500,
    timeoutMs: 60_000,
  };
}

describe('one endpoint for every service', () => {
  it('answers ELBv2, ECS, Auto Scaling and CloudWatch clients on the same URL', async () => {
    const tg = elb.addTargetGroup('checkout-blue');
    ecs.addService('shop', 'checkout-blue', { desired: 2 });
    asg.addGroup('checkout-blue', { min: 1, max: 4, desired: 2 });
    const groups = await createElbAdapter(
      new ElasticLoadBalancingV2Client(config(fake.url)),
    ).describeTargetGroups([tg]);
    expect(groups.map((g) => g.TargetGroupName)).toEqual(['checkout-blue']);
    expect(await deps().ecs.describeService('shop', 'checkout-blue')).toEqual({
      desired: 2,
      running: 2,
      pending: 0,
      status: 'ACTIVE',
    });
    expect(await deps().asg.describeGroup('checkout-blue')).toEqual({
      min: 1,
      max: 4,
      desired: 2,
      instances: 2,
      protectedInstances: 0,
      waitingInstances: 0,
    });
    const alarms = await new CloudWatchClient(config(fake.url)).send(new DescribeAlarmsCommand({}));
    expect(alarms.MetricAlarms).toEqual([]);
    expect(cloudwatchSeen).toEqual(['GraniteServiceVersion20100801.DescribeAlarms']);
  });
});

describe('scaleDown over the wire', () => {
  it('scales an ECS service to zero, waits for its tasks and records the previous desired count', async () => {
    ecs.addService('shop', 'checkout-blue', { desired: 3 });
    const report = await scaleDown(
      { kind: 'ecs', cluster: 'shop', service: 'checkout-blue' },
      deps(),
      CONTEXT,
    );
    expect(report).toMatchObject({
      kind: 'ecs',
      target: 'shop/checkout-blue',
      previous: { desired: 3 },
      reachedZero: true,
      remaining: 0,
    });
    expect(ecs.service('shop', 'checkout-blue')).toMatchObject({ desired: 0, running: 0, pending: 0 });
    expect(ecs.calls.filter((c) => c.operation === 'UpdateService').map((c) => c.params)).toEqual([
      { cluster: 'shop', service: 'checkout-blue', desiredCount: 0 },
    ]);
  });

  it('scales an Auto Scaling group to zero, waits for its instances and records min/desired/max', async () => {
    asg.addGroup('checkout-blue', { min: 2, max: 6, desired: 3 });
    const report = await scaleDown({ kind: 'asg', name: 'checkout-blue' }, deps(), CONTEXT);
    expect(report).toMatchObject({
      kind: 'asg',
      target: 'checkout-blue',
      previous: { min: 2, desired: 3, max: 6 },
      reachedZero: true,
      remaining: 0,
    });
    expect(asg.group('checkout-blue')).toMatchObject({ min: 0, desired: 0, max: 6, instances: [] });
    expect(asg.calls.filter((c) => c.operation === 'UpdateAutoScalingGroup').map((c) => c.params)).toEqual([
      { AutoScalingGroupName: 'checkout-blue', MinSize: '0', DesiredCapacity: '0' },
    ]);
  });

  it('reports a service and a group that do not exist without throwing', async () => {
    ecs.addService('shop', 'other', { desired: 1 });
    const service = await scaleDown({ kind: 'ecs', cluster: 'shop', service: 'gone' }, deps(), CONTEXT);
    expect(service).toMatchObject({ reachedZero: false, error: 'ECS service shop/gone not found' });
    const cluster = await scaleDown({ kind: 'ecs', cluster: 'nope', service: 'gone' }, deps(), CONTEXT);
    expect(cluster).toMatchObject({ reachedZero: false, error: 'ECS cluster nope not found' });
    const group = await scaleDown({ kind: 'asg', name: 'gone' }, deps(), CONTEXT);
    expect(group).toMatchObject({ reachedZero: false, error: 'Auto Scaling group gone not found' });
  });

  it('lets the SDK retry a throttled ECS call (ThrottlingException is retryable)', async () => {
    ecs.addService('shop', 'checkout-blue', { desired: 1 });
    ecs.failNext('DescribeServices', 'ThrottlingException', 'Rate exceeded');
    expect(await deps().ecs.describeService('shop', 'checkout-blue')).toMatchObject({ desired: 1 });
    expect(ecs.calls.filter((c) => c.operation === 'DescribeServices')).toHaveLength(2);
  });

  it('rides out a throttled describe while waiting, when the throttling outlasts the SDK', async () => {
    ecs.addService('shop', 'checkout-blue', { desired: 2 });
    const oneAttempt = createEcsAdapter(new ECSClient({ ...config(fake.url), maxAttempts: 1 }));
    const d: ScaleDownRun = {
      ...deps(),
      ecs: {
        describeService: (cluster, service) => oneAttempt.describeService(cluster, service),
        describeTaskDefinition: (td) => oneAttempt.describeTaskDefinition(td),
        async updateDesiredCount(cluster, service, desired) {
          await oneAttempt.updateDesiredCount(cluster, service, desired);
          // The first read after the update is throttled.
          ecs.failNext('DescribeServices', 'ThrottlingException', 'Rate exceeded');
        },
      },
    };
    const report = await scaleDown({ kind: 'ecs', cluster: 'shop', service: 'checkout-blue' }, d, CONTEXT);
    expect(report).toMatchObject({ reachedZero: true, remaining: 0, previous: { desired: 2 } });
    expect(ecs.failures).toHaveLength(0);
  });
});

describe('what a slot runs, over the wire', () => {
  const ports = () => ({
    ecs: createEcsAdapter(new ECSClient(config(fake.url))),
    asg: createAsgAdapter(new AutoScalingClient(config(fake.url))),
  });

  it("names an ECS service's images and task definition revision", async () => {
    ecs.addService('shop', 'checkout-green', { desired: 2 });
    ecs.registerTaskDefinition('checkout', [{ name: 'app', image: 'nginx:1.25' }]);
    const arn = ecs.registerTaskDefinition('checkout', [
      { name: 'app', image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/checkout:1.42.0' },
      { name: 'envoy', image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod' },
    ]);
    ecs.runTaskDefinition('shop', 'checkout-green', arn);
    const target = { kind: 'ecs' as const, cluster: 'shop', service: 'checkout-green' };
    expect(await computeVersion(target, ports())).toEqual([
      'image checkout:1.42.0',
      'image aws-appmesh-envoy:v1.29.6.0-prod',
      'task definition checkout:2',
    ]);
  });

  it('says a task definition ECS no longer has is not found, and nothing for a service without one', async () => {
    ecs.addService('shop', 'checkout-blue', { desired: 1 });
    expect(await computeVersion({ kind: 'ecs', cluster: 'shop', service: 'checkout-blue' }, ports())).toEqual(
      [],
    );
    expect(await ports().ecs.describeTaskDefinition('checkout:7')).toBeNull();
    const svc = ecs.service('shop', 'checkout-blue');
    if (svc) svc.taskDefinition = 'arn:aws:ecs:us-east-1:123456789012:task-definition/checkout:7';
    expect(await computeVersion({ kind: 'ecs', cluster: 'shop', service: 'checkout-blue' }, ports())).toEqual(
      ['task definition checkout:7 (not found)'],
    );
  });

  it("names the launch template version an Auto Scaling group's instances run, not the one it asks for", async () => {
    const template = { id: 'lt-0abc1234def567890', name: 'web' };
    asg.addGroup('web-green', { min: 1, max: 4, desired: 2 });
    asg.useLaunchTemplate('web-green', { ...template, version: '11' });
    const target = { kind: 'asg' as const, name: 'web-green' };
    expect(await computeVersion(target, ports())).toEqual(['launch template web version 11']);
    // The group now asks for version 12; its two instances still run 11, a third launches from 12.
    asg.useLaunchTemplate('web-green', { ...template, version: '12' });
    expect(await computeVersion(target, ports())).toEqual(['launch template web version 11']);
    const g = asg.groups.get('web-green');
    if (g) g.desired = 3;
    clock.t += 10_000;
    expect(await computeVersion(target, ports())).toEqual([
      'launch templates web version 11 (2 instance(s)), web version 12 (1 instance(s))',
    ]);
    // A group with no instance says what it would launch; one without a template says nothing.
    asg.addGroup('web-empty', { min: 0, max: 4, desired: 0 });
    asg.useLaunchTemplate('web-empty', { ...template, version: '$Latest' });
    expect(await computeVersion({ kind: 'asg', name: 'web-empty' }, ports())).toEqual([
      'launch template web version $Latest (no instance yet)',
    ]);
    asg.addGroup('web-blue', { min: 1, max: 4, desired: 2 });
    expect(await computeVersion({ kind: 'asg', name: 'web-blue' }, ports())).toEqual([]);
  });

  it('says which earlier task definition still runs tasks while an ECS service rolls out', async () => {
    ecs.addService('shop', 'checkout-green', { desired: 2 });
    const first = ecs.registerTaskDefinition('checkout', [{ name: 'app', image: 'checkout:1.41.2' }]);
    ecs.runTaskDefinition('shop', 'checkout-green', first);
    const second = ecs.registerTaskDefinition('checkout', [{ name: 'app', image: 'checkout:1.42.0' }]);
    ecs.runTaskDefinition('shop', 'checkout-green', second);
    const target = { kind: 'ecs' as const, cluster: 'shop', service: 'checkout-green' };
    expect(await computeVersion(target, ports())).toEqual([
      'image checkout:1.42.0',
      'task definition checkout:2',
      'still 2 task(s) of checkout:1',
    ]);
    clock.t += 10_000; // the fake replaces one task per 200 ms
    expect(await computeVersion(target, ports())).toEqual([
      'image checkout:1.42.0',
      'task definition checkout:2',
    ]);
  });
});

describe('AWS errors through the SDKs', () => {
  it('maps ECS and Auto Scaling wire errors to AwsCallError codes', async () => {
    ecs.addService('shop', 'checkout-blue', { desired: 1 });
    const d = deps();
    const ecsErr = await d.ecs.updateDesiredCount('shop', 'gone', 0).catch((e: unknown) => e);
    expect(ecsErr).toBeInstanceOf(AwsCallError);
    expect(ecsErr).toMatchObject({ operation: 'UpdateService', code: 'ServiceNotFound' });
    const asgErr = await d.asg.updateGroup('gone', { min: 0, desired: 0 }).catch((e: unknown) => e);
    expect(asgErr).toMatchObject({ operation: 'UpdateAutoScalingGroup', code: 'ValidationError' });
    expect((asgErr as Error).message).toContain('AutoScalingGroup name not found');
  });

  it('throws the update failure from scaleDown so that the caller can retry', async () => {
    asg.addGroup('checkout-blue', { min: 1, max: 2, desired: 1 });
    asg.failNext('UpdateAutoScalingGroup', 'ScalingActivityInProgress', 'Scaling activity is in progress');
    await expect(scaleDown({ kind: 'asg', name: 'checkout-blue' }, deps(), CONTEXT)).rejects.toMatchObject({
      operation: 'UpdateAutoScalingGroup',
      code: 'ScalingActivityInProgress',
    });
    expect(asg.group('checkout-blue')).toMatchObject({ min: 1, desired: 1 });
  });
});
