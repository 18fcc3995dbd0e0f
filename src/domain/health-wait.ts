/**
 * Waiting for a slot's health checks before asking for approval. Pure.
 *
 * A slot that a forward names for the first time (attached by its preview rule), or whose targets
 * were just registered, reads `initial` until enough checks passed: `HealthyThresholdCount` checks
 * one `HealthCheckIntervalSeconds` apart after a group is named again (`Elb.InitialHealthChecking`),
 * and at least one after a registration (docs/platform-facts.md, "ALB target health and
 * draining"). While the targets read `initial` — or still
 * `unused` right after the attach, before AWS picked up the new rule — the precheck waits, bounded;
 * a target that reads `unhealthy`, `draining` or `unavailable` blocks at once.
 */
import { formatDuration } from './duration.js';
import type { SlotHealth } from './reports.js';

/** A target group's health-check timing as DescribeTargetGroups gives it (AWS's HTTP defaults when absent). */
export interface HealthCheckTiming {
  intervalSeconds: number;
  healthyThreshold: number;
}

export const AWS_DEFAULT_HEALTH_CHECK: HealthCheckTiming = { intervalSeconds: 30, healthyThreshold: 5 };

/** Checks of slack beyond the threshold: the first check's phase, and AWS picking up a new rule. */
const SPARE_CHECKS = 2;

/**
 * How long to wait for a slot's targets to become healthy: (HealthyThresholdCount + 2) ×
 * HealthCheckIntervalSeconds — 3m30s with AWS's defaults — unless the config sets `healthWait`.
 */
export function healthWaitBoundMs(t: HealthCheckTiming, configuredMs?: number): number {
  if (configuredMs !== undefined) return configuredMs;
  return (t.healthyThreshold + SPARE_CHECKS) * t.intervalSeconds * 1000;
}

/** Targets still being judged: `initial`, or `unused` (a just-attached group AWS has not picked up yet). */
export function settlingTargets(health: SlotHealth): number {
  return health.targets.filter((t) => t.state === 'initial' || t.state === 'unused').length;
}

/** The recorded wait of a precheck: since when, until when, and when the slot was attached (if now). */
export interface HealthWait {
  since: number;
  until: number;
  attachedAt?: number;
}

function counts(health: SlotHealth): string {
  const byState = new Map<string, number>();
  for (const t of health.targets) byState.set(t.state, (byState.get(t.state) ?? 0) + 1);
  const order = ['healthy', 'initial', 'unused', 'unhealthy', 'draining', 'unavailable'];
  return [...byState]
    .sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]))
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
}

/**
 * One line of progress: "green: 1 healthy, 1 initial — first check due in ~25s; healthy after
 * 5 checks × 30s; waiting until 10:42 UTC".
 */
export function healthProgress(
  health: SlotHealth,
  timing: HealthCheckTiming,
  wait: HealthWait,
  now: number,
  clock: (at: number) => string,
): string {
  const interval = timing.intervalSeconds * 1000;
  const parts: string[] = [];
  if (wait.attachedAt !== undefined && now < wait.attachedAt + interval) {
    parts.push(`first check due in ~${formatDuration(Math.max(1000, wait.attachedAt + interval - now))}`);
  }
  parts.push(`healthy after ${timing.healthyThreshold} checks × ${formatDuration(interval)}`);
  parts.push(`waiting until ${clock(wait.until)} UTC`);
  const targets = health.total === 0 ? 'no registered target' : counts(health);
  return `${health.slot}: ${targets} — ${parts.join('; ')}`;
}

/** The last word of a wait: "green: 2 healthy after 31s" (or what they were when it ran out). */
export function healthDone(health: SlotHealth, wait: HealthWait, now: number): string {
  const targets = health.total === 0 ? 'no registered target' : counts(health);
  return `${health.slot}: ${targets} after ${formatDuration(Math.max(1000, now - wait.since))}`;
}

/** Why the precheck gives up waiting: the targets still not healthy when the bound ran out. */
export function waitExpiredProblem(health: SlotHealth, timing: HealthCheckTiming, waitedMs: number): string {
  const pending = health.targets
    .filter((t) => t.state !== 'healthy')
    .map(
      (t) =>
        `${t.port !== undefined ? `${t.id}:${t.port}` : t.id} ${t.state}${t.reason ? ` (${t.reason})` : ''}`,
    );
  return (
    `${health.slot}'s targets did not pass their health checks within ${formatDuration(waitedMs)} ` +
    `(${timing.healthyThreshold} checks × ${formatDuration(timing.intervalSeconds * 1000)} needed): ` +
    `${pending.join(', ')}. Check the targets and the target group's health-check path, then /deploy again.`
  );
}
