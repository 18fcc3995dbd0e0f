/**
 * Teardown's drain step: deregister every target of the old slot, then wait until every one of
 * them has left DescribeTargetHealth (or reads `unused`). Waiting for "none is `draining`" is not
 * enough: right after DeregisterTargets a target can still read `healthy` for a moment, which
 * would end the wait at once ("drained in 0s"). ELBv2 keeps a deregistered target `draining` for
 * the group's `deregistration_delay.timeout_seconds` (0–3600, default 300) even when its
 * connections closed earlier, so the wait is bounded by that delay plus a margin; `timedOut` says
 * the bound ran out first. Idempotent: a re-run deregisters only targets that are not draining
 * yet and waits for all of them. Targets registered after the start are not waited for.
 */

import { deregistrationDelaySeconds } from '../domain/precheck.js';
import type { TeardownReport } from '../domain/reports.js';
import type { ElbPort, TargetHealth } from './elb-port.js';

export interface DrainOptions {
  /** The slot name, for the report. */
  slot: string;
  pollMs: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** Added to the deregistration delay before giving up on the wait (default 60 s). */
  marginMs?: number;
}

export const DEFAULT_DRAIN_MARGIN_MS = 60_000;

const key = (t: Pick<TargetHealth, 'Id' | 'Port'>) => `${t.Id}:${t.Port ?? ''}`;

export async function drainSlot(
  port: ElbPort,
  targetGroupArn: string,
  opts: DrainOptions,
): Promise<TeardownReport> {
  const bound =
    deregistrationDelaySeconds(await port.describeTargetGroupAttributes(targetGroupArn)) * 1000 +
    (opts.marginMs ?? DEFAULT_DRAIN_MARGIN_MS);
  const registered = await port.describeTargetHealth(targetGroupArn);
  const toDeregister = registered
    .filter((t) => t.State !== 'draining')
    .map((t) => (t.Port !== undefined ? { Id: t.Id, Port: t.Port } : { Id: t.Id }));
  if (toDeregister.length > 0) await port.deregisterTargets(targetGroupArn, toDeregister);

  const leaving = new Set(registered.map(key));
  const started = opts.now();
  let timedOut = false;
  for (;;) {
    const stillThere = (await port.describeTargetHealth(targetGroupArn)).filter(
      (t) => leaving.has(key(t)) && t.State !== 'unused',
    );
    if (stillThere.length === 0) break;
    if (opts.now() - started >= bound) {
      timedOut = true;
      break;
    }
    await opts.sleep(opts.pollMs);
  }
  return { slot: opts.slot, deregistered: toDeregister.length, drainMs: opts.now() - started, timedOut };
}
