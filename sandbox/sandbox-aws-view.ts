/**
 * The sandbox page's side panel, as data: every listener default action and rule of the demo
 * load balancer with its weights, the targets of every target group with their health, and the
 * traffic per target group (the synthetic requests the traffic model recorded per period, as
 * CloudWatch would show them). Read-only; the control API changes target health.
 */
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { GreenlightConfig } from '../src/domain/service.js';
import { headerConditions } from './fake-elb/conditions.js';
import type { FakeElbState } from './fake-elb/state.js';
import type { TrafficModel } from './traffic-model.js';

export interface ForwardWeight {
  targetGroupArn: string;
  name: string;
  weight: number;
  /** Share of this forward's requests, 0–100. */
  percent: number;
}

export interface ForwardView {
  listenerArn: string;
  port: number;
  protocol: string;
  /** `default` or the rule priority. */
  rule: string;
  ruleArn?: string;
  /** `host api.shop.example.com, path /search*` */
  conditions: string;
  /** `forward`, or what the action does instead (`redirect to HTTPS:443`). */
  action: string;
  /** A rule only test requests match (an http-header condition, e.g. a slot's preview rule). */
  testOnly?: boolean;
  weights: ForwardWeight[];
}

export interface TargetGroupView {
  arn: string;
  name: string;
  service?: string;
  slot?: string;
  /** Slots the config says are live for their service (weight > 0 in some forward). */
  receivesTraffic: boolean;
  /** `answers`: how the target answers its health checks now (its state follows after the checks). */
  targets: { id: string; port: number; state: string; reason?: string; answers: 'ok' | 'failing' }[];
  /** Requests per second it gets now from the weights (the traffic model's rate). */
  requestsPerSecond: number;
  /** Completed periods, oldest first (no point = no requests, as in CloudWatch). */
  periods: { at: number; requests: number; errors5xx: number }[];
}

export interface AwsView {
  loadBalancer: { arn: string; name: string; dnsName: string } | null;
  forwards: ForwardView[];
  targetGroups: TargetGroupView[];
  traffic: { periodMs: number; requestsPerSecond: number } | null;
  now: number;
}

function conditionText(conditions: Record<string, unknown>[]): string {
  const parts: string[] = [];
  for (const c of conditions) {
    const field = String(c.Field ?? '');
    const config = Object.entries(c).find(([k]) => k.endsWith('Config'))?.[1] as
      | { Values?: unknown[] }
      | undefined;
    const values = (config?.Values ?? (c.Values as unknown[] | undefined) ?? []).map(String);
    const header = (config as { HttpHeaderName?: unknown } | undefined)?.HttpHeaderName;
    const label =
      field === 'host-header'
        ? 'host'
        : field === 'path-pattern'
          ? 'path'
          : field === 'http-header' && header !== undefined
            ? `header ${String(header)}:`
            : field;
    parts.push(`${label} ${values.join(' | ')}`);
  }
  return parts.join(', ');
}

function actionText(actions: Action[]): string {
  const a = actions.find((x) => x.Type === 'forward') ?? actions[0];
  if (!a) return 'no action';
  if (a.Type === 'forward') return 'forward';
  if (a.Type === 'redirect') {
    const r = (a.RedirectConfig ?? {}) as Record<string, unknown>;
    return `redirect to ${String(r.Protocol ?? '#{protocol}')}:${String(r.Port ?? '#{port}')}`;
  }
  if (a.Type === 'fixed-response') {
    const r = (a.FixedResponseConfig ?? {}) as Record<string, unknown>;
    return `fixed response ${String(r.StatusCode ?? '')}`.trim();
  }
  return a.Type ?? 'unknown';
}

function weightsOf(state: FakeElbState, arn: string): ForwardWeight[] {
  const weights = state.weightsOf(arn);
  const total = Object.values(weights).reduce((s, w) => s + w, 0);
  return Object.entries(weights).map(([tg, weight]) => ({
    targetGroupArn: tg,
    name: state.targetGroups.get(tg)?.name ?? tg.split('/')[1] ?? tg,
    weight,
    percent: total > 0 ? Math.round((weight * 1000) / total) / 10 : 0,
  }));
}

