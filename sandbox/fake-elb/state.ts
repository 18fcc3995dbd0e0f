/**
 * The fake ELBv2's world: load balancers, listeners, rules, target groups and targets, as plain
 * data. Tests and the sandbox build it with the helper methods and inspect it afterwards
 * (`calls`, `weightsOf`); the HTTP server (server.ts) serves it over the awsQuery protocol.
 *
 * The builder helpers (`addListener`, `addRule`, `registerTarget`, `setTargetHealth`) describe the
 * world as it was *before* the test or the sandbox started: a group they make a forward name has
 * been named, and a target they register has been checked, for long. Changes made while the world
 * runs — the API operations (ModifyListener, CreateRule, RegisterTargets, …) and
 * `setTargetResponse` — take the time AWS takes (health.ts): `initial` after a group is named
 * again, thresholds of checks before a target changes state, `draining` for the group's
 * deregistration delay. The clock and `timeScale` are injectable.
 */
import { createHash } from 'node:crypto';
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import { FailureInjection } from '../failure-injection.js';
import type { ApiThrottle } from './api-limits.js';
import { FakeElbError } from './errors.js';
import {
  defaultHealthCheck,
  type HealthCheckSettings,
  type ObservedHealth,
  observeHealth,
  type TargetResponse,
} from './health.js';
import type {
  FakeCall,
  FakeListener,
  FakeLoadBalancer,
  FakeRule,
  FakeTarget,
  FakeTargetGroup,
} from './types.js';

export type { HealthCheckSettings, ObservedHealth, TargetResponse } from './health.js';
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
/**
 * Where a resource is made: the demo's account and Region unless told. The world is one: every
 * resource answers whichever Region a request is signed for; tests that put services in other
 * Regions or accounts assert on the credential scope each call was signed with (`calls`).
 */
export interface FakePlace {
  region?: string;
  account?: string;
}

function prefixOf(place: FakePlace = {}): string {
  return `arn:aws:elasticloadbalancing:${place.region ?? REGION}:${place.account ?? ACCOUNT}`;
}

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
export function forward(...groups: [string, number][]): ForwardAction {
  return {
    Type: 'forward',
    ForwardConfig: { TargetGroups: groups.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })) },
  };
}

/** A forward action with every field set: assignable to the SDK's `Action` and to any narrower shape. */
// A type alias, not an interface: aliases are assignable to types with an index signature.
export type ForwardAction = {
  Type: 'forward';
  ForwardConfig: {
    TargetGroups: { TargetGroupArn: string; Weight: number }[];
    TargetGroupStickinessConfig?: { Enabled: boolean; DurationSeconds?: number };
  };
};

/** "Since before the world started": a time earlier than any the clock gives. */
const LONG_AGO = Number.NEGATIVE_INFINITY;

/** `deregistration_delay.timeout_seconds` of a group (AWS's default 300 when unset or invalid). */
function deregistrationDelayMs(tg: FakeTargetGroup): number {
  const n = Number(tg.attributes['deregistration_delay.timeout_seconds']);
  return (Number.isFinite(n) && n >= 0 ? n : 300) * 1000;
}

/** A target's health as a builder helper gives it: 'healthy', 'unhealthy' or how it answers. */
export type SetupHealth = 'healthy' | 'unhealthy' | TargetResponse;

function responseOf(health: SetupHealth, reason?: string): TargetResponse {
  if (health === 'healthy') return 'ok';
  if (health !== 'unhealthy') return health;
  if (reason === 'Target.Timeout') return 'timeout';
  if (reason === 'Target.FailedHealthChecks') return 'refused';
  return 'error';
}

