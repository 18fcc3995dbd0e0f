import { describe, expect, it } from 'vitest';
import { ApiThrottle, AWS_API_LIMITS, AWS_DESCRIBE_BUCKET } from '../../sandbox/fake-elb/api-limits.js';
import { fakeElbClient } from '../../sandbox/fake-elb/client.js';
import { DEMO, demoState } from '../../sandbox/fake-elb/demo.js';
import { handleQuery } from '../../sandbox/fake-elb/handler.js';
import { decodeQuery } from '../../sandbox/fake-elb/query.js';
import { FakeElbState, forward } from '../../sandbox/fake-elb/state.js';
import { createElbAdapter } from '../../src/aws/elb-sdk-adapter.js';
import type { Action } from '../../src/domain/load-balancer.js';

const LISTENER_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener\/app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}\/[0-9a-f]{16}$/;
const TG_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;

describe('decodeQuery', () => {
  it('turns member lists and entry maps into nested arrays and objects', () => {
    const body = [
      'Action=ModifyRule',
      'Version=2015-12-01',
      'RuleArn=arn%3Arule',
      'Actions.member.2.Type=forward',
      'Actions.member.2.ForwardConfig.TargetGroups.member.1.TargetGroupArn=arn%3Ablue',
      'Actions.member.2.ForwardConfig.TargetGroups.member.1.Weight=0',
      'Actions.member.2.ForwardConfig.TargetGroups.member.2.TargetGroupArn=arn%3Agreen',
      'Actions.member.1.Type=authenticate-oidc',
      'Actions.member.1.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.1.key=prompt',
      'Actions.member.1.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.1.value=login+now',
    ].join('&');
    expect(decodeQuery(body)).toEqual({
      action: 'ModifyRule',
      version: '2015-12-01',
      params: {
        RuleArn: 'arn:rule',
        Actions: [
          {
            Type: 'authenticate-oidc',
            AuthenticateOidcConfig: { AuthenticationRequestExtraParams: { prompt: 'login now' } },
          },
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [{ TargetGroupArn: 'arn:blue', Weight: '0' }, { TargetGroupArn: 'arn:green' }],
            },
          },
        ],
      },
    });
  });

  it.each([
    ['bad percent-encoding', 'Action=DescribeRules&ListenerArn=%zz', 'MalformedQueryString'],
    ['a prototype-polluting name', 'Action=DescribeRules&__proto__.x=1', 'MalformedQueryString'],
    [
      'a value that is also a structure',
      'Action=ModifyRule&Actions=&Actions.member.1.Type=forward',
      'MalformedQueryString',
    ],
    [
      'a list index that is not a number',
      'Action=ModifyRule&Actions.member.x.Type=forward',
      'ValidationError',
    ],
  ])('rejects %s with an AWS-shaped 400', (_name, body, code) => {
    const r = handleQuery(new FakeElbState(), body, 'req-1');
    expect(r.status).toBe(400);
    expect(r.body).toContain(`<Code>${code}</Code>`);
    expect(r.body).toMatch(
      /^<ErrorResponse xmlns="[^"]+"><Error><Type>Sender<\/Type>.*<RequestId>req-1<\/RequestId><\/ErrorResponse>$/,
    );
  });
});