export function forwardsOf(state: FakeElbState, loadBalancerArn?: string): ForwardView[] {
  const out: ForwardView[] = [];
  const listeners = [...state.listeners.values()]
    .filter((l) => !loadBalancerArn || l.loadBalancerArn === loadBalancerArn)
    .sort((a, b) => b.port - a.port);
  for (const l of listeners) {
    for (const r of state.rulesOf(l.arn)) {
      out.push({
        listenerArn: l.arn,
        port: l.port,
        protocol: l.protocol,
        rule: String(r.priority),
        ruleArn: r.arn,
        conditions: conditionText(r.conditions),
        action: actionText(r.actions),
        weights: weightsOf(state, r.arn),
        // Production clients send no such header: the traffic model sends it nothing.
        ...(headerConditions(r.conditions).length > 0 ? { testOnly: true } : {}),
      });
    }
    out.push({
      listenerArn: l.arn,
      port: l.port,
      protocol: l.protocol,
      rule: 'default',
      conditions: 'any request',
      action: actionText(l.defaultActions),
      weights: weightsOf(state, l.arn),
    });
  }
  return out;
}

/** Requests per second per target group from the weights now (what the traffic model sends). */
function ratesOf(state: FakeElbState, forwards: ForwardView[], perForward: number): Map<string, number> {
  const rates = new Map<string, number>();
  for (const f of forwards) {
    const total = f.weights.reduce((s, w) => s + w.weight, 0);
    if (total <= 0 || f.testOnly) continue;
    for (const w of f.weights) {
      if (w.weight > 0)
        rates.set(w.targetGroupArn, (rates.get(w.targetGroupArn) ?? 0) + (perForward * w.weight) / total);
    }
  }
  for (const tg of state.targetGroups.keys()) if (!rates.has(tg)) rates.set(tg, 0);
  return rates;
}

export function awsView(opts: {
  state: FakeElbState;
  config: GreenlightConfig;
  traffic?: TrafficModel;
  /** How many completed periods to show. */
  periods?: number;
  now?: number;
}): AwsView {
  const { state, config, traffic } = opts;
  const now = opts.now ?? Date.now();
  const lb = [...state.loadBalancers.values()][0];
  const forwards = forwardsOf(state, lb?.arn);
  const slotOf = new Map<string, { service: string; slot: string }>();
  for (const svc of Object.values(config.services)) {
    for (const [slot, arn] of Object.entries(svc.slots)) slotOf.set(arn, { service: svc.name, slot });
  }
  const rates = ratesOf(state, forwards, traffic?.requestsPerSecond ?? 0);
  const live = new Set(
    forwards
      .filter((f) => !f.testOnly)
      .flatMap((f) => f.weights.filter((w) => w.weight > 0).map((w) => w.targetGroupArn)),
  );
  const periodMs = traffic?.periodMs ?? 60_000;
  const count = opts.periods ?? 12;
  const from = Math.floor(now / periodMs) * periodMs - count * periodMs;
  const targetGroups: TargetGroupView[] = [...state.targetGroups.values()].map((tg) => {
    const owner = slotOf.get(tg.arn);
    const requests = traffic?.series(tg.arn, 'RequestCount', from, now + periodMs) ?? [];
    const errors = traffic?.series(tg.arn, 'HTTPCode_Target_5XX_Count', from, now + periodMs) ?? [];
    const periods = requests.map((p) => ({
      at: p.at,
      requests: p.value,
      errors5xx: errors.find((e) => e.at === p.at)?.value ?? 0,
    }));
    return {
      arn: tg.arn,
      name: tg.name,
      ...(owner ? { service: owner.service, slot: owner.slot } : {}),
      receivesTraffic: live.has(tg.arn),
      targets: state.healthOf(tg.arn).map(({ target: t, health }) => ({
        id: t.id,
        port: t.port,
        state: health.state,
        ...(health.reason ? { reason: health.reason } : {}),
        answers: t.response === 'ok' ? ('ok' as const) : ('failing' as const),
      })),
      requestsPerSecond: traffic ? Math.round((rates.get(tg.arn) ?? 0) * 10) / 10 : 0,
      periods,
    };
  });
  return {
    loadBalancer: lb ? { arn: lb.arn, name: lb.name, dnsName: lb.dnsName } : null,
    forwards,
    targetGroups,
    traffic: traffic ? { periodMs: traffic.periodMs, requestsPerSecond: traffic.requestsPerSecond } : null,
    now,
  };
}
