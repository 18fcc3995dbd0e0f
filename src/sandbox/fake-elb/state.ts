/**
 * The fake ELBv2's world: load balancers, listeners, rules, target groups and targets, as plain
 * data. Tests and the sandbox build it with the helper methods and inspect it afterwards
 * (`calls`, `weightsOf`); the HTTP server (server.ts) serves it over the awsQuery protocol.
 * The clock is injectable so draining can be driven without waiting.
 */
import { createHash } from 'node:crypto';
import type { Action, TargetHealthState } from '../../aws/elb-port.js';
import { FailureInjection } from '../failure-injection.js';
import type {
  FakeCall,
  FakeListener,
  FakeLoadBalancer,
  FakeRule,
  FakeTarget,
  FakeTargetGroup,
} from './types.js';

export type {
  FakeCall,
  FakeListener,
  FakeLoadBalancer,
  FakeRule,
  FakeTarget,
  FakeTargetGroup,
  InjectedFailure,
} from './types.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
const PREFIX = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}`;

export const DEFAULT_TARGET_GROUP_ATTRIBUTES: Readonly<Record<string, string>> = {
  'deregistration_delay.timeout_seconds': '300',
  'stickiness.enabled': 'false',
  'stickiness.type': 'lb_cookie',
  'stickiness.lb_cookie.duration_seconds': '86400',
  'stickiness.app_cookie.cookie_name': '',
  'stickiness.app_cookie.duration_seconds': '86400',
  'load_balancing.algorithm.type': 'round_robin',
  'slow_start.duration_seconds': '0',
};

/** A forward action: `forward([tgArn, 1], [otherArn, 0])`. */
export function forward(...groups: [string, number][]): Action {
  return {
    Type: 'forward',
    ForwardConfig: { TargetGroups: groups.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })) },
  };
}

function markDraining(t: FakeTarget): void {
  t.state = 'draining';
  t.reason = 'Target.DeregistrationInProgress';
  t.description = 'Target deregistration is in progress';
  delete t.drainingFrom;
}

export class FakeElbState extends FailureInjection {
  readonly loadBalancers = new Map<string, FakeLoadBalancer>();
  readonly listeners = new Map<string, FakeListener>();
  readonly rules = new Map<string, FakeRule>();
  readonly targetGroups = new Map<string, FakeTargetGroup>();
  /** Every request that named a supported operation, in order (failed ones included). */
  readonly calls: FakeCall[] = [];
  /** How long a deregistered target shows `draining` before it disappears. */
  drainMs: number;
  /**
   * How long a deregistered target still reads as before (`healthy`) before it reads `draining`:
   * AWS applies a deregistration a moment after DeregisterTargets returns. Default 0.
   */
  deregisterLagMs: number;
  /** Page size of the describe calls when the request names none (AWS's own default is larger). */
  pageSize = 100;
  now: () => number;
  private seq = 0;

  constructor(opts: { now?: () => number; drainMs?: number; deregisterLagMs?: number } = {}) {
    super();
    this.now = opts.now ?? (() => Date.now());
    this.drainMs = opts.drainMs ?? 300;
    this.deregisterLagMs = opts.deregisterLagMs ?? 0;
  }

  /** Deterministic 16-hex ids, so the demo's ARNs are the same on every start. */
  private id(seed: string): string {
    this.seq += 1;
    return createHash('sha256').update(`${seed}#${this.seq}`).digest('hex').slice(0, 16);
  }

  addLoadBalancer(name: string): string {
    const id = this.id(`lb/${name}`);
    const arn = `${PREFIX}:loadbalancer/app/${name}/${id}`;
    this.loadBalancers.set(arn, {
      arn,
      name,
      dnsName: `${name}-${Number.parseInt(id.slice(0, 8), 16)}.${REGION}.elb.amazonaws.com`,
      createdAt: this.now(),
    });
    return arn;
  }

  addTargetGroup(
    name: string,
    opts: { port?: number; protocol?: string; attributes?: Record<string, string> } = {},
  ): string {
    const arn = `${PREFIX}:targetgroup/${name}/${this.id(`tg/${name}`)}`;
    this.targetGroups.set(arn, {
      arn,
      name,
      protocol: opts.protocol ?? 'HTTP',
      port: opts.port ?? 80,
      vpcId: 'vpc-0123456789abcdef0',
      attributes: { ...DEFAULT_TARGET_GROUP_ATTRIBUTES, ...opts.attributes },
      targets: [],
    });
    return arn;
  }

  setTargetGroupAttributes(tgArn: string, attributes: Record<string, string>): void {
    Object.assign(this.targetGroup(tgArn).attributes, attributes);
  }

  addListener(spec: {
    loadBalancerArn: string;
    port: number;
    defaultActions: Action[];
    protocol?: string;
  }): string {
    const lb = this.loadBalancers.get(spec.loadBalancerArn);
    if (!lb) throw new Error(`no load balancer ${spec.loadBalancerArn}`);
    const tail = lb.arn.split(':loadbalancer/')[1];
    const arn = `${PREFIX}:listener/${tail}/${this.id(`listener/${lb.name}/${spec.port}`)}`;
    this.listeners.set(arn, {
      arn,
      loadBalancerArn: lb.arn,
      port: spec.port,
      protocol: spec.protocol ?? (spec.port === 443 || spec.port === 8443 ? 'HTTPS' : 'HTTP'),
      defaultActions: structuredClone(spec.defaultActions),
      defaultRuleArn: `${this.ruleArnPrefix(arn)}/${this.id(`rule/${arn}/default`)}`,
    });
    return arn;
  }

  addRule(spec: {
    listenerArn: string;
    priority: number;
    actions: Action[];
    conditions?: Record<string, unknown>[];
  }): string {
    this.listener(spec.listenerArn);
    if (!Number.isInteger(spec.priority) || spec.priority < 1 || spec.priority > 50_000) {
      throw new Error(`rule priority ${spec.priority} is not from 1 to 50000`);
    }
    if (this.rulesOf(spec.listenerArn).some((r) => r.priority === spec.priority)) {
      throw new Error(`priority ${spec.priority} is already used on ${spec.listenerArn}`);
    }
    const arn = `${this.ruleArnPrefix(spec.listenerArn)}/${this.id(`rule/${spec.listenerArn}/${spec.priority}`)}`;
    this.rules.set(arn, {
      arn,
      listenerArn: spec.listenerArn,
      priority: spec.priority,
      conditions: spec.conditions ?? [{ Field: 'path-pattern', Values: ['/*'] }],
      actions: structuredClone(spec.actions),
    });
    return arn;
  }

  registerTarget(tgArn: string, id: string, port: number, state: TargetHealthState = 'healthy'): void {
    const tg = this.targetGroup(tgArn);
    tg.targets = tg.targets.filter((t) => !(t.id === id && t.port === port));
    tg.targets.push({ id, port, state });
  }

  setTargetHealth(tgArn: string, id: string, state: TargetHealthState, reason?: string): void {
    const targets = this.targetGroup(tgArn).targets.filter((t) => t.id === id);
    if (targets.length === 0) throw new Error(`no target ${id} in ${tgArn}`);
    for (const t of targets) {
      t.state = state;
      if (reason === undefined) delete t.reason;
      else t.reason = reason;
      delete t.description;
      delete t.drainingUntil;
      delete t.drainingFrom;
    }
  }

  /**
   * The next call of `operation` fails with this AWS error code (queue several for several calls).
   * With `afterApply` the call takes effect first and then fails, like a timeout after AWS made
   * the change.
   */
  override failNext(
    operation: string,
    code: string,
    message?: string,
    opts: { afterApply?: boolean } = {},
  ): void {
    super.failNext(operation, code, message);
    const queued = this.failures.at(-1);
    if (opts.afterApply && queued) queued.afterApply = true;
  }

  /**
   * DeregisterTargets on these targets: each reads `draining` (after `deregisterLagMs`) for
   * `drainMs`, then disappears. Targets already deregistered are left as they are.
   */
  startDraining(targets: FakeTarget[]): void {
    const now = this.now();
    for (const t of targets) {
      if (t.state === 'draining' || t.drainingFrom !== undefined) continue;
      t.drainingUntil = now + this.deregisterLagMs + this.drainMs;
      if (this.deregisterLagMs > 0) t.drainingFrom = now + this.deregisterLagMs;
      else markDraining(t);
    }
  }

  /** Moves lagging deregistrations to `draining` and removes targets whose draining is over. */
  sweep(): void {
    const now = this.now();
    for (const tg of this.targetGroups.values()) {
      for (const t of tg.targets) if (t.drainingFrom !== undefined && t.drainingFrom <= now) markDraining(t);
      tg.targets = tg.targets.filter((t) => t.drainingUntil === undefined || t.drainingUntil > now);
    }
  }

  /** Weights by target group ARN of a listener's default forward, or of a rule's forward. */
  weightsOf(listenerOrRuleArn: string): Record<string, number> {
    const actions =
      this.listeners.get(listenerOrRuleArn)?.defaultActions ?? this.rules.get(listenerOrRuleArn)?.actions;
    if (!actions) throw new Error(`no listener or rule ${listenerOrRuleArn}`);
    const out: Record<string, number> = {};
    for (const a of actions) {
      if (a.Type !== 'forward') continue;
      const tuples =
        a.ForwardConfig?.TargetGroups ?? (a.TargetGroupArn ? [{ TargetGroupArn: a.TargetGroupArn }] : []);
      for (const t of tuples) {
        out[t.TargetGroupArn] = (out[t.TargetGroupArn] ?? 0) + (t.Weight ?? 1);
      }
    }
    return out;
  }

  /** Load balancers whose listeners or rules forward to the group (as AWS computes LoadBalancerArns). */
  loadBalancersOf(tgArn: string): string[] {
    const out = new Set<string>();
    const uses = (actions: Action[]) =>
      actions.some(
        (a) =>
          a.Type === 'forward' &&
          (a.TargetGroupArn === tgArn ||
            (a.ForwardConfig?.TargetGroups ?? []).some((t) => t.TargetGroupArn === tgArn)),
      );
    for (const l of this.listeners.values()) if (uses(l.defaultActions)) out.add(l.loadBalancerArn);
    for (const r of this.rules.values()) {
      const l = this.listeners.get(r.listenerArn);
      if (l && uses(r.actions)) out.add(l.loadBalancerArn);
    }
    return [...out];
  }

  /** The registered targets of a group now (targets whose draining is over are gone). */
  targetsOf(tgArn: string): FakeTarget[] {
    this.sweep();
    return this.targetGroup(tgArn).targets;
  }

  rulesOf(listenerArn: string): FakeRule[] {
    return [...this.rules.values()]
      .filter((r) => r.listenerArn === listenerArn)
      .sort((a, b) => a.priority - b.priority);
  }

  listener(arn: string): FakeListener {
    const l = this.listeners.get(arn);
    if (!l) throw new Error(`no listener ${arn}`);
    return l;
  }

  targetGroup(arn: string): FakeTargetGroup {
    const tg = this.targetGroups.get(arn);
    if (!tg) throw new Error(`no target group ${arn}`);
    return tg;
  }

  private ruleArnPrefix(listenerArn: string): string {
    return listenerArn.replace(':listener/', ':listener-rule/');
  }
}
