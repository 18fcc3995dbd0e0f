/**
 * ELBv2 operations that create and delete whole resources — load balancers, target groups,
 * listeners — and tag them: what `npm run smoke:aws` does to a real account, so its plan and
 * clean-up can be tested against the fake. Shapes and error codes follow the ELBv2 API reference
 * (CreateLoadBalancer: DuplicateLoadBalancerName; CreateTargetGroup: DuplicateTargetGroupName;
 * CreateListener: DuplicateListener; DeleteTargetGroup: ResourceInUse while a listener or rule
 * names the group; DeleteLoadBalancer deletes its listeners and rules and succeeds for a load
 * balancer already gone).
 */
import { acceptActions } from './actions.js';
import { FakeElbError } from './errors.js';
import { listParam, stringParam } from './query.js';
import type { FakeElbState } from './state.js';

type Params = Record<string, unknown>;
type Result = Record<string, unknown>;

function required(params: Params, name: string): string {
  const v = stringParam(params[name]);
  if (v === undefined) throw new FakeElbError('ValidationError', `${name} is required`);
  return v;
}

function tagsOf(params: Params): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of listParam(params.Tags) as { Key?: string; Value?: string }[]) {
    if (!t.Key) throw new FakeElbError('ValidationError', 'A tag needs a Key');
    out[t.Key] = t.Value ?? '';
  }
  return out;
}

function int(params: Params, name: string, min: number, max: number): number | undefined {
  const raw = stringParam(params[name]);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new FakeElbError('ValidationError', `${name} must be an integer from ${min} to ${max}`);
  return n;
}

function loadBalancerView(state: FakeElbState, arn: string): Result {
  const lb = state.loadBalancers.get(arn);
  if (!lb) throw new FakeElbError('LoadBalancerNotFound', `Load balancer '${arn}' not found`);
  return {
    LoadBalancerArn: lb.arn,
    DNSName: lb.dnsName,
    LoadBalancerName: lb.name,
    Scheme: 'internet-facing',
    State: { Code: 'active' },
    Type: 'application',
    VpcId: 'vpc-0123456789abcdef0',
  };
}

