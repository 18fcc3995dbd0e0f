/**
 * Forgotten environments seen from AWS, not from our records: a slot that no production forward
 * sends traffic to while targets are registered in it or its compute still runs. This is the
 * cross-check that survives a Redis that lost its data — the incident Greenlight exists to
 * prevent is a blue environment nobody remembers. Pure: the readings come in, findings go out.
 */
import type { Deployment } from './deployment.js';
import { isTerminal, lastToMoveTraffic } from './deployment.js';

export interface SlotReading {
  slot: string;
  /** Registered targets not leaving (every state but `draining`). */
  registered: number;
  /** What its compute says, when it has one we can read (ECS desired/running, ASG desired/instances). */
  compute?: { what: string; running: number };
}

export interface ServiceReading {
  service: string;
  soakMs: number;
  /** The slot production forwards send traffic to; `mixed` or null when there is no single one. */
  live: string | null | 'mixed';
  slots: SlotReading[];
  /** The service's recent deployments, newest first (empty when Redis lost them). */
  recent: Deployment[];
}

export interface IdleSlot {
  service: string;
  slot: string;
  registered: number;
  compute?: { what: string; running: number };
  /** When a scan first saw it idle (Redis-kept; restarts after a data loss). */
  idleSince: number;
}

/**
 * The slots of this service that run without traffic and that no record accounts for. Nothing is
 * judged while a deployment is in flight, or while the traffic is split (`mixed`: that is a
 * cutover's business) or unreadable; a slot the newest traffic-moving deployment keeps on purpose
 * (verifying, soaking with its teardown scheduled, tearing down) is accounted for.
 */
export function idleSlots(r: ServiceReading): SlotReading[] {
  if (r.live === 'mixed' || r.live === null) return [];
  if (r.recent.some((d) => !isTerminal(d.state))) return [];
  const mover = lastToMoveTraffic(r.recent);
  const kept = mover && (mover.state === 'soaking' || mover.state === 'verifying') ? mover.fromSlot : null;
  return r.slots.filter(
    (s) => s.slot !== r.live && s.slot !== kept && (s.registered > 0 || (s.compute?.running ?? 0) > 0),
  );
}

/**
 * Which idle slots to report now: after a data loss every one (their records are gone, nothing
 * else will ever mention them); otherwise those idle for longer than the service's soak.
 */
export function dueForReport(
  idle: { slot: string; idleSince: number }[],
  soakMs: number,
  now: number,
  afterLoss: boolean,
): string[] {
  return idle.filter((s) => afterLoss || now - s.idleSince >= soakMs).map((s) => s.slot);
}
