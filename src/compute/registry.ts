/**
 * Every compute backend Greenlight knows, found by kind: the teardown's scale-down
 * (src/aws/scale-down.ts) and check-config's probe go through here. A new backend is a file in
 * this folder (see backend.ts) and one line in `BY_KIND`, with its config entry in
 * src/config/compute-entries.ts (the config layer cannot import this one).
 */
import type { ComputeReadPorts } from '../app/ports/compute.js';
import type { ComputeKind, ComputeTarget } from '../domain/service.js';
import { autoScalingBackend } from './auto-scaling.js';
import type { ComputeBackend, ComputeProbe } from './backend.js';
import { ecsBackend } from './ecs.js';
import { webhookBackend } from './webhook.js';

/** One backend per kind of `ComputeTarget` (checked by the compiler). */
const BY_KIND: { readonly [K in ComputeKind]: ComputeBackend<K> } = {
  ecs: ecsBackend,
  asg: autoScalingBackend,
  webhook: webhookBackend,
};

export const COMPUTE_BACKENDS: readonly ComputeBackend[] = Object.values(BY_KIND);

export function computeBackend(kind: ComputeKind): ComputeBackend {
  const backend: ComputeBackend = BY_KIND[kind];
  return backend;
}

/** check-config's look at a target. */
export function probeCompute(target: ComputeTarget, ports: ComputeReadPorts): Promise<ComputeProbe> {
  return computeBackend(target.kind).probe(target, ports);
}
