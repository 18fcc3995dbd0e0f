/**
 * Which slot the load balancer should send a service's traffic to, by the record of its latest
 * deployment — to tell drift (a late write by a run that lost its lock, a hand edit) from the
 * plan. Undefined while traffic is meant to be moving (cutting over, rolling back) or when the
 * record cannot say (a failure part-way through a switch). Pure.
 */
import type { Deployment } from './deployment.js';
import type { LiveSlot } from './reports.js';

export function expectedLiveSlot(d: Deployment): string | null | undefined {
  switch (d.state) {
    case 'verifying':
    case 'soaking':
    case 'tearing_down':
    case 'done':
      return d.toSlot;
    case 'rolled_back':
    case 'blocked':
    case 'cancelled':
    case 'expired':
      return d.fromSlot;
    case 'failed':
      return d.cutover === undefined && d.switchStartedAt === undefined ? d.fromSlot : undefined;
    default:
      return undefined;
  }
}

/**
 * The live slot by the records alone (newest first): what the newest deployment that knows says —
 * its precheck's reading while it waits, where it left traffic once it ended; undefined while
 * traffic is moving or when no record knows.
 */
export function recordedLiveSlot(newestFirst: readonly Deployment[]): LiveSlot | undefined {
  for (const d of newestFirst) {
    const expected = expectedLiveSlot(d);
    if (expected !== undefined) return expected;
    if ((d.state === 'prechecking' || d.state === 'awaiting_approval') && d.fromSlot !== null)
      return d.fromSlot;
    if (d.state !== 'requested' && d.state !== 'prechecking') return undefined;
  }
  return undefined;
}
