import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
  ListenerNotFoundException,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Rule as SdkRule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createElbAdapter } from '../../src/aws/elb-sdk-adapter.js';
import { toAwsCallError } from '../../src/aws/sdk-call.js';
import { AwsCallError } from '../../src/errors.js';
import { resetAroundEach, SDK_TEST_CONFIG } from '../helpers/sdk-mock.js';

const LB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188';
const L443 =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
const RULE =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee';
const BLUE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-blue/73e2d6bc24d8a067';

const client = new ElasticLoadBalancingV2Client(SDK_TEST_CONFIG);
const mock = mockClient(client);
const port = createElbAdapter(client);
resetAroundEach(mock);

const rule = (n: number): SdkRule => ({
  RuleArn: `${RULE.slice(0, -4)}${String(n).padStart(4, '0')}`,
  Priority: String(n),
  IsDefault: false,
  Actions: [{ Type: 'forward', TargetGroupArn: BLUE }],
});

describe('pagination', () => {
  it('follows NextMarker until the last page of rules', async () => {
    mock
      .on(DescribeRulesCommand)
      .resolvesOnce({ Rules: [rule(1), rule(2)], NextMarker: 'page-2' })
      .resolvesOnce({ Rules: [rule(3)], NextMarker: 'page-3' })
      .resolvesOnce({ Rules: [{ ...rule(4), Priority: 'default', IsDefault: true }] });
    const rules = await port.describeRules(L443);
    expect(rules.map((r) => r.Priority)).toEqual(['1', '2', '3', 'default']);
    expect(rules[3]?.IsDefault).toBe(true);
    const markers = mock.commandCalls(DescribeRulesCommand).map((c) => c.args[0].input.Marker);
    expect(markers).toEqual([undefined, 'page-2', 'page-3']);
  });

  it('describes the listeners of a load balancer across pages', async () => {
    const listener = (port: number) => ({
      ListenerArn: `${L443}-${port}`,
      LoadBalancerArn: LB,
      Port: port,
      Protocol: 'HTTP' as const,
      DefaultActions: [],
    });
    mock
      .on(DescribeListenersCommand)
      .resolvesOnce({ Listeners: [listener(80)], NextMarker: 'next' })
      .resolvesOnce({ Listeners: [listener(443)] });
    const listeners = await port.describeListeners({ loadBalancerArn: LB });
    expect(listeners.map((l) => l.Port)).toEqual([80, 443]);
    expect(mock.commandCalls(DescribeListenersCommand)[1]?.args[0].input).toEqual({
      LoadBalancerArn: LB,
      Marker: 'next',
      PageSize: 400,
    });
  });

  it('gives up on a marker that repeats instead of looping forever', async () => {
    mock.on(DescribeRulesCommand).resolves({ Rules: [rule(1)], NextMarker: 'same' });
    await expect(port.describeRules(L443)).rejects.toThrow(/marker same repeated/);
  });
});

describe('round-trip of action lists', () => {
  const oidc = {
    Type: 'authenticate-oidc' as const,
    Order: 1,
    AuthenticateOidcConfig: {
      Issuer: 'https://idp.example.com',
      AuthorizationEndpoint: 'https://idp.example.com/authorize',
      TokenEndpoint: 'https://idp.example.com/token',
      UserInfoEndpoint: 'https://idp.example.com/userinfo',
      ClientId: 'greenlight',
      SessionCookieName: 'AWSELBAuthSessionCookie',
      Scope: 'openid',
      SessionTimeout: 604800,
      AuthenticationRequestExtraParams: { prompt: 'login' },
      OnUnauthenticatedRequest: 'authenticate' as const,
    },
  };
  const fwd = {
    Type: 'forward' as const,
    Order: 2,
    ForwardConfig: {
      TargetGroups: [{ TargetGroupArn: BLUE, Weight: 1 }],
      TargetGroupStickinessConfig: { Enabled: false },
    },
  };

  it('sends back an authenticate-oidc + forward list as read, asking AWS to keep the client secret', async () => {
    mock
      .on(DescribeRulesCommand)
      .resolves({ Rules: [{ RuleArn: RULE, Priority: '10', IsDefault: false, Actions: [oidc, fwd] }] });
    mock.on(ModifyRuleCommand).resolves({});
    const [read] = await port.describeRules(L443);
    await port.modifyRule(RULE, read?.Actions ?? []);
    const sent = mock.commandCalls(ModifyRuleCommand)[0]?.args[0].input;
    expect(sent).toEqual({
      RuleArn: RULE,
      Actions: [
        {
          ...oidc,
          AuthenticateOidcConfig: { ...oidc.AuthenticateOidcConfig, UseExistingClientSecret: true },
        },
        fwd,
      ],
    });
    expect(read?.Actions[0]).toEqual(oidc);
  });

  it('sends a listener’s default actions untouched when no secret is involved', async () => {
    mock.on(ModifyListenerCommand).resolves({});
    const redirect = {
      Type: 'redirect',
      RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' },
    };
    await port.modifyListener(L443, [redirect]);
    expect(mock.commandCalls(ModifyListenerCommand)[0]?.args[0].input).toEqual({
      ListenerArn: L443,
      DefaultActions: [redirect],
    });
  });
});

