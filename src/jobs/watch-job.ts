/**
 * Health gates during the soak: every `gates.watchInterval` (on the poll grid all deployments
 * share, `nextPollAt`, so their CloudWatch reads share calls) read the new slot's metrics and alarms over a trailing window of settled
 * periods (`readGates`); a breach not announced yet alerts, or rolls back with `autoRollback`.
 * Gates that cannot be checked (metrics unreadable, a configured alarm missing) are said in the
 * thread — once per hour of the soak while it lasts — never silently skipped. Only scheduled for
 * services that configure gates.
 */

import { type JobContext, loadDeployment, serviceOf } from '../app/context.js';
import type { Deployment } from '../domain/deployment.js';
import type { ServiceConfig } from '../domain/service.js';
import { nextPollAt } from '../domain/traffic/periods.js';
import { hhmm } from '../domain/utc-time.js';
import { requesterAndApprovers } from '../messages/common.js';
import { refusalMessage } from '../messages/refusal.js';
import { handleBreaches } from './gate-alerts.js';
import { postOnce } from './outbox.js';
import { hasGates, readGates } from './traffic-evidence.js';

const HOUR_MS = 3_600_000;

export async function runWatch(ctx: JobContext, deploymentId: string): Promise<void> {
  const d = await loadDeployment(ctx, deploymentId);
  if (d.state !== 'soaking' || d.soakStartedAt === undefined) return;
  const svc = serviceOf(ctx, d);
  if (!hasGates(svc)) return;
  const now = ctx.clock.now();
  const reading = await readGates(ctx, d, svc, { since: d.soakStartedAt, now });
  if (reading && reading.breaches.length > 0) {
    await handleBreaches(ctx, d, svc, reading.breaches, 'soak');
    if (svc.gates.autoRollback) return;
  }
  if (reading?.error !== undefined) await sayUnchecked(ctx, d, svc, now, reading.error);
  await scheduleWatch(ctx, d, now);
}

/** Posted key of the "gates not checked" notice: one per hour of the soak. */
export function uncheckedKey(d: Deployment, now: number): string {
  return `gates-unchecked-${Math.floor((now - (d.soakStartedAt ?? 0)) / HOUR_MS)}`;
}

async function sayUnchecked(ctx: JobContext, d: Deployment, svc: ServiceConfig, now: number, error: string) {
  const from = d.fromSlot ?? 'the previous slot';
  await postOnce(
    ctx,
    d,
    uncheckedKey(d, now),
    refusalMessage(
      `⚠️ *Health gates not checked* during the soak of ${d.service} (${from} → ${d.toSlot}) at ${hhmm(now)} UTC: ` +
        `${error}. A breach on ${d.toSlot} would go unnoticed until this is fixed (said again each hour it lasts). ` +
        `${requesterAndApprovers(d, svc)}: watch ${d.toSlot} yourself, or roll back to ${from}.`,
    ),
  );
}

/** Schedules the next watch of a soak, on its grid after `now` (watch and verify jobs, reconcile). */
export async function scheduleWatch(ctx: JobContext, d: Deployment, now = ctx.clock.now()): Promise<void> {
  if (d.state !== 'soaking' || d.soakStartedAt === undefined) return;
  const svc = serviceOf(ctx, d);
  if (!hasGates(svc)) return;
  await ctx.scheduler.enqueue('watch', d.id, nextPollAt(svc.gates.watchIntervalMs, now));
}
