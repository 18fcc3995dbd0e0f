/**
 * Test data for the Block Kit builders: a normal deployment, and hostile/huge reports
 * (1000 targets, 300 forwards, 10 KB reasons with `<!channel>`), plus a checker for text that
 * escaped escaping.
 */

import type { AuditEntry, Deployment } from '../../src/domain/deployment.js';
import type {
  GateBreach,
  HookResult,
  ScaleDownReport,
  TrafficPoint,
  TrafficReport,
  TrafficVerdict,
} from '../../src/domain/evidence.js';
import type {
  ForwardSite,
  Offender,
  PrecheckReport,
  SwitchReport,
  TeardownReport,
  VerificationReport,
} from '../../src/domain/reports.js';
import type { ServiceConfig } from '../../src/domain/service.js';
import type { State } from '../../src/domain/states.js';
import { serviceConfig } from './service-config.js';

export const T0 = Date.UTC(2024, 0, 2, 15, 4, 0);
export const HOUR = 3_600_000;
export const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
export const BLUE =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-blue/73e2d6bc24d8a067';
export const GREEN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-green/09966783158cda59';

/** User/AWS text that must never reach Slack unescaped. */
export const EVIL = '<!channel> <script>alert(1)</script> & <https://evil.example|click> <!here>';
export const HUGE_REASON = `${EVIL} `.repeat(Math.ceil(10_240 / (EVIL.length + 1)));

export function service(over: Partial<ServiceConfig> = {}): ServiceConfig {
  return serviceConfig({
    listeners: [LISTENER],
    slots: { blue: BLUE, green: GREEN },
    approvers: { users: ['U0APPROVER'], usergroups: ['S0SRE'] },
    soakMs: 24 * HOUR,
    remindBeforeMs: HOUR,
    ...over,
  });
}

export function deployment(state: State, over: Partial<Deployment> = {}): Deployment {
  const switched = ['verifying', 'soaking', 'tearing_down', 'done', 'rolling_back', 'rolled_back'].includes(
    state,
  );
  return {
    id: 'checkout-20240102150400-a1b2',
    service: 'checkout',
    channel: 'C0DEPLOYS',
    requester: 'U0REQUESTER',
    fromSlot: 'blue',
    toSlot: 'green',
    state,
    version: 3,
    createdAt: T0,
    updatedAt: T0 + 60_000,
    approvalExpiresAt: T0 + 30 * 60_000,
    soakMs: 24 * HOUR,
    remindBeforeMs: HOUR,
    messages: { card: '1700000000.000100', posted: [] },
    history: [],
    ...(switched
      ? {
          approvedBy: 'U0APPROVER',
          cutover: { startedAt: T0 + 120_000, finishedAt: T0 + 121_200, awsMs: 900, changed: 2 },
          soakStartedAt: T0 + 400_000,
          teardownAt: T0 + 400_000 + 24 * HOUR,
          remindAt: T0 + 400_000 + 23 * HOUR,
        }
      : {}),
    ...over,
  };
}

export function forwardSite(i: number, evil = false): ForwardSite {
  return {
    listenerArn: LISTENER,
    port: 443,
    priority: i === 0 ? 'default' : String(i),
    ...(i === 0
      ? {}
      : {
          ruleArn: `${LISTENER.replace('listener/', 'listener-rule/')}/${i.toString(16).padStart(16, '0')}`,
        }),
    groups: [
      { name: evil ? `blue${EVIL}` : 'blue', arn: BLUE, weight: 100 },
      { name: 'green', arn: GREEN, weight: 0 },
    ],
    groupStickiness: { enabled: i % 2 === 0, durationSeconds: 3600 },
  };
}

export function hugePrecheck(): PrecheckReport {
  return {
    liveSlot: 'mixed',
    targetSlot: 'green',
    health: {
      slot: 'green',
      targetGroupArn: GREEN,
      targets: Array.from({ length: 1000 }, (_, i) => ({
        id: `i-${i.toString(16).padStart(17, '0')}${i % 7 === 0 ? EVIL : ''}`,
        port: 8080,
        state: i % 3 === 0 ? 'unhealthy' : 'healthy',
        ...(i % 3 === 0 ? { reason: `Target.FailedHealthChecks ${EVIL}` } : {}),
      })),
      healthy: 666,
      total: 1000,
    },
    forwards: Array.from({ length: 300 }, (_, i) => forwardSite(i, true)),
    stickiness: Array.from({ length: 40 }, (_, i) => ({
      slot: i % 2 ? 'blue' : 'green',
      enabled: true,
      type: `lb_cookie${EVIL}`,
      durationSeconds: 604800,
      deregistrationDelaySeconds: 300,
    })),
    problems: Array.from({ length: 200 }, () => HUGE_REASON),
    warnings: Array.from({ length: 200 }, () => HUGE_REASON),
  };
}

export function offenders(n: number, evil = false): Offender[] {
  return Array.from({ length: n }, (_, i) => ({
    listenerArn: LISTENER,
    port: 443,
    priority: i === 0 ? 'default' : String(i),
    ruleArn: `${LISTENER.replace('listener/', 'listener-rule/')}/${i}${evil ? EVIL : ''}`,
    weight: 100,
  }));
}

