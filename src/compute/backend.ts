/**
 * The contract of a compute backend: what can be scaled to zero behind a slot at teardown (an ECS
 * service, an Auto Scaling group, a webhook, …). One file per backend in this folder exports a
 * `ComputeBackend`: its config entry (src/config/compute-entries.ts: key, schema, target,
 * identity, label) and the steps below; registry.ts lists them, and the teardown's scale-down and
 * check-config go through it.
 *
 * The teardown job never sleeps: `begin` reads the sizes (recorded as `previous`) and asks for
 * zero; `count` is run again on a delayed poll until nothing is left to wait for or the bound ran
 * out; src/aws/scale-down.ts then finishes the report from the start and the last count.
 */
import type { ComputePorts, ComputeReadPorts } from '../app/ports/compute.js';
import type { ComputeEntrySpec } from '../config/compute-entries.js';
import type { ScaleDownReport } from '../domain/evidence.js';
import type { ComputeKind, ComputeTargetOf } from '../domain/service.js';

export interface ScaleDownContext {
  deploymentId: string;
  service: string;
  slot: string;
}

export interface ScaleDownStart {
  /** The report so far: kind, target, previous sizes, notes — final when `done`. */
  report: ScaleDownReport;
  /** Nothing to wait for: a webhook answered, or the target does not exist. */
  done: boolean;
}

/** What is left running now. */
export interface ScaleDownCount {
  /** What is still going away, waited for; -1 when the read failed. */
  remaining: number;
  /** What will not go away by itself (e.g. instances protected from scale in): reported, not waited for. */
  held: number;
  /** Why those are held, added to the report's notes. */
  heldNotes: string[];
  /** The read failed (a blip while polling). */
  error?: string;
}

/** check-config's look at one slot's compute: a line for people, or a problem. */
export type ComputeProbe = { found: string } | { problem: string };

/** One kind of compute: its config entry, and the steps taken on its own target. */
export interface ComputeBackend<K extends ComputeKind = ComputeKind> extends ComputeEntrySpec<K> {
  /**
   * Reads the current sizes and asks for zero. Idempotent: a re-run skips the update when the
   * sizes are already 0. A target that does not exist gives a finished report with `error`; a
   * failed first read or update throws (the job retries).
   */
  begin(target: ComputeTargetOf<K>, ports: ComputePorts, context: ScaleDownContext): Promise<ScaleDownStart>;
  /** What is left now (a resource that disappeared has nothing left); may throw (a blip). */
  count(target: ComputeTargetOf<K>, ports: ComputePorts): Promise<ScaleDownCount>;
  /** check-config: does it exist, and how big is it now. May throw (reported as a problem). */
  probe(target: ComputeTargetOf<K>, ports: ComputeReadPorts): Promise<ComputeProbe>;
}

/** Nothing left, nothing held. */
export const NOTHING_LEFT: ScaleDownCount = { remaining: 0, held: 0, heldNotes: [] };

/** A start with nothing to wait for. */
export const finished = (report: ScaleDownReport): ScaleDownStart => ({ report, done: true });
