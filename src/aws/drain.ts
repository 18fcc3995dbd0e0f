/**
 * Teardown's drain step: deregister every target of the old slot, then wait until none is
 * `draining`. ELBv2 keeps a deregistered target `draining` for the group's
 * `deregistration_delay.timeout_seconds` (0–3600, default 300) even when its connections closed
 * earlier, so the wait is bounded by that delay plus a margin. Idempotent: a re-run deregisters
 * only targets that are not draining yet and waits for the rest.
 */

import { DEFAULT_DEREGISTRATION_DELAY_SECONDS } from '../domain/precheck.js';
import type { TeardownReport } from '../domain/reports.js';
import type { ElbPort } from './elb-port.js';

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

function delaySeconds(attributes: Record<string, string>): number {
  const n = Number(attributes['deregistration_delay.timeout_seconds']);
  return Number.isFinite(n) && n >= 0 ? n : DEFAULT_DEREGISTRATION_DELAY_SECONDS;
}

export async function drainSlot(
  port: ElbPort,
  targetGroupArn: string,
  opts: DrainOptions,
): Promise<TeardownReport> {
  const bound =
    delaySeconds(await port.describeTargetGroupAttributes(targetGroupArn)) * 1000 +
    (opts.marginMs ?? DEFAULT_DRAIN_MARGIN_MS);
  const registered = await port.describeTargetHealth(targetGroupArn);
  const toDeregister = registered
    .filter((t) => t.State !== 'draining')
    .map((t) => (t.Port !== undefined ? { Id: t.Id, Port: t.Port } : { Id: t.Id }));
  if (toDeregister.length > 0) await port.deregisterTargets(targetGroupArn, toDeregister);

  const started = opts.now();
  let timedOut = false;
  for (;;) {
    const draining = (await port.describeTargetHealth(targetGroupArn)).filter((t) => t.State === 'draining');
    if (draining.length === 0) break;
    if (opts.now() - started >= bound) {
      timedOut = true;
      break;
    }
    await opts.sleep(opts.pollMs);
  }
  return { slot: opts.slot, deregistered: toDeregister.length, drainMs: opts.now() - started, timedOut };
}