export function hugeVerification(): VerificationReport {
  return { readBackOk: false, offenders: offenders(300, true), listenersScanned: 300, rulesScanned: 30_000 };
}

export function hugeSwitch(): SwitchReport {
  return { changed: Array.from({ length: 300 }, (_, i) => forwardSite(i, true)), awsMs: 900, totalMs: 1200 };
}

export const TEARDOWN: TeardownReport = {
  slot: 'blue',
  deregistered: 1000,
  drainMs: 300_000,
  timedOut: true,
};

/** `n` one-minute periods from the cutover; blue falls to zero after `drainAfter` periods. */
export function trafficPoints(
  n: number,
  base: number,
  drainAfter = Number.POSITIVE_INFINITY,
): TrafficPoint[] {
  return Array.from({ length: n }, (_, i) => ({
    at: T0 + 180_000 + i * 60_000,
    requests: i >= drainAfter ? 0 : base + i * 7,
    errors5xx: i % 5,
    p99Ms: i % 9 === 0 ? null : 120 + i,
  }));
}

export function trafficReport(verdict: TrafficVerdict, over: Partial<TrafficReport> = {}): TrafficReport {
  return {
    oldSlot: { slot: 'blue', points: trafficPoints(5, 900, verdict === 'drained' ? 3 : Infinity) },
    newSlot: { slot: 'green', points: trafficPoints(5, 1200) },
    verdict,
    ...(verdict === 'drained' ? { drainedAt: T0 + 360_000 } : {}),
    windowEndsAt: T0 + 420_000,
    toleranceRequests: 0,
    breaches: [],
    ...(verdict === 'unreadable' ? { error: 'ThrottlingException: Rate exceeded' } : {}),
    ...over,
  };
}

export function breaches(n: number, evil = false): GateBreach[] {
  const kinds = ['error_rate', 'p99_latency', 'alarm', 'metrics_unreadable'] as const;
  return Array.from({ length: n }, (_, i) => ({
    kind: kinds[i % kinds.length] ?? 'alarm',
    detail: evil
      ? `${HUGE_REASON}${i}`
      : `green answered 7.5% 5xx (limit 5%) in the period from 15:0${i % 10}`,
  }));
}

/** 500 periods per slot, 100 hostile breaches, a hostile slot name and error. */
export function hugeTraffic(verdict: TrafficVerdict = 'not_drained'): TrafficReport {
  return trafficReport(verdict, {
    oldSlot: { slot: `blue${EVIL}`, points: trafficPoints(500, 1_234_567) },
    newSlot: { slot: `green${EVIL}`, points: trafficPoints(500, 98_765) },
    breaches: breaches(100, true),
    error: HUGE_REASON,
  });
}

export function hookResult(over: Partial<HookResult> = {}): HookResult {
  return {
    hook: 'beforeCutover',
    url: 'https://hooks.example.com/deploy/before?token=secret',
    ok: true,
    status: 200,
    excerpt: '{"ok":true}',
    attempts: 1,
    durationMs: 120,
    ...over,
  };
}

export const ECS_SCALE_DOWN: ScaleDownReport = {
  kind: 'ecs',
  target: 'shop/checkout-blue',
  previous: { desired: 3 },
  reachedZero: true,
  remaining: 0,
  waitedMs: 42_000,
};

export const ASG_SCALE_DOWN: ScaleDownReport = {
  kind: 'asg',
  target: 'checkout-blue',
  previous: { min: 2, desired: 3, max: 6 },
  reachedZero: true,
  remaining: 0,
  waitedMs: 90_000,
};

export function hugeHistory(): AuditEntry[] {
  return Array.from({ length: 500 }, (_, i) => ({
    at: T0 + i * 1000,
    deploymentId: `checkout-20240102150400-${i}${EVIL}`,
    event: `approve${EVIL}`,
    from: 'awaiting_approval',
    to: 'cutting_over',
    by: i % 2 ? 'U0APPROVER' : EVIL,
    detail: HUGE_REASON,
  }));
}

/** Every string inside a message (texts, values, ids), with its path. */
export function allStrings(value: unknown, path = '$', out: [string, string][] = []): [string, string][] {
  if (typeof value === 'string') out.push([path, value]);
  else if (Array.isArray(value))
    value.forEach((v, i) => {
      allStrings(v, `${path}[${i}]`, out);
    });
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) allStrings(v, `${path}.${k}`, out);
  return out;
}

/** Slack tokens our builders may emit; anything else between `<` and `>` is an injection. */
const ALLOWED_TOKEN =
  /<(?:@[UW][A-Z0-9]+|#[CGD][A-Z0-9]+|!subteam\^S[A-Z0-9]+|!date\^\d+\^[^<>|]+\|[^<>]+|https:\/\/[^\s<>|]+\|[^<>]+)>/g;

/** Strings (texts only, not button values) that still contain a raw `<` / `>` after our tokens. */
export function unescaped(message: unknown): string[] {
  return allStrings(message)
    .filter(([path]) => !path.endsWith('.value'))
    .filter(([, s]) => /[<>]/.test(s.replace(ALLOWED_TOKEN, '')))
    .map(([path, s]) => `${path}: ${s.slice(0, 120)}`);
}
