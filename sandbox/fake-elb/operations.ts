/**
 * The ELBv2 operations the fake supports, each taking decoded query parameters and returning the
 * `<Operation>Result` body as plain data (xml.ts encodes it). Unknown ARNs fail like AWS:
 * ListenerNotFound, RuleNotFound, TargetGroupNotFound, LoadBalancerNotFound.
 */
import { acceptActions, describedActions } from './actions.js';
import { acceptConditions } from './conditions.js';
import { FakeElbError } from './errors.js';
import { listParam, stringParam } from './query.js';
import { resourceOperations } from './resource-operations.js';
import type { FakeElbState, FakeListener, FakeRule, FakeTargetGroup } from './state.js';

type Params = Record<string, unknown>;
type Result = Record<string, unknown>;

/**
 * Rule priorities are 1–50000 (CreateRule, API reference); an ALB holds 100 rules besides the
 * default rules ("Quotas for your Application Load Balancers": rules per load balancer, adjustable).
 */
const MAX_PRIORITY = 50_000;

function page<T>(items: T[], params: Params, state: FakeElbState): { items: T[]; NextMarker?: string } {
  const size = Number(stringParam(params.PageSize) ?? state.pageSize);
  if (!Number.isInteger(size) || size < 1 || size > 400)
    throw new FakeElbError('ValidationError', 'PageSize must be from 1 to 400');
  const marker = stringParam(params.Marker);
  const start = marker === undefined ? 0 : Number(Buffer.from(marker, 'base64url').toString('utf8'));
  if (!Number.isInteger(start) || start < 0 || start > items.length)
    throw new FakeElbError('ValidationError', 'Invalid marker');
  const end = start + Math.min(size, state.pageCap ?? size);
  const out: { items: T[]; NextMarker?: string } = { items: items.slice(start, end) };
  if (end < items.length) out.NextMarker = Buffer.from(String(end)).toString('base64url');
  return out;
}

