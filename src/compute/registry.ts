/**
 * Every compute backend Greenlight knows, and what goes through them: the schema of a
 * `compute.<slot>` entry and the target it becomes (src/config), the cross-service identity check,
 * the teardown's scale-down (src/compute/scale-down.ts), check-config's probe and the
 * forgotten-environment scan. A new backend is a file in this folder (see backend.ts) and its entry
 * in `COMPUTE_BACKENDS`. Each function takes the backends it works with (the registered ones unless
 * told), so that a test can plug in one of its own.
 */
import { z } from 'zod';
import type { ComputeReadPorts } from '../app/ports/compute.js';
import type { ComputeTarget } from '../domain/service.js';
import { autoScalingBackend } from './auto-scaling.js';
import type { ComputeBackend, ComputeProbe, RunningCompute } from './backend.js';
import { ecsBackend } from './ecs.js';
import { webhookBackend } from './webhook.js';

/**
 * A backend as the registry keeps it: for a target of any kind. This is the one place a backend's
 * own target type (`EcsTarget`) is forgotten, and it is sound because a target only ever reaches
 * the backend of its kind: `computeBackend(target.kind)` finds it, and a target is only ever made
 * by the `toTarget` of the backend whose config key its entry has.
 */
export function registered<T extends ComputeTarget, V>(backend: ComputeBackend<T, V>): ComputeBackend {
  return backend as unknown as ComputeBackend;
}

/** Every backend, in the order their config keys are tried. */
export const COMPUTE_BACKENDS: readonly ComputeBackend[] = [
  registered(ecsBackend),
  registered(autoScalingBackend),
  registered(webhookBackend),
];

/** The backend of a kind; throws when there is none (a target is only made by a backend). */
export function computeBackend(kind: string, backends = COMPUTE_BACKENDS): ComputeBackend {
  const backend = backends.find((b) => b.kind === kind);
  if (!backend) throw new Error(`no compute backend of kind ${kind}`);
  return backend;
}

/**
 * The schema of one `compute.<slot>` entry: exactly one of the backends' keys with what that
 * backend accepts (`{ ecs: { cluster, service } }`, `{ autoScalingGroup: name }`, …).
 */
export function computeEntrySchema(backends = COMPUTE_BACKENDS) {
  return z.union(backends.map((b) => z.object({ [b.configKey]: b.schema }).strict()));
}

/** A parsed `compute.<slot>` entry. */
export type RawComputeEntry = z.infer<ReturnType<typeof computeEntrySchema>>;

/** The target a parsed entry names. */
export function toComputeTarget(raw: RawComputeEntry, backends = COMPUTE_BACKENDS): ComputeTarget {
  const backend = backends.find((b) => Object.hasOwn(raw, b.configKey));
  if (!backend) throw new Error(`not a compute entry: ${Object.keys(raw).join(', ')}`);
  return backend.toTarget(raw[backend.configKey]);
}

/** What a target scales, comparable across services; null when it may serve several (a webhook). */
export function computeIdentity(target: ComputeTarget, backends = COMPUTE_BACKENDS): string | null {
  return computeBackend(target.kind, backends).identity?.(target) ?? null;
}

/** The kinds of compute two services may not share, for people: `ECS service or Auto Scaling group`. */
export function exclusiveComputeLabels(backends = COMPUTE_BACKENDS): string {
  return backends
    .filter((b) => b.identity !== undefined)
    .map((b) => b.label)
    .join(' or ');
}

/**
 * The labels of the signed backends (`webhook`) whose config keys an entry of `compute.<slot>`
 * uses, read before the schema has judged it: its service needs a hook secret for each.
 */
export function signedComputeLabels(entry: Record<string, unknown>, backends = COMPUTE_BACKENDS): string[] {
  return backends.filter((b) => b.signed === true && b.configKey in entry).map((b) => b.label);
}

/** check-config's look at a target. */
export function probeCompute(
  target: ComputeTarget,
  ports: ComputeReadPorts,
  backends = COMPUTE_BACKENDS,
): Promise<ComputeProbe> {
  return computeBackend(target.kind, backends).probe(target, ports);
}

/** What a target runs, for people (src/domain/slot-version.ts); empty when its kind cannot say. */
export async function computeVersion(
  target: ComputeTarget,
  ports: ComputeReadPorts,
  backends = COMPUTE_BACKENDS,
): Promise<string[]> {
  const backend = computeBackend(target.kind, backends);
  return backend.version ? backend.version(target, ports) : [];
}

/**
 * The forgotten-environment scan's read of a target: what runs there now. Undefined when it does
 * not exist, or when its kind cannot be read (a webhook).
 */
export async function runningCompute(
  target: ComputeTarget,
  ports: ComputeReadPorts,
  backends = COMPUTE_BACKENDS,
): Promise<RunningCompute | undefined> {
  const backend = computeBackend(target.kind, backends);
  return backend.running ? backend.running(target, ports) : undefined;
}