export class FakeElbState extends FailureInjection {
  readonly loadBalancers = new Map<string, FakeLoadBalancer>();
  readonly listeners = new Map<string, FakeListener>();
  readonly rules = new Map<string, FakeRule>();
  readonly targetGroups = new Map<string, FakeTargetGroup>();
  /** Tags by resource ARN (load balancers, target groups, listeners, rules). */
  readonly tags = new Map<string, Record<string, string>>();
  /** Every request that named a supported operation, in order (failed ones included). */
  readonly calls: FakeCall[] = [];
  /**
   * Multiplies every AWS duration (health-check intervals, deregistration delays): 1 is AWS's own
   * timing; tests and the sandbox use less.
   */
  timeScale: number;
  /**
   * How long a deregistered target still reads as before (`healthy`) before it reads `draining`:
   * AWS applies a deregistration a moment after DeregisterTargets returns. Default 0.
   */
  deregisterLagMs: number;
  /** Page size of the describe calls when the request names none (AWS's own default is larger). */
  pageSize = 100;
  /**
   * At most this many results per page, whatever `PageSize` asks (null: as asked). `PageSize` is a
   * maximum (ELBv2 API Reference): AWS may return fewer with a `NextMarker`; tests set a small cap
   * so that every describe is paged.
   */
  pageCap: number | null = null;
  /**
   * Rules per load balancer besides the default rules: AWS's default quota is 100, adjustable on
   * request ("Quotas for your Application Load Balancers"); a run with many services sets the
   * quota its account would have raised to.
   */
  maxRulesPerLoadBalancer = 100;
  /**
   * AWS's API request throttling (api-limits.ts), when a run asks for it: null (the default)
   * admits every request.
   */
  throttle: ApiThrottle | null = null;
  /**
   * Latency of every request served over HTTP, drawn uniformly from [min, max] ms (AWS-like calls
   * take 100–300 ms); null (the default) answers at once.
   */
  latencyMs: readonly [number, number] | null = null;
  /** Every Modify that applied, with the actions before and after (for invariant checks). */
  readonly modifications: { at: number; arn: string; before: Action[]; after: Action[] }[] = [];
  now: () => number;
  private seq = 0;

  constructor(opts: { now?: () => number; timeScale?: number; deregisterLagMs?: number } = {}) {
    super();
    this.now = opts.now ?? (() => Date.now());
    this.timeScale = opts.timeScale ?? 1;
    this.deregisterLagMs = opts.deregisterLagMs ?? 0;
  }

  /** Deterministic 16-hex ids, so the demo's ARNs are the same on every start. */
  private id(seed: string): string {
    this.seq += 1;
    return createHash('sha256').update(`${seed}#${this.seq}`).digest('hex').slice(0, 16);
  }

  addLoadBalancer(name: string, place?: FakePlace): string {
    const id = this.id(`lb/${name}`);
    const arn = `${prefixOf(place)}:loadbalancer/app/${name}/${id}`;
    this.loadBalancers.set(arn, {
      arn,
      name,
      dnsName: `${name}-${Number.parseInt(id.slice(0, 8), 16)}.${place?.region ?? REGION}.elb.amazonaws.com`,
      createdAt: this.now(),
    });
    return arn;
  }

  addTargetGroup(
    name: string,
    opts: {
      port?: number;
      protocol?: string;
      attributes?: Record<string, string>;
      healthCheck?: Partial<HealthCheckSettings>;
      tags?: Record<string, string>;
      place?: FakePlace;
    } = {},
  ): string {
    const arn = `${prefixOf(opts.place)}:targetgroup/${name}/${this.id(`tg/${name}`)}`;
    const protocol = opts.protocol ?? 'HTTP';
    this.targetGroups.set(arn, {
      arn,
      name,
      protocol,
      port: opts.port ?? 80,
      vpcId: 'vpc-0123456789abcdef0',
      attributes: { ...DEFAULT_TARGET_GROUP_ATTRIBUTES, ...opts.attributes },
      healthCheck: { ...defaultHealthCheck(protocol), ...opts.healthCheck },
      targets: [],
    });
    this.tags.set(arn, { ...opts.tags });
    return arn;
  }

