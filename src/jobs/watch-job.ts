/**
 * Health gates during the soak: every `gates.watchInterval` (on a deterministic grid from the
 * start of the soak) read the new slot's metrics and alarms; a breach alerts, or rolls back
 * with `autoRollback`. Only scheduled for services that configure gates.
 */
import { nextOnGrid } from '../domain/job-ids.js';
import { handleBreaches } from './gate-alerts.js';
import { type JobContext, loadDeployment, serviceOf } from './job-context.js';
import { gateBreaches, hasGates, readTraffic } from './traffic-evidence.js';

export async function runWatch(ctx: JobContext, deploymentId: string): Promise<void> {
  const d = await loadDeployment(ctx, deploymentId);
  if (d.state !== 'soaking' || d.soakStartedAt === undefined) return;
  const svc = serviceOf(ctx, d);
  if (!hasGates(svc)) return;
  const now = ctx.clock.now();
  // Gates over the last two periods: recent enough to act on, long enough to have data.
  const since = Math.max(d.soakStartedAt, now - 2 * svc.traffic.periodMs);
  const report = await readTraffic(ctx, d, svc, { switchedAt: since, windowEndsAt: now });
  const breaches = report ? gateBreaches(report) : [];
  if (breaches.length > 0) {
    await handleBreaches(ctx, d, svc, breaches, 'soak');
    if (svc.gates.autoRollback) return;
  }
  await ctx.scheduler.enqueue('watch', d.id, nextOnGrid(d.soakStartedAt, svc.gates.watchIntervalMs, now));
}

/** Schedules the first watch of a soak (verify job, reconcile). */
export async function scheduleWatch(ctx: JobContext, deploymentId: string): Promise<void> {
  const d = await loadDeployment(ctx, deploymentId);
  if (d.state !== 'soaking' || d.soakStartedAt === undefined || !hasGates(serviceOf(ctx, d))) return;
  const svc = serviceOf(ctx, d);
  await ctx.scheduler.enqueue(
    'watch',
    d.id,
    nextOnGrid(d.soakStartedAt, svc.gates.watchIntervalMs, ctx.clock.now()),
  );
}