function required(params: Params, name: string): string {
  const v = stringParam(params[name]);
  if (v === undefined)
    throw new FakeElbError(
      'ValidationError',
      `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
    );
  return v;
}

function strings(value: unknown): string[] {
  return listParam(value).filter((v): v is string => typeof v === 'string');
}

function listenerView(state: FakeElbState, l: FakeListener): Result {
  const lb = state.loadBalancers.get(l.loadBalancerArn);
  return {
    ListenerArn: l.arn,
    LoadBalancerArn: l.loadBalancerArn,
    Port: l.port,
    Protocol: l.protocol,
    DefaultActions: describedActions(l.defaultActions),
    ...(l.protocol === 'HTTPS' && lb
      ? { Certificates: [{ CertificateArn: `arn:aws:acm:us-east-1:123456789012:certificate/${lb.name}` }] }
      : {}),
  };
}

function ruleView(r: FakeRule): Result {
  return {
    RuleArn: r.arn,
    Priority: String(r.priority),
    Conditions: r.conditions,
    Actions: describedActions(r.actions),
    IsDefault: false,
  };
}

function defaultRuleView(l: FakeListener): Result {
  return {
    RuleArn: l.defaultRuleArn,
    Priority: 'default',
    Conditions: [],
    Actions: describedActions(l.defaultActions),
    IsDefault: true,
  };
}

function listenerOrFail(state: FakeElbState, arn: string): FakeListener {
  const l = state.listeners.get(arn);
  if (!l) throw new FakeElbError('ListenerNotFound', `One or more listeners not found`);
  return l;
}

function targetGroupOrFail(state: FakeElbState, arn: string): FakeTargetGroup {
  const tg = state.targetGroups.get(arn);
  if (!tg) throw new FakeElbError('TargetGroupNotFound', `Target groups '${arn}' not found`);
  return tg;
}

function targetGroupView(state: FakeElbState, tg: FakeTargetGroup): Result {
  return {
    TargetGroupArn: tg.arn,
    TargetGroupName: tg.name,
    Protocol: tg.protocol,
    Port: tg.port,
    VpcId: tg.vpcId,
    HealthCheckEnabled: true,
    ...tg.healthCheck,
    LoadBalancerArns: state.loadBalancersOf(tg.arn),
    TargetType: 'instance',
    ProtocolVersion: 'HTTP1',
    IpAddressType: 'ipv4',
  };
}

const operations: Record<string, (state: FakeElbState, params: Params) => Result> = {
  DescribeLoadBalancers(state, params) {
    const arns = strings(params.LoadBalancerArns);
    const names = strings(params.Names);
    let lbs = [...state.loadBalancers.values()];
    if (arns.length > 0) {
      lbs = arns.map((arn) => {
        const lb = state.loadBalancers.get(arn);
        if (!lb) throw new FakeElbError('LoadBalancerNotFound', `Load balancers '[${arn}]' not found`);
        return lb;
      });
    } else if (names.length > 0) {
      lbs = names.map((name) => {
        const lb = lbs.find((l) => l.name === name);
        if (!lb) throw new FakeElbError('LoadBalancerNotFound', `Load balancers '[${name}]' not found`);
        return lb;
      });
    }
    const p = page(lbs, params, state);
    const LoadBalancers = p.items.map((lb) => ({
      LoadBalancerArn: lb.arn,
      DNSName: lb.dnsName,
      CanonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
      CreatedTime: new Date(lb.createdAt),
      LoadBalancerName: lb.name,
      Scheme: 'internet-facing',
      VpcId: 'vpc-0123456789abcdef0',
      State: { Code: 'active' },
      Type: 'application',
      IpAddressType: 'ipv4',
    }));
    return { LoadBalancers, NextMarker: p.NextMarker };
  },

  DescribeListeners(state, params) {
    const arns = strings(params.ListenerArns);
    const lbArn = stringParam(params.LoadBalancerArn);
    if (arns.length > 0 && lbArn)
      throw new FakeElbError(
        'ValidationError',
        'Listener ARNs and a load balancer ARN cannot be specified at the same time',
      );
    let listeners: FakeListener[];
    if (arns.length > 0) listeners = arns.map((arn) => listenerOrFail(state, arn));
    else if (lbArn) {
      if (!state.loadBalancers.has(lbArn))
        throw new FakeElbError('LoadBalancerNotFound', `Load balancer '${lbArn}' not found`);
      listeners = [...state.listeners.values()]
        .filter((l) => l.loadBalancerArn === lbArn)
        .sort((a, b) => a.port - b.port);
    } else
      throw new FakeElbError(
        'ValidationError',
        'You must specify either listener ARNs or a load balancer ARN',
      );
    const p = page(listeners, params, state);
    return { Listeners: p.items.map((l) => listenerView(state, l)), NextMarker: p.NextMarker };
  },

  DescribeRules(state, params) {
    const ruleArns = strings(params.RuleArns);
    let rules: Result[];
    if (ruleArns.length > 0) {
      rules = ruleArns.map((arn) => {
        const r = state.rules.get(arn);
        if (r) return ruleView(r);
        const l = [...state.listeners.values()].find((x) => x.defaultRuleArn === arn);
        if (l) return defaultRuleView(l);
        throw new FakeElbError('RuleNotFound', 'One or more rules not found');
      });
    } else {
      const l = listenerOrFail(state, required(params, 'ListenerArn'));
      rules = [...state.rulesOf(l.arn).map(ruleView), defaultRuleView(l)];
    }
    const p = page(rules, params, state);
    return { Rules: p.items, NextMarker: p.NextMarker };
  },

  ModifyListener(state, params) {
    const l = listenerOrFail(state, required(params, 'ListenerArn'));
    if (params.DefaultActions !== undefined) {
      const before = l.defaultActions;
      l.defaultActions = acceptActions(params.DefaultActions, state, l.loadBalancerArn, l.defaultActions);
      state.modifications.push({ at: state.now(), arn: l.arn, before, after: l.defaultActions });
      state.refreshUsage();
    }
    return { Listeners: [listenerView(state, l)] };
  },

  ModifyRule(state, params) {
    const arn = required(params, 'RuleArn');
    const r = state.rules.get(arn);
    if (!r) {
      if ([...state.listeners.values()].some((l) => l.defaultRuleArn === arn)) {
        throw new FakeElbError(
          'OperationNotPermitted',
          'Default rules cannot be modified; modify the listener instead',
        );
      }
      throw new FakeElbError('RuleNotFound', 'One or more rules not found');
    }
    const l = listenerOrFail(state, r.listenerArn);
    if (params.Actions !== undefined) {
      const before = r.actions;
      r.actions = acceptActions(params.Actions, state, l.loadBalancerArn, r.actions);
      state.modifications.push({ at: state.now(), arn: r.arn, before, after: r.actions });
      state.refreshUsage();
    }
    if (params.Conditions !== undefined) r.conditions = acceptConditions(params.Conditions);
    return { Rules: [ruleView(r)] };
  },

  CreateRule(state, params) {
    const l = listenerOrFail(state, required(params, 'ListenerArn'));
    const priority = Number(required(params, 'Priority'));
    if (!Number.isInteger(priority) || priority < 1 || priority > MAX_PRIORITY)
      throw new FakeElbError('ValidationError', `Priority must be from 1 to ${MAX_PRIORITY}`);
    if (state.rulesOf(l.arn).some((r) => r.priority === priority))
      throw new FakeElbError('PriorityInUse', `Priority '${priority}' is currently in use`);
    const onBalancer = [...state.rules.values()].filter(
      (r) => state.listeners.get(r.listenerArn)?.loadBalancerArn === l.loadBalancerArn,
    );
    if (onBalancer.length >= state.maxRulesPerLoadBalancer)
      throw new FakeElbError(
        'TooManyRules',
        "You've reached the limit on the number of rules per load balancer.",
      );
    const conditions = acceptConditions(params.Conditions);
    const actions = acceptActions(params.Actions, state, l.loadBalancerArn, []);
    const arn = state.newRuleArn(l.arn, priority);
    const rule: FakeRule = { arn, listenerArn: l.arn, priority, conditions, actions };
    state.rules.set(arn, rule);
    const tags = listParam(params.Tags) as { Key?: string; Value?: string }[];
    state.tags.set(arn, Object.fromEntries(tags.map((t) => [t.Key ?? '', t.Value ?? ''])));
    state.refreshUsage();
    return { Rules: [ruleView(rule)] };
  },

  DeleteRule(state, params) {
    const arn = required(params, 'RuleArn');
    if (!state.rules.has(arn)) {
      if ([...state.listeners.values()].some((l) => l.defaultRuleArn === arn))
        throw new FakeElbError('OperationNotPermitted', 'The default rule of a listener cannot be deleted');
      throw new FakeElbError('RuleNotFound', 'One or more rules not found');
    }
    state.rules.delete(arn);
    state.tags.delete(arn);
    state.refreshUsage();
    return {};
  },

  DescribeTargetGroups(state, params) {
    const arns = strings(params.TargetGroupArns);
    const names = strings(params.Names);
    const lbArn = stringParam(params.LoadBalancerArn);
    let groups = [...state.targetGroups.values()];
    if (arns.length > 0) groups = arns.map((arn) => targetGroupOrFail(state, arn));
    else if (names.length > 0) {
      groups = names.map((name) => {
        const tg = groups.find((g) => g.name === name);
        if (!tg) throw new FakeElbError('TargetGroupNotFound', `One or more target groups not found`);
        return tg;
      });
    } else if (lbArn) groups = groups.filter((g) => state.loadBalancersOf(g.arn).includes(lbArn));
    const p = page(groups, params, state);
    return { TargetGroups: p.items.map((g) => targetGroupView(state, g)), NextMarker: p.NextMarker };
  },

  DescribeTargetGroupAttributes(state, params) {
    const tg = targetGroupOrFail(state, required(params, 'TargetGroupArn'));
    return { Attributes: Object.entries(tg.attributes).map(([Key, Value]) => ({ Key, Value })) };
  },

  DescribeTargetHealth(state, params) {
    const tg = targetGroupOrFail(state, required(params, 'TargetGroupArn'));
    const wanted = listParam(params.Targets) as { Id?: string; Port?: string }[];
    const described = state.healthOf(tg.arn).map(({ target: t, health }) => ({
      Target: { Id: t.id, Port: t.port },
      HealthCheckPort: String(t.port),
      TargetHealth: { State: health.state, Reason: health.reason, Description: health.description },
    }));
    if (wanted.length === 0) return { TargetHealthDescriptions: described };
    return {
      TargetHealthDescriptions: wanted.map((w) => {
        const found = described.find(
          (d) => d.Target.Id === w.Id && (w.Port === undefined || String(d.Target.Port) === w.Port),
        );
        return (
          found ?? {
            Target: { Id: w.Id, Port: w.Port },
            TargetHealth: {
              State: 'unused',
              Reason: 'Target.NotRegistered',
              Description: 'Target is not registered to the target group',
            },
          }
        );
      }),
    };
  },

  DeregisterTargets(state, params) {
    const tg = targetGroupOrFail(state, required(params, 'TargetGroupArn'));
    const targets = listParam(params.Targets) as { Id?: string; Port?: string }[];
    if (targets.length === 0)
      throw new FakeElbError('ValidationError', 'At least one target must be specified');
    const matched = targets.map((w) => {
      const found = tg.targets.filter(
        (t) => t.id === w.Id && (w.Port === undefined || String(t.port) === w.Port),
      );
      if (found.length === 0) {
        throw new FakeElbError(
          'InvalidTarget',
          `The following targets are not registered in target group '${tg.arn}': '${w.Id}'`,
        );
      }
      return found;
    });
    state.startDraining(tg.arn, matched.flat()); // deregistering a draining target again changes nothing
    return {};
  },

  RegisterTargets(state, params) {
    const tg = targetGroupOrFail(state, required(params, 'TargetGroupArn'));
    const targets = listParam(params.Targets) as { Id?: string; Port?: string }[];
    if (targets.length === 0)
      throw new FakeElbError('ValidationError', 'At least one target must be specified');
    for (const t of targets) {
      const port = t.Port === undefined ? tg.port : Number(t.Port);
      if (!t.Id || !Number.isInteger(port) || port < 1 || port > 65535)
        throw new FakeElbError('ValidationError', 'A target needs an Id and a port from 1 to 65535');
      state.registerTargetNow(tg.arn, t.Id, port);
    }
    return {};
  },
};

Object.assign(operations, resourceOperations);

export const SUPPORTED_OPERATIONS: readonly string[] = Object.keys(operations);

/** Runs one operation against the state; throws FakeElbError for AWS-shaped failures. */
export function runOperation(state: FakeElbState, operation: string, params: Params): Result {
  const op = operations[operation];
  if (!op)
    throw new FakeElbError('InvalidAction', `The action ${operation} is not valid for this web service.`);
  state.sweep();
  return op(state, params);
}
