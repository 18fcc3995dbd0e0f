/**
 * The teardown job's use of the drain and scale-down steps, run to the end on an injectable clock:
 * start, then look again every `pollMs` (each look is a delayed job in production) until there is
 * nothing left to wait for or the bound ran out. The number of looks is bounded too (a clock that
 * never moves).
 */

import type { ComputePorts } from '../../src/app/ports/compute.js';
import type { ElbPort } from '../../src/app/ports/elb.js';
import { startDrain, stillDraining } from '../../src/aws/drain.js';
import type { ScaleDownContext } from '../../src/compute/backend.js';
import {
  beginScaleDown,
  countRemaining,
  finishScaleDown,
  settledCount,
} from '../../src/compute/scale-down.js';
import type { ScaleDownReport } from '../../src/domain/evidence.js';
import type { TeardownReport } from '../../src/domain/reports.js';
import type { ComputeTarget } from '../../src/domain/service.js';

export interface Waiting {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  pollMs: number;
}

/** What `scaleDown` needs: the ports and how to wait. */
export type ScaleDownRun = ComputePorts & Waiting & { timeoutMs: number };

export async function drainSlot(
  port: ElbPort,
  tg: string,
  opts: Waiting & { slot: string; marginMs?: number },
): Promise<TeardownReport> {
  const started = await startDrain(port, tg, opts.marginMs);
  const t0 = opts.now();
  for (;;) {
    const remaining = await stillDraining(port, tg, started.leaving);
    const waited = opts.now() - t0;
    if (remaining === 0 || waited >= started.boundMs) {
      return {
        slot: opts.slot,
        deregistered: started.deregistered,
        drainMs: waited,
        timedOut: remaining > 0,
      };
    }
    await opts.sleep(opts.pollMs);
  }
}

export async function scaleDown(
  target: ComputeTarget,
  d: ScaleDownRun,
  context: ScaleDownContext,
): Promise<ScaleDownReport> {
  const begun = await beginScaleDown(target, d, context);
  if (begun.done) return begun.report;
  const t0 = d.now();
  const maxLooks = Math.ceil(d.timeoutMs / Math.max(1, d.pollMs)) + 1;
  for (let look = 1; ; look += 1) {
    const count = await countRemaining(target, d);
    const waited = d.now() - t0;
    if (settledCount(count) || waited >= d.timeoutMs || look >= maxLooks) {
      return finishScaleDown(begun.report, count, waited);
    }
    await d.sleep(d.pollMs);
  }
}
