/**
 * The contract of a compute backend: what can be scaled to zero behind a slot at teardown (an ECS
 * service, an Auto Scaling group, a webhook, …). One file per backend in this folder exports a
 * `ComputeBackend` for its own target type: its config entry (key, schema, target, identity,
 * label), its scale-down steps, its check-config probe and what the forgotten-environment scan
 * reads; registry.ts lists them, and the config schema, the teardown's scale-down, check-config and
 * the scan go through it. A backend imports only src/domain, src/app/ports and src/errors (and
 * packages such as zod): the ports it is given are all it touches.
 *
 * The teardown job never sleeps: `begin` reads the sizes (recorded as `previous`) and asks for
 * zero; `count` is run again on a delayed poll until nothing is left to wait for or the bound ran
 * out; src/compute/scale-down.ts then finishes the report from the start and the last count.
 */
import type { z } from 'zod';
import type { ComputePorts, ComputeReadPorts } from '../app/ports/compute.js';
import type { ScaleDownReport } from '../domain/evidence.js';
import type { ComputeTarget } from '../domain/service.js';

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

/** What the forgotten-environment scan reads of a slot's compute: `ECS service checkout-blue`, 3. */
export interface RunningCompute {
  what: string;
  /** How much of it runs or is asked to run (e.g. the larger of desired and running). */
  running: number;
}

/**
 * One kind of compute, on its own target type `T` (`{ kind: 'ecs', cluster, service }`); `Value`
 * is what its config key holds in greenlight.yml.
 */
export interface ComputeBackend<T extends ComputeTarget = ComputeTarget, Value = unknown> {
  /** `ComputeTarget.kind`, and the `kind` of its scale-down reports. */
  readonly kind: T['kind'];
  /** Its key under `compute.<slot>` (`{ ecs: { cluster, service } }`). */
  readonly configKey: string;
  /** What that key holds. */
  readonly schema: z.ZodType<Value>;
  /** What it is, for people: `ECS service`, `Auto Scaling group`. */
  readonly label: string;
  readonly toTarget: (value: Value) => T;
  /**
   * What it scales, comparable across services (names and ARNs alike): two services may not
   * share it, or tearing one down would scale the other to zero. Absent: it may serve several.
   */
  readonly identity?: (target: T) => string;
  /**
   * Teardown sends it a request signed like every hook (a webhook): its service must set
   * `hooks.secretEnv`, or config refuses the entry. Absent: it needs no signing secret.
   */
  readonly signed?: boolean;
  /**
   * Reads the current sizes and asks for zero. Idempotent: a re-run skips the update when the
   * sizes are already 0. A target that does not exist gives a finished report with `error`; a
   * failed first read or update throws (the job retries). The report's `shown` says how the
   * teardown message names it.
   */
  readonly begin: (target: T, ports: ComputePorts, context: ScaleDownContext) => Promise<ScaleDownStart>;
  /** What is left now (a resource that disappeared has nothing left); may throw (a blip). */
  readonly count: (target: T, ports: ComputePorts) => Promise<ScaleDownCount>;
  /** check-config: does it exist, and how big is it now. May throw (reported as a problem). */
  readonly probe: (target: T, ports: ComputeReadPorts) => Promise<ComputeProbe>;
  /**
   * The forgotten-environment scan: what runs there now; undefined when it does not exist.
   * Absent: it cannot be read (a webhook).
   */
  readonly running?: (target: T, ports: ComputeReadPorts) => Promise<RunningCompute | undefined>;
  /**
   * What it runs, for the people approving a switch: `task definition checkout:88`, `image
   * checkout:1.42.0`. Empty when it does not exist. Absent: it cannot be read (a webhook). May throw.
   */
  readonly version?: (target: T, ports: ComputeReadPorts) => Promise<string[]>;
}

/** Nothing left, nothing held. */
export const NOTHING_LEFT: ScaleDownCount = { remaining: 0, held: 0, heldNotes: [] };

/** A start with nothing to wait for. */
export const finished = (report: ScaleDownReport): ScaleDownStart => ({ report, done: true });

/** The last segment of a name or an ARN (`arn:…:cluster/shop` and `shop` are the same cluster). */
export const lastSegment = (text: string): string => text.slice(text.lastIndexOf('/') + 1);