describe('shape mapping', () => {
  it('maps target health, attributes and target groups to the port shapes', async () => {
    mock.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: 'i-1', Port: 80 }, TargetHealth: { State: 'healthy' } },
        {
          Target: { Id: 'i-2', Port: 80 },
          TargetHealth: { State: 'draining', Reason: 'Target.DeregistrationInProgress' },
        },
      ],
    });
    mock
      .on(DescribeTargetGroupAttributesCommand)
      .resolves({ Attributes: [{ Key: 'stickiness.enabled', Value: 'true' }] });
    mock.on(DescribeTargetGroupsCommand).resolves({
      TargetGroups: [{ TargetGroupArn: BLUE, TargetGroupName: 'checkout-blue', LoadBalancerArns: [LB] }],
    });
    expect(await port.describeTargetHealth(BLUE)).toEqual([
      { Id: 'i-1', Port: 80, State: 'healthy' },
      { Id: 'i-2', Port: 80, State: 'draining', Reason: 'Target.DeregistrationInProgress' },
    ]);
    expect(await port.describeTargetGroupAttributes(BLUE)).toEqual({ 'stickiness.enabled': 'true' });
    expect(await port.describeTargetGroups([BLUE])).toEqual([
      { TargetGroupArn: BLUE, TargetGroupName: 'checkout-blue', LoadBalancerArns: [LB] },
    ]);
  });

  it('makes no call for empty lists (an empty target group filter would describe the whole account)', async () => {
    await port.deregisterTargets(BLUE, []);
    expect(await port.describeTargetGroups([])).toEqual([]);
    expect(await port.describeListeners({ listenerArns: [] })).toEqual([]);
    expect(await port.describeTags([])).toEqual({});
    expect(mock.calls()).toHaveLength(0);
  });

  it('reads the tags of any number of resources, 20 a call (DescribeTags’ limit)', async () => {
    const arns = Array.from({ length: 45 }, (_, i) => `${BLUE.slice(0, -4)}${String(i).padStart(4, '0')}`);
    mock.on(DescribeTagsCommand).callsFake((input: { ResourceArns: string[] }) => ({
      TagDescriptions: input.ResourceArns.map((arn) => ({
        ResourceArn: arn,
        Tags: [{ Key: 'version', Value: arn.slice(-4) }],
      })),
    }));
    const tags = await port.describeTags(arns);
    expect(mock.commandCalls(DescribeTagsCommand).map((c) => c.args[0].input.ResourceArns)).toEqual([
      arns.slice(0, 20),
      arns.slice(20, 40),
      arns.slice(40),
    ]);
    expect(tags).toEqual(Object.fromEntries(arns.map((arn) => [arn, { version: arn.slice(-4) }])));
  });
});

describe('error mapping', () => {
  it('maps a modelled ListenerNotFound exception to an AwsCallError with AWS’s code', async () => {
    mock
      .on(DescribeListenersCommand)
      .rejects(new ListenerNotFoundException({ message: 'One or more listeners not found', $metadata: {} }));
    const err = await port.describeListeners({ listenerArns: [L443] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ operation: 'DescribeListeners', code: 'ListenerNotFound' });
    expect((err as Error).message).toBe(
      'DescribeListeners failed: ListenerNotFound: One or more listeners not found',
    );
  });

  it('reports Throttling that outlasted the SDK’s retries with the number of attempts', async () => {
    const throttled = new ElasticLoadBalancingV2ServiceException({
      name: 'Throttling',
      $fault: 'client',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400, attempts: 3 },
    });
    mock.on(DescribeTargetHealthCommand).rejects(throttled);
    const err = await port.describeTargetHealth(BLUE).catch((e: unknown) => e);
    expect(err).toMatchObject({ operation: 'DescribeTargetHealth', code: 'Throttling' });
    expect((err as Error).message).toContain('Rate exceeded (after 3 attempts)');
  });

  it.each<[string, unknown, string]>([
    [
      'the wire code wins over the class name',
      Object.assign(new Error('x'), { name: 'ListenerNotFoundException', Code: 'ListenerNotFound' }),
      'ListenerNotFound',
    ],
    [
      'a network errno keeps its code',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      'ECONNREFUSED',
    ],
    [
      'a credentials failure keeps its name',
      Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }),
      'CredentialsProviderError',
    ],
    ['a thrown string is still an error', 'boom', 'Error'],
  ])('%s', (_name, err, code) => {
    expect(toAwsCallError('ModifyRule', err).code).toBe(code);
  });
});
