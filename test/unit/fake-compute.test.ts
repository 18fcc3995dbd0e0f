import { describe, expect, it } from 'vitest';
import { FakeAsgState, handleAutoScaling, isAsgRequest } from '../../sandbox/fake-autoscaling.js';
import { dispatchFakeAws } from '../../sandbox/fake-aws.js';
import { FakeEcsState, handleEcs, isEcsRequest } from '../../sandbox/fake-ecs.js';
import { FakeElbState } from '../../sandbox/fake-elb/index.js';

const TARGET = 'AmazonEC2ContainerServiceV20141113.';
const ecsRequest = (operation: string, body: unknown) => ({
  headers: { 'x-amz-target': `${TARGET}${operation}`, 'content-type': 'application/x-amz-json-1.1' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const form = (params: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(params).toString(),
});
const asgRequest = (action: string, params: Record<string, string> = {}) =>
  form({ Action: action, Version: '2011-01-01', ...params });

function clocked() {
  const clock = { t: 0 };
  return { clock, now: () => clock.t };
}

describe('fake ECS', () => {
  it('lets running tasks converge to the desired count one task per step', () => {
    const { clock, now } = clocked();
    const state = new FakeEcsState({ now, stepMs: 200 });
    state.addService('shop', 'checkout-blue', { desired: 3 });
    const update = handleEcs(
      state,
      ecsRequest('UpdateService', { cluster: 'shop', service: 'checkout-blue', desiredCount: 0 }),
    );
    expect(update.status).toBe(200);
    const counts = [0, 200, 400, 600].map((t) => {
      clock.t = t;
      const out = JSON.parse(
        handleEcs(state, ecsRequest('DescribeServices', { cluster: 'shop', services: ['checkout-blue'] }))
          .body,
      );
      return out.services[0].runningCount;
    });
    expect(counts).toEqual([3, 2, 1, 0]);
  });

  it('launches tasks as pending before they run when scaling up', () => {
    const { clock, now } = clocked();
    const state = new FakeEcsState({ now, stepMs: 100 });
    state.addService('shop', 'api', { desired: 0 });
    handleEcs(state, ecsRequest('UpdateService', { cluster: 'shop', service: 'api', desiredCount: 1 }));
    clock.t = 100;
    expect(state.service('shop', 'api')).toMatchObject({ running: 0, pending: 1 });
    clock.t = 200;
    expect(state.service('shop', 'api')).toMatchObject({ running: 1, pending: 0 });
  });

  it('lists an unknown service under failures as MISSING, by name or ARN', () => {
    const state = new FakeEcsState();
    state.addService('shop', 'checkout-blue', { desired: 1 });
    const r = handleEcs(
      state,
      ecsRequest('DescribeServices', {
        cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/shop',
        services: ['arn:aws:ecs:us-east-1:123456789012:service/shop/checkout-blue', 'gone'],
      }),
    );
    const out = JSON.parse(r.body);
    expect(out.services.map((s: { serviceName: string }) => s.serviceName)).toEqual(['checkout-blue']);
    expect(out.failures).toEqual([
      { arn: 'arn:aws:ecs:us-east-1:123456789012:service/shop/gone', reason: 'MISSING' },
    ]);
  });

  it.each<[string, ReturnType<typeof ecsRequest>, string]>([
    ['an unknown operation', ecsRequest('DeleteService', {}), 'UnknownOperationException'],
    ['a body that is not JSON', ecsRequest('DescribeServices', '{nope'), 'SerializationException'],
    [
      'an unknown cluster',
      ecsRequest('DescribeServices', { cluster: 'x', services: ['a'] }),
      'ClusterNotFoundException',
    ],
    [
      'an unknown service',
      ecsRequest('UpdateService', { cluster: 'shop', service: 'x', desiredCount: 0 }),
      'ServiceNotFoundException',
    ],
    [
      'a negative count',
      ecsRequest('UpdateService', { cluster: 'shop', service: 'a', desiredCount: -1 }),
      'InvalidParameterException',
    ],
    [
      'eleven services',
      ecsRequest('DescribeServices', { cluster: 'shop', services: Array(11).fill('a') }),
      'InvalidParameterException',
    ],
  ])('answers %s with an AWS-shaped 400', (_name, req, code) => {
    const state = new FakeEcsState();
    state.addService('shop', 'a', { desired: 1 });
    const r = handleEcs(state, req);
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(JSON.parse(r.body)).toMatchObject({ __type: code });
  });

  it('refuses to update an INACTIVE service and fails an injected call once', () => {
    const state = new FakeEcsState();
    const svc = state.addService('shop', 'old', { desired: 0 });
    svc.status = 'INACTIVE';
    const upd = ecsRequest('UpdateService', { cluster: 'shop', service: 'old', desiredCount: 0 });
    expect(JSON.parse(handleEcs(state, upd).body).__type).toBe('ServiceNotActiveException');
    state.failNext('DescribeServices', 'ServerException');
    const desc = ecsRequest('DescribeServices', { cluster: 'shop', services: ['old'] });
    expect(handleEcs(state, desc).status).toBe(500);
    expect(handleEcs(state, desc).status).toBe(200);
  });

  it('runs a deleted service down as DRAINING, then INACTIVE, refusing updates throughout', () => {
    const { clock, now } = clocked();
    const state = new FakeEcsState({ now, stepMs: 100 });
    state.addService('shop', 'blue', { desired: 2 });
    state.deleteService('shop', 'blue');
    const upd = ecsRequest('UpdateService', { cluster: 'shop', service: 'blue', desiredCount: 0 });
    expect(JSON.parse(handleEcs(state, upd).body)).toEqual({
      __type: 'ServiceNotActiveException',
      message: "The specified service isn't active. You can't update a service that's inactive.",
    });
    const seen = [0, 100, 200, 300].map((t) => {
      clock.t = t;
      const s = state.service('shop', 'blue');
      return `${s?.status} ${s?.running}`;
    });
    expect(seen).toEqual(['DRAINING 2', 'DRAINING 1', 'DRAINING 0', 'INACTIVE 0']);
  });

  it('recognises its requests by the X-Amz-Target prefix only', () => {
    expect(isEcsRequest({ 'x-amz-target': `${TARGET}DescribeServices` })).toBe(true);
    expect(isEcsRequest({ 'x-amz-target': 'GraniteServiceVersion20100801.GetMetricData' })).toBe(false);
    expect(isEcsRequest({})).toBe(false);
  });
});

describe('fake Auto Scaling', () => {
  it('terminates surplus instances one step at a time once the desired capacity is 0', () => {
    const { clock, now } = clocked();
    const state = new FakeAsgState({ now, stepMs: 100 });
    state.addGroup('blue', { min: 1, max: 4, desired: 2 });
    const r = handleAutoScaling(
      state,
      asgRequest('UpdateAutoScalingGroup', {
        AutoScalingGroupName: 'blue',
        MinSize: '0',
        DesiredCapacity: '0',
      }),
    );
    expect(r.status).toBe(200);
    expect(r.body).toContain(
      '<UpdateAutoScalingGroupResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">',
    );
    const seen = [0, 100, 200, 300, 400].map((t) => {
      clock.t = t;
      return state
        .group('blue')
        ?.instances.map((i) => i.state)
        .join(',');
    });
    expect(seen).toEqual(['InService,InService', 'InService,Terminating', 'InService', 'Terminating', '']);
  });

  it('never terminates instances protected from scale in, whatever the desired capacity', () => {
    const { clock, now } = clocked();
    const state = new FakeAsgState({ now, stepMs: 100 });
    state.addGroup('blue', { min: 0, max: 4, desired: 3, protectedInstances: 1 });
    handleAutoScaling(
      state,
      asgRequest('UpdateAutoScalingGroup', { AutoScalingGroupName: 'blue', DesiredCapacity: '0' }),
    );
    clock.t = 10_000;
    const g = state.group('blue');
    expect(g?.desired).toBe(0);
    expect(g?.instances.map((i) => [i.state, i.protectedFromScaleIn])).toEqual([['InService', true]]);
    expect(handleAutoScaling(state, asgRequest('DescribeAutoScalingGroups')).body).toContain(
      '<ProtectedFromScaleIn>true</ProtectedFromScaleIn>',
    );
  });

  it('holds terminating instances in Terminating:Wait for a lifecycle hook’s heartbeat timeout', () => {
    const { clock, now } = clocked();
    const state = new FakeAsgState({ now, stepMs: 100, timeScale: 0.001 });
    state.addGroup('blue', { min: 0, max: 2, desired: 1 });
    state.addLifecycleHook('blue', { name: 'drain', heartbeatTimeoutSeconds: 600 });
    handleAutoScaling(
      state,
      asgRequest('UpdateAutoScalingGroup', { AutoScalingGroupName: 'blue', DesiredCapacity: '0' }),
    );
    const seen = [100, 650, 800].map((t) => {
      clock.t = t;
      return state
        .group('blue')
        ?.instances.map((i) => i.state)
        .join(',');
    });
    // Terminating at 100: 600 s × 0.001 = 600 ms in Terminating:Wait, then Proceed and gone.
    expect(seen).toEqual(['Terminating:Wait', 'Terminating:Wait', '']);
    const hooks = handleAutoScaling(
      state,
      asgRequest('DescribeLifecycleHooks', { AutoScalingGroupName: 'blue' }),
    );
    expect(hooks.body).toContain('<LifecycleHookName>drain</LifecycleHookName>');
    expect(hooks.body).toContain('<HeartbeatTimeout>600</HeartbeatTimeout>');
  });

  it('describes groups as XML members and leaves unknown names out', () => {
    const state = new FakeAsgState();
    state.addGroup('blue', { min: 0, max: 2, desired: 1 });
    const r = handleAutoScaling(
      state,
      asgRequest('DescribeAutoScalingGroups', {
        'AutoScalingGroupNames.member.1': 'blue',
        'AutoScalingGroupNames.member.2': 'gone',
      }),
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/<AutoScalingGroups><member><AutoScalingGroupName>blue<\/AutoScalingGroupName>/);
    expect(r.body).toMatch(/<Instances><member><InstanceId>i-[0-9a-f]{17}<\/InstanceId>/);
    expect(r.body).not.toContain('gone');
  });

  it('pages with MaxRecords and NextToken', () => {
    const state = new FakeAsgState();
    for (const n of ['a', 'b', 'c']) state.addGroup(n, { min: 0, max: 1, desired: 0 });
    const first = handleAutoScaling(state, asgRequest('DescribeAutoScalingGroups', { MaxRecords: '2' }));
    expect(first.body).toContain('<NextToken>2</NextToken>');
    const second = handleAutoScaling(
      state,
      asgRequest('DescribeAutoScalingGroups', { MaxRecords: '2', NextToken: '2' }),
    );
    expect(second.body).toContain('<AutoScalingGroupName>c</AutoScalingGroupName>');
    expect(second.body).not.toContain('NextToken');
  });

  it.each<[string, ReturnType<typeof form>, string]>([
    [
      'an unknown group',
      asgRequest('UpdateAutoScalingGroup', { AutoScalingGroupName: 'gone', MinSize: '0' }),
      'AutoScalingGroup name not found',
    ],
    [
      'a desired capacity under the minimum',
      asgRequest('UpdateAutoScalingGroup', { AutoScalingGroupName: 'blue', DesiredCapacity: '0' }),
      'Desired capacity:0 must be between the specified min size:1 and max size:4',
    ],
    [
      'a minimum over the maximum',
      asgRequest('UpdateAutoScalingGroup', { AutoScalingGroupName: 'blue', MinSize: '5' }),
      'Max bound, 4, must be greater than or equal to min bound, 5',
    ],
    [
      'a size that is not a number',
      asgRequest('UpdateAutoScalingGroup', { AutoScalingGroupName: 'blue', MinSize: 'two' }),
      'failed to satisfy constraint',
    ],
  ])('answers %s with a ValidationError', (_name, req, message) => {
    const state = new FakeAsgState();
    state.addGroup('blue', { min: 1, max: 4, desired: 2 });
    const r = handleAutoScaling(state, req);
    expect(r.status).toBe(400);
    expect(r.body).toContain('<Code>ValidationError</Code>');
    expect(r.body).toContain(message);
    expect(state.groups.get('blue')).toMatchObject({ min: 1, max: 4, desired: 2 });
  });

  it.each([
    ['an unknown action', asgRequest('DeleteAutoScalingGroup'), 'InvalidAction'],
    ['no action', form({ Version: '2011-01-01' }), 'MissingAction'],
    [
      'a broken percent-encoding',
      { headers: {}, body: 'Action=DescribeAutoScalingGroups&Version=2011-01-01&X=%zz' },
      'MalformedQueryString',
    ],
  ])('answers %s with an ErrorResponse', (_name, req, code) => {
    const r = handleAutoScaling(new FakeAsgState(), req);
    expect(r.status).toBe(400);
    expect(r.body).toContain(`<ErrorResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">`);
    expect(r.body).toContain(`<Code>${code}</Code>`);
  });

  it('recognises its requests by Version=2011-01-01', () => {
    expect(isAsgRequest({}, 'Action=DescribeAutoScalingGroups&Version=2011-01-01')).toBe(true);
    expect(isAsgRequest({}, 'Action=DescribeListeners&Version=2015-12-01')).toBe(false);
  });
});

describe('fake AWS dispatch', () => {
  const elb = new FakeElbState();
  const ecs = new FakeEcsState();
  const asg = new FakeAsgState();

  it('routes by X-Amz-Target and by Version, and asks the injected handler first', async () => {
    const seen: string[] = [];
    const cloudwatch = (req: { headers: Record<string, unknown> }) => {
      const t = String(req.headers['x-amz-target'] ?? '');
      if (!t.startsWith('GraniteServiceVersion20100801.')) return undefined;
      seen.push(t);
      return {
        status: 200,
        headers: { 'content-type': 'application/x-amz-json-1.0' },
        body: '{"MetricDataResults":[]}',
      };
    };
    const cw = await dispatchFakeAws(
      { elb, ecs, asg, cloudwatch },
      { headers: { 'x-amz-target': 'GraniteServiceVersion20100801.GetMetricData' }, body: '{}' },
    );
    expect(cw.body).toBe('{"MetricDataResults":[]}');
    expect(seen).toEqual(['GraniteServiceVersion20100801.GetMetricData']);
    const ecsAnswer = await dispatchFakeAws(
      { elb, ecs, asg, cloudwatch },
      ecsRequest('DescribeServices', { services: ['x'] }),
    );
    expect(JSON.parse(ecsAnswer.body).__type).toBe('ClusterNotFoundException');
    const elbAnswer = await dispatchFakeAws(
      { elb, ecs, asg },
      form({ Action: 'DescribeTargetGroups', Version: '2015-12-01' }),
    );
    expect(elbAnswer.body).toContain('<DescribeTargetGroupsResponse');
    const asgAnswer = await dispatchFakeAws({ elb, ecs, asg }, asgRequest('DescribeAutoScalingGroups'));
    expect(asgAnswer.body).toContain('<DescribeAutoScalingGroupsResponse');
  });

  it('accepts the injected handler as a predicate plus a handler', async () => {
    const cloudwatch = {
      isRequest: (headers: Record<string, unknown>) =>
        headers['x-amz-target'] === 'GraniteServiceVersion20100801.DescribeAlarms',
      handle: () => ({ status: 200, headers: {}, body: '{"MetricAlarms":[]}' }),
    };
    const r = await dispatchFakeAws(
      { elb, cloudwatch },
      { headers: { 'x-amz-target': 'GraniteServiceVersion20100801.DescribeAlarms' }, body: '{}' },
    );
    expect(r.body).toBe('{"MetricAlarms":[]}');
  });

  it.each([
    [
      'a JSON target nobody serves',
      { headers: { 'x-amz-target': 'DynamoDB_20120810.GetItem' }, body: '{}' },
      '"__type":"UnknownOperationException"',
    ],
    [
      'ECS when no ECS state was given',
      ecsRequest('DescribeServices', {}),
      '"__type":"UnknownOperationException"',
    ],
    [
      'an unknown query version',
      form({ Action: 'DescribeInstances', Version: '2016-11-15' }),
      '<Code>NoSuchVersion</Code>',
    ],
    ['a request naming no service', { headers: {}, body: '' }, '<Code>MissingAction</Code>'],
    [
      'Auto Scaling when no state was given',
      asgRequest('DescribeAutoScalingGroups'),
      '<Code>InvalidAction</Code>',
    ],
  ])('answers %s with an AWS-shaped 400', async (_name, req, needle) => {
    const r = await dispatchFakeAws({ elb }, req);
    expect(r.status).toBe(400);
    expect(r.body).toContain(needle);
  });
});