  setTargetGroupAttributes(tgArn: string, attributes: Record<string, string>): void {
    Object.assign(this.targetGroup(tgArn).attributes, attributes);
  }

  /** Builder helper (and CreateListener, which gives `at`: the time its forwards start naming groups). */
  addListener(spec: {
    loadBalancerArn: string;
    port: number;
    defaultActions: Action[];
    protocol?: string;
    at?: number;
  }): string {
    const lb = this.loadBalancers.get(spec.loadBalancerArn);
    if (!lb) throw new Error(`no load balancer ${spec.loadBalancerArn}`);
    const [lbPrefix, tail] = lb.arn.split(':loadbalancer/');
    const arn = `${lbPrefix}:listener/${tail}/${this.id(`listener/${lb.name}/${spec.port}`)}`;
    this.listeners.set(arn, {
      arn,
      loadBalancerArn: lb.arn,
      port: spec.port,
      protocol: spec.protocol ?? (spec.port === 443 || spec.port === 8443 ? 'HTTPS' : 'HTTP'),
      defaultActions: structuredClone(spec.defaultActions),
      defaultRuleArn: `${this.ruleArnPrefix(arn)}/${this.id(`rule/${arn}/default`)}`,
    });
    this.refreshUsage(spec.at ?? LONG_AGO);
    return arn;
  }

  /** DeleteListener: the listener and its rules go; groups only they named are no longer in use. */
  removeListener(arn: string): void {
    if (!this.listeners.delete(arn))
      throw new FakeElbError('ListenerNotFound', 'One or more listeners not found');
    for (const r of [...this.rules.values()]) if (r.listenerArn === arn) this.rules.delete(r.arn);
    this.tags.delete(arn);
    this.refreshUsage();
  }

  /** DeleteLoadBalancer: with its listeners and rules; a load balancer already gone is no error. */
  removeLoadBalancer(arn: string): void {
    if (!this.loadBalancers.has(arn)) return;
    for (const l of [...this.listeners.values()]) if (l.loadBalancerArn === arn) this.removeListener(l.arn);
    this.loadBalancers.delete(arn);
    this.tags.delete(arn);
  }

  hasResource(arn: string): boolean {
    return (
      this.loadBalancers.has(arn) ||
      this.targetGroups.has(arn) ||
      this.listeners.has(arn) ||
      this.rules.has(arn)
    );
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
    this.refreshUsage(LONG_AGO);
    return arn;
  }

  /** A new rule ARN for a listener (CreateRule). */
  newRuleArn(listenerArn: string, priority: number): string {
    return `${this.ruleArnPrefix(listenerArn)}/${this.id(`rule/${listenerArn}/${priority}/${this.now()}`)}`;
  }

  /**
   * Builder helper: a target registered before the world started, answering as `health` says
   * (so in a group some forward names it reads that state at once).
   */
  registerTarget(tgArn: string, id: string, port: number, health: SetupHealth = 'healthy'): void {
    this.addTarget(tgArn, id, port, responseOf(health), LONG_AGO);
  }

  /** RegisterTargets: a target registered now (it reads `initial` until its checks pass). */
  registerTargetNow(tgArn: string, id: string, port: number, response: TargetResponse = 'ok'): void {
    this.addTarget(tgArn, id, port, response, this.now());
  }

  private addTarget(tgArn: string, id: string, port: number, response: TargetResponse, at: number): void {
    const tg = this.targetGroup(tgArn);
    const existing = tg.targets.find((t) => t.id === id && t.port === port);
    // Registering a registered target again changes nothing; a draining one is registered anew.
    if (existing && existing.drainingFrom === undefined) return;
    tg.targets = tg.targets.filter((t) => t !== existing);
    tg.targets.push({ id, port, registeredAt: at, response, responseSince: at });
  }

