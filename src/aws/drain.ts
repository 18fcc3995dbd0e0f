/**
 * Teardown's drain, in two steps the job takes as separate runs (it never sleeps):
 * 1. `startDrain`: deregister every target of the old slot that is not draining yet, and note
 *    which targets must leave and how long to wait for them at most;
 * 2. `stillDraining`: how many of them are still there — run again on a delayed poll until none
 *    is, or the bound ran out.
 *
 * Waiting for "none is `draining`" is not enough: right after DeregisterTargets a target can still
 * read `healthy` for a moment, so the targets noted in step 1 must have *left* DescribeTargetHealth
 * (or read `unused`). ELBv2 keeps a deregistered target `draining` for the group's
 * `deregistration_delay.timeout_seconds` (0–3600, default 300) even when its connections closed
 * earlier, so the wait is bounded by that delay plus a margin. Idempotent: a re-run of step 1
 * deregisters only targets that are not draining yet. Targets registered after it are not waited
 * for.
 */

import type { ElbPort } from '../app/ports/elb.js';
import type { DrainStart } from '../app/ports/traffic-router.js';
import type { TargetHealth } from '../domain/load-balancer.js';
import { deregistrationDelaySeconds } from '../domain/precheck.js';

export const DEFAULT_DRAIN_MARGIN_MS = 60_000;

export const targetKey = (t: Pick<TargetHealth, 'Id' | 'Port'>) => `${t.Id}:${t.Port ?? ''}`;

export async function startDrain(
  port: ElbPort,
  targetGroupArn: string,
  marginMs: number = DEFAULT_DRAIN_MARGIN_MS,
): Promise<DrainStart> {
  const boundMs =
    deregistrationDelaySeconds(await port.describeTargetGroupAttributes(targetGroupArn)) * 1000 + marginMs;
  const registered = await port.describeTargetHealth(targetGroupArn);
  const toDeregister = registered
    .filter((t) => t.State !== 'draining')
    .map((t) => (t.Port !== undefined ? { Id: t.Id, Port: t.Port } : { Id: t.Id }));
  if (toDeregister.length > 0) await port.deregisterTargets(targetGroupArn, toDeregister);
  return { deregistered: toDeregister.length, leaving: registered.map(targetKey), boundMs };
}

/** How many of the `leaving` targets are still registered (an `unused` target counts as gone). */
export async function stillDraining(
  port: ElbPort,
  targetGroupArn: string,
  leaving: string[],
): Promise<number> {
  const wanted = new Set(leaving);
  return (await port.describeTargetHealth(targetGroupArn)).filter(
    (t) => wanted.has(targetKey(t)) && t.State !== 'unused',
  ).length;
}