export const resourceOperations: Record<string, (state: FakeElbState, params: Params) => Result> = {
  CreateLoadBalancer(state, params) {
    const name = required(params, 'Name');
    if (!/^[A-Za-z0-9-]{1,32}$/.test(name) || name.startsWith('-') || name.startsWith('internal-'))
      throw new FakeElbError('ValidationError', `Load balancer name '${name}' is not valid`);
    if ([...state.loadBalancers.values()].some((lb) => lb.name === name))
      throw new FakeElbError(
        'DuplicateLoadBalancerName',
        'A load balancer with the same name already exists',
      );
    const subnets = [...listParam(params.Subnets), ...listParam(params.SubnetMappings)];
    if (subnets.length < 2)
      throw new FakeElbError(
        'ValidationError',
        'At least two subnets in two different Availability Zones must be specified',
      );
    const arn = state.addLoadBalancer(name);
    state.tags.set(arn, tagsOf(params));
    return { LoadBalancers: [loadBalancerView(state, arn)] };
  },

  DeleteLoadBalancer(state, params) {
    state.removeLoadBalancer(required(params, 'LoadBalancerArn'));
    return {};
  },

  CreateTargetGroup(state, params) {
    const name = required(params, 'Name');
    if ([...state.targetGroups.values()].some((tg) => tg.name === name))
      throw new FakeElbError('DuplicateTargetGroupName', 'A target group with the same name exists');
    const healthCheck = {
      ...(int(params, 'HealthCheckIntervalSeconds', 5, 300) !== undefined
        ? { HealthCheckIntervalSeconds: int(params, 'HealthCheckIntervalSeconds', 5, 300) as number }
        : {}),
      ...(int(params, 'HealthCheckTimeoutSeconds', 2, 120) !== undefined
        ? { HealthCheckTimeoutSeconds: int(params, 'HealthCheckTimeoutSeconds', 2, 120) as number }
        : {}),
      ...(int(params, 'HealthyThresholdCount', 2, 10) !== undefined
        ? { HealthyThresholdCount: int(params, 'HealthyThresholdCount', 2, 10) as number }
        : {}),
      ...(int(params, 'UnhealthyThresholdCount', 2, 10) !== undefined
        ? { UnhealthyThresholdCount: int(params, 'UnhealthyThresholdCount', 2, 10) as number }
        : {}),
      ...(stringParam(params.HealthCheckPath)
        ? { HealthCheckPath: stringParam(params.HealthCheckPath) as string }
        : {}),
    };
    const arn = state.addTargetGroup(name, {
      port: int(params, 'Port', 1, 65_535) ?? 80,
      protocol: stringParam(params.Protocol) ?? 'HTTP',
      healthCheck,
      tags: tagsOf(params),
    });
    return {
      TargetGroups: [
        {
          TargetGroupArn: arn,
          TargetGroupName: name,
          ...state.targetGroup(arn).healthCheck,
          LoadBalancerArns: [],
        },
      ],
    };
  },

  DeleteTargetGroup(state, params) {
    const arn = required(params, 'TargetGroupArn');
    if (!state.targetGroups.has(arn)) return {};
    if (state.loadBalancersOf(arn).length > 0)
      throw new FakeElbError(
        'ResourceInUse',
        `Target group '${arn}' is currently in use by a listener or a rule`,
      );
    state.targetGroups.delete(arn);
    state.tags.delete(arn);
    return {};
  },

  ModifyTargetGroupAttributes(state, params) {
    const arn = required(params, 'TargetGroupArn');
    const attributes: Record<string, string> = {};
    for (const a of listParam(params.Attributes) as { Key?: string; Value?: string }[]) {
      if (a.Key) attributes[a.Key] = a.Value ?? '';
    }
    state.setTargetGroupAttributes(arn, attributes);
    const tg = state.targetGroup(arn);
    return { Attributes: Object.entries(tg.attributes).map(([Key, Value]) => ({ Key, Value })) };
  },

  CreateListener(state, params) {
    const lbArn = required(params, 'LoadBalancerArn');
    if (!state.loadBalancers.has(lbArn))
      throw new FakeElbError('LoadBalancerNotFound', `Load balancer '${lbArn}' not found`);
    const port = int(params, 'Port', 1, 65_535);
    if (port === undefined) throw new FakeElbError('ValidationError', 'Port is required');
    if ([...state.listeners.values()].some((l) => l.loadBalancerArn === lbArn && l.port === port))
      throw new FakeElbError('DuplicateListener', 'A listener with the specified port already exists');
    const actions = acceptActions(params.DefaultActions, state, lbArn, []);
    const arn = state.addListener({
      loadBalancerArn: lbArn,
      port,
      defaultActions: actions,
      protocol: stringParam(params.Protocol) ?? 'HTTP',
      at: state.now(),
    });
    state.tags.set(arn, tagsOf(params));
    const l = state.listener(arn);
    return {
      Listeners: [
        {
          ListenerArn: arn,
          LoadBalancerArn: lbArn,
          Port: l.port,
          Protocol: l.protocol,
          DefaultActions: actions,
        },
      ],
    };
  },

  DeleteListener(state, params) {
    state.removeListener(required(params, 'ListenerArn'));
    return {};
  },

  AddTags(state, params) {
    const arns = listParam(params.ResourceArns).map(String);
    const tags = tagsOf(params);
    for (const arn of arns) {
      if (!state.hasResource(arn))
        throw new FakeElbError('LoadBalancerNotFound', `Resource '${arn}' not found`);
      state.tags.set(arn, { ...state.tags.get(arn), ...tags });
    }
    return {};
  },

  DescribeTags(state, params) {
    const arns = listParam(params.ResourceArns).map(String);
    if (arns.length === 0 || arns.length > 20)
      throw new FakeElbError('ValidationError', 'ResourceArns must name 1 to 20 resources');
    return {
      TagDescriptions: arns.map((arn) => {
        // The error names the kind of resource missing (API reference, DescribeTags: Errors).
        if (!state.hasResource(arn)) throw new FakeElbError(notFoundCode(arn), `Resource '${arn}' not found`);
        return {
          ResourceArn: arn,
          Tags: Object.entries(state.tags.get(arn) ?? {}).map(([Key, Value]) => ({ Key, Value })),
        };
      }),
    };
  },
};

/** The "not found" error DescribeTags answers for a resource of this ARN's kind. */
function notFoundCode(arn: string): string {
  if (arn.includes(':targetgroup/')) return 'TargetGroupNotFound';
  if (arn.includes(':listener-rule/')) return 'RuleNotFound';
  if (arn.includes(':listener/')) return 'ListenerNotFound';
  return 'LoadBalancerNotFound';
}