  /**
   * Builder helper: the target has answered this way since before the world started ('unhealthy'
   * with reason `Target.Timeout` → times out, `Target.FailedHealthChecks` → refuses, else 5xx).
   */
  setTargetHealth(tgArn: string, id: string, health: SetupHealth, reason?: string): void {
    for (const t of this.targetsById(tgArn, id)) {
      t.response = responseOf(health, reason);
      t.responseSince = LONG_AGO;
      delete t.stateBefore;
    }
  }

  /**
   * From now on the target answers requests and health checks this way; its reported state follows
   * after the group's threshold of checks (health.ts).
   */
  setTargetResponse(tgArn: string, id: string, response: TargetResponse): void {
    const tg = this.targetGroup(tgArn);
    for (const t of this.targetsById(tgArn, id)) {
      if (t.response === response) continue;
      t.stateBefore = this.observe(tg, t);
      t.response = response;
      t.responseSince = this.now();
    }
  }

  private targetsById(tgArn: string, id: string): FakeTarget[] {
    const targets = this.targetGroup(tgArn).targets.filter((t) => t.id === id);
    if (targets.length === 0) throw new Error(`no target ${id} in ${tgArn}`);
    return targets;
  }

  /** The health DescribeTargetHealth reports for the target now. */
  observe(tg: FakeTargetGroup, t: FakeTarget): ObservedHealth {
    return observeHealth(t, tg.healthCheck, tg.inUseSince, this.now(), this.timeScale);
  }

  /** The registered targets of a group with their health now (targets whose draining is over are gone). */
  healthOf(tgArn: string): { target: FakeTarget; health: ObservedHealth }[] {
    const tg = this.targetGroup(tgArn);
    return this.targetsOf(tgArn).map((target) => ({ target, health: this.observe(tg, target) }));
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
    if (queued && opts.afterApply) queued.afterApply = true;
  }

  /**
   * DeregisterTargets on these targets of the group: each reads `draining` (after
   * `deregisterLagMs`) for the group's deregistration delay, then it is gone. Targets already
   * deregistered are left as they are.
   */
  startDraining(tgArn: string, targets: FakeTarget[]): void {
    const tg = this.targetGroup(tgArn);
    const now = this.now();
    for (const t of targets) {
      if (t.deregisteredAt !== undefined) continue;
      t.deregisteredAt = now;
      t.drainingFrom = now + this.deregisterLagMs;
      t.drainingUntil = t.drainingFrom + deregistrationDelayMs(tg) * this.timeScale;
    }
  }

  /**
   * Brings the world up to the clock: notices forwards changed by direct edits of the data (tests
   * do that; a group they name anew is in use from now) and removes targets whose draining is over.
   */
  sweep(): void {
    this.refreshUsage();
    const now = this.now();
    for (const tg of this.targetGroups.values()) {
      tg.targets = tg.targets.filter((t) => t.drainingUntil === undefined || t.drainingUntil > now);
    }
  }

  /**
   * Recomputes which groups some forward names (after any change of actions, rules or
   * listeners): a group named again is in use from `at` (its targets read `initial` until checked),
   * a group no longer named is not in use (its targets read `unused`).
   */
  refreshUsage(at: number = this.now()): void {
    const named = new Set<string>();
    const collect = (actions: Action[]) => {
      for (const a of actions) {
        if (a.Type !== 'forward') continue;
        if (a.TargetGroupArn) named.add(a.TargetGroupArn);
        for (const t of a.ForwardConfig?.TargetGroups ?? [])
          if (t.TargetGroupArn) named.add(t.TargetGroupArn);
      }
    };
    for (const l of this.listeners.values()) collect(l.defaultActions);
    for (const r of this.rules.values()) collect(r.actions);
    for (const tg of this.targetGroups.values()) {
      if (!named.has(tg.arn)) delete tg.inUseSince;
      else if (tg.inUseSince === undefined) tg.inUseSince = at;
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
        if (!t.TargetGroupArn) continue;
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
