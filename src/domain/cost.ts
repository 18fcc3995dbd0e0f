/**
 * What keeping a slot running costs, from the per-slot `hourlyCost` of the config, and the
 * forgotten-environment report: every slot still running after its service's last cutover.
 * Pure: time is passed in.
 */

import type { Deployment } from './deployment.js';
import type { ServiceConfig } from './service.js';

const HOUR_MS = 3_600_000;

/** Cost of running a slot at `hourly` per hour from `fromMs` to `toMs`; undefined without a price. */
export function slotCost(hourly: number | undefined, fromMs: number, toMs: number): number | undefined {
  if (hourly === undefined || !Number.isFinite(hourly) || hourly < 0) return undefined;
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) return undefined;
  return (hourly * Math.max(0, toMs - fromMs)) / HOUR_MS;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `$12.40`, `$1,234.50`; a positive amount under a cent is `<$0.01`; zero is `$0.00`. */
export function formatMoney(amount: number): string {
  if (!Number.isFinite(amount)) return '$?';
  if (amount < 0) return `-${formatMoney(-amount)}`;
  if (amount > 0 && amount < 0.01) return '<$0.01';
  const [whole = '0', cents = '00'] = amount.toFixed(2).split('.');
  return `$${groupThousands(whole)}.${cents}`;
}

export interface SoakCost {
  /** Hourly cost of the old slot. */
  hourly: number;
  /** Cost of keeping it since the cutover. */
  soFar: number;
  /** What one Extend (the service's soak) would add. */
  extendAdds: number;
}

/**
 * Cost of keeping `d.fromSlot` from the cutover until `now` (or until the deployment finished,
 * whichever is earlier); undefined when that slot has no `hourlyCost` or nothing was switched.
 */
export function soakCost(d: Deployment, svc: ServiceConfig, now: number): SoakCost | undefined {
  if (!d.fromSlot || !d.cutover) return undefined;
  const hourly = Object.hasOwn(svc.hourlyCost, d.fromSlot) ? svc.hourlyCost[d.fromSlot] : undefined;
  const end = d.finishedAt !== undefined ? Math.min(d.finishedAt, now) : now;
  const soFar = slotCost(hourly, d.cutover.finishedAt, end);
  const extendAdds = slotCost(hourly, 0, svc.soakMs);
  if (hourly === undefined || soFar === undefined || extendAdds === undefined) return undefined;
  return { hourly, soFar, extendAdds };
}

export interface ForgottenSlot {
  service: string;
  slot: string;
  /** Since when the slot has been running without traffic (the cutover or the rollback). */
  since: number;
  ageMs: number;
  /** Cost since `since`, when the slot has an `hourlyCost`. */
  cost?: number;
  /** Plain text (not escaped): why the slot is still running. */
  why: string;
  /** The deployment that left it running. */
  deploymentId: string;
}

type Left = { slot: string; since: number; why: string };

/** The slot `d` left running, if any. */
function leftRunning(d: Deployment, svc: ServiceConfig | undefined): Left | undefined {
  if (!d.cutover) return undefined;
  const since = d.cutover.finishedAt;
  const old = d.fromSlot;
  switch (d.state) {
    case 'cutting_over':
    case 'verifying':
      return old ? { slot: old, since, why: `kept while the cutover to ${d.toSlot} is verified` } : undefined;
    case 'soaking':
      return old ? { slot: old, since, why: `kept for rollback during the soak` } : undefined;
    case 'tearing_down':
      return old ? { slot: old, since, why: 'teardown in progress' } : undefined;
    case 'failed':
      if (!old) return undefined;
      return d.teardownStartedAt !== undefined
        ? { slot: old, since, why: 'teardown failed: it may still be running' }
        : { slot: old, since, why: `deployment failed after the cutover; ${old} was never torn down` };
    case 'rolled_back':
      return {
        slot: d.toSlot,
        since: d.rollback?.finishedAt ?? d.finishedAt ?? d.updatedAt,
        why: `left idle after the rollback to ${old ?? 'the previous slot'}`,
      };
    case 'done': {
      if (!old) return undefined;
      if (d.scaleDown?.reachedZero === false) {
        return {
          slot: old,
          since,
          why: `targets deregistered but scale-down did not reach zero (${d.scaleDown.remaining} remaining)`,
        };
      }
      const configured = svc !== undefined && Object.hasOwn(svc.compute, old);
      if (!configured && d.scaleDown === undefined)
        return { slot: old, since, why: 'targets deregistered; no compute scale-down configured' };
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Every slot still running after its service's last cutover, oldest first. `latest` holds the
 * newest deployment per service (any state); `services` is the config by service name.
 */
export function forgottenSlots(
  latest: Deployment[],
  services: Record<string, ServiceConfig>,
  now: number,
): ForgottenSlot[] {
  const out: ForgottenSlot[] = [];
  for (const d of latest) {
    const svc = Object.hasOwn(services, d.service) ? services[d.service] : undefined;
    const left = leftRunning(d, svc);
    if (!left) continue;
    const item: ForgottenSlot = {
      service: d.service,
      slot: left.slot,
      since: left.since,
      ageMs: Math.max(0, now - left.since),
      why: left.why,
      deploymentId: d.id,
    };
    const hourly = svc && Object.hasOwn(svc.hourlyCost, left.slot) ? svc.hourlyCost[left.slot] : undefined;
    const cost = slotCost(hourly, left.since, now);
    if (cost !== undefined) item.cost = cost;
    out.push(item);
  }
  return out.sort((a, b) => a.since - b.since || a.service.localeCompare(b.service));
}