describe('handleQuery', () => {
  it('answers an unknown action with InvalidAction and records nothing', () => {
    const state = new FakeElbState();
    const r = handleQuery(state, 'Action=CreateVpcEndpoint&Version=2015-12-01');
    expect([r.status, r.body.includes('<Code>InvalidAction</Code>')]).toEqual([400, true]);
    expect(state.calls).toEqual([]);
  });

  it('answers a request without Action with MissingAction', () => {
    expect(handleQuery(new FakeElbState(), 'Version=2015-12-01').body).toContain(
      '<Code>MissingAction</Code>',
    );
  });

  it('wraps results in <Operation>Response/<Operation>Result with member lists', () => {
    const r = handleQuery(
      demoState(),
      `Action=DescribeTargetGroupAttributes&TargetGroupArn=${encodeURIComponent(DEMO.checkout.blueArn)}`,
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatch(
      /^<DescribeTargetGroupAttributesResponse xmlns="http:\/\/elasticloadbalancing\.amazonaws\.com\/doc\/2015-12-01\/"><DescribeTargetGroupAttributesResult><Attributes><member><Key>/,
    );
    expect(r.body).toContain('<ResponseMetadata><RequestId>');
  });

  it('fails the next call of an operation once when a failure is injected', () => {
    const state = demoState();
    state.failNext('DescribeRules', 'Throttling', 'Rate exceeded');
    const body = `Action=DescribeRules&ListenerArn=${encodeURIComponent(DEMO.httpsListenerArn)}`;
    expect(handleQuery(state, body).body).toContain(
      '<Code>Throttling</Code><Message>Rate exceeded</Message>',
    );
    expect(handleQuery(state, body).status).toBe(200);
    expect(state.calls.map((c) => c.operation)).toEqual(['DescribeRules', 'DescribeRules']);
  });
});

describe('request throttling (ELB user guide, "Request throttling for the ELB API")', () => {
  it('admits 40 Describe calls at once, refuses the next with ThrottlingException, and refills 10 a second', () => {
    let now = 1_000_000;
    const state = new FakeElbState({ now: () => now });
    state.throttle = new ApiThrottle({ describe: AWS_DESCRIBE_BUCKET }, now);
    const describe = () => handleQuery(state, 'Action=DescribeLoadBalancers&Version=2015-12-01');
    for (let i = 0; i < 40; i += 1) expect(describe().status).toBe(200);
    const refused = describe();
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('<Code>ThrottlingException</Code>');
    expect(refused.body).toContain('Rate exceeded');
    now += 100; // one token back
    expect(describe().status).toBe(200);
    expect(describe().status).toBe(400);
    now += 4_000; // full again: 40, not more
    for (let i = 0; i < 40; i += 1) expect(describe().status).toBe(200);
    expect(describe().status).toBe(400);
    expect(state.throttle.throttled.get('DescribeLoadBalancers')).toBe(3);
    // Mutating calls have buckets of their own: not this one.
    expect(handleQuery(state, 'Action=DeleteRule&Version=2015-12-01&RuleArn=x').body).not.toContain(
      'ThrottlingException',
    );
  });

  it('gives mutating calls a bucket of 20 (3 a second) and target registration one of 20 (4 a second)', () => {
    let now = 5_000_000;
    const state = new FakeElbState({ now: () => now });
    state.throttle = new ApiThrottle(AWS_API_LIMITS, now);
    const call = (action: string) =>
      handleQuery(state, `Action=${action}&Version=2015-12-01&RuleArn=x&TargetGroupArn=x`).body;
    for (let i = 0; i < 20; i += 1) expect(call('DeleteRule')).not.toContain('ThrottlingException');
    expect(call('DeleteRule')).toContain('ThrottlingException');
    for (let i = 0; i < 20; i += 1) expect(call('DeregisterTargets')).not.toContain('ThrottlingException');
    expect(call('DeregisterTargets')).toContain('ThrottlingException');
    now += 1_000;
    for (let i = 0; i < 3; i += 1) expect(call('DeleteRule')).not.toContain('ThrottlingException');
    expect(call('DeleteRule')).toContain('ThrottlingException');
    for (let i = 0; i < 4; i += 1) expect(call('DeregisterTargets')).not.toContain('ThrottlingException');
    expect(call('DeregisterTargets')).toContain('ThrottlingException');
  });
});

describe('validation through the SDK', () => {
  function shop() {
    const state = new FakeElbState();
    const lb = state.addLoadBalancer('shop');
    const blue = state.addTargetGroup('blue');
    const green = state.addTargetGroup('green');
    const listener = state.addListener({
      loadBalancerArn: lb,
      port: 443,
      defaultActions: [forward([blue, 1])],
    });
    return { state, blue, green, listener, port: createElbAdapter(fakeElbClient(state, { maxAttempts: 1 })) };
  }

  it.each<[string, (w: ReturnType<typeof shop>) => Action[], string]>([
    ['a weight above 999', (w) => [forward([w.blue, 1000])], 'ValidationError'],
    ['an unknown target group', (w) => [forward([`${w.blue.slice(0, -1)}0`, 1])], 'TargetGroupNotFound'],
    [
      'two terminal actions',
      (w) => [forward([w.blue, 1]), { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503' } }],
      'ValidationError',
    ],
    ['an unknown action type', () => [{ Type: 'teleport' }], 'ValidationError'],
  ])('rejects ModifyListener with %s', async (_name, actions, code) => {
    const w = shop();
    await expect(w.port.modifyListener(w.listener, actions(w))).rejects.toMatchObject({ code });
    expect(w.state.weightsOf(w.listener)).toEqual({ [w.blue]: 1 });
  });

  it('requires group stickiness on a multi-group forward when a group has stickiness on', async () => {
    const w = shop();
    w.state.setTargetGroupAttributes(w.green, { 'stickiness.enabled': 'true' });
    await expect(
      w.port.modifyListener(w.listener, [forward([w.blue, 1], [w.green, 1])]),
    ).rejects.toMatchObject({
      code: 'InvalidConfigurationRequest',
    });
  });

  it('refuses a target group that another load balancer already uses', async () => {
    const w = shop();
    const other = w.state.addLoadBalancer('other');
    const l = w.state.addListener({
      loadBalancerArn: other,
      port: 80,
      defaultActions: [forward([w.green, 1])],
    });
    await expect(w.port.modifyListener(l, [forward([w.blue, 1])])).rejects.toMatchObject({
      code: 'TargetGroupAssociationLimit',
    });
  });

  it('never returns an OIDC client secret and keeps it when asked to', async () => {
    const w = shop();
    const oidc: Action = {
      Type: 'authenticate-oidc',
      Order: 1,
      AuthenticateOidcConfig: {
        Issuer: 'https://idp',
        AuthorizationEndpoint: 'https://idp/a',
        TokenEndpoint: 'https://idp/t',
        UserInfoEndpoint: 'https://idp/u',
        ClientId: 'c',
        ClientSecret: 's3cret',
      },
    };
    await w.port.modifyListener(w.listener, [oidc, { ...forward([w.blue, 1]), Order: 2 }]);
    const [read] = await w.port.describeListeners({ listenerArns: [w.listener] });
    expect(read?.DefaultActions[0]?.AuthenticateOidcConfig).not.toHaveProperty('ClientSecret');
    await w.port.modifyListener(w.listener, read?.DefaultActions ?? []);
    const stored = w.state.listener(w.listener).defaultActions[0]?.AuthenticateOidcConfig;
    expect(stored?.ClientSecret).toBe('s3cret');
  });

  it('pages describe results with NextMarker', async () => {
    const w = shop();
    w.state.pageCap = 1;
    for (const p of [1, 2, 3])
      w.state.addRule({ listenerArn: w.listener, priority: p, actions: [forward([w.blue, 1])] });
    const rules = await w.port.describeRules(w.listener);
    expect(rules.map((r) => r.Priority)).toEqual(['1', '2', '3', 'default']);
    expect(w.state.calls.filter((c) => c.operation === 'DescribeRules')).toHaveLength(4);
  });
});

describe('demoState', () => {
  it('uses ARNs that the config schema accepts, the same on every build', () => {
    expect(DEMO.checkout.listenerArn).toMatch(LISTENER_ARN);
    for (const arn of [
      DEMO.checkout.blueArn,
      DEMO.checkout.greenArn,
      DEMO.search.blueArn,
      DEMO.search.greenArn,
    ])
      expect(arn).toMatch(TG_ARN);
    const again = demoState();
    expect(again.weightsOf(DEMO.checkout.listenerArn)).toEqual({
      [DEMO.checkout.blueArn]: 1,
      [DEMO.checkout.greenArn]: 0,
    });
    expect(again.weightsOf(DEMO.search.ruleArn)).toEqual({ [DEMO.search.blueArn]: 1 });
    // search-green is named by no forward: AWS does not health-check it (Target.NotInUse).
    expect(again.healthOf(DEMO.search.greenArn).map((t) => t.health.reason)).toEqual([
      'Target.NotInUse',
      'Target.NotInUse',
    ]);
    expect(again.healthOf(DEMO.checkout.greenArn).map((t) => t.health.state)).toEqual(['healthy', 'healthy']);
  });
});
