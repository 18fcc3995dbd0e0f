/**
 * An ECS service: `compute.<slot>: { ecs: { cluster, service } }` (names or ARNs).
 * - Scale-down: DescribeServices, UpdateService desiredCount 0, then running + pending tasks.
 *   A service being deleted (DRAINING, INACTIVE) cannot be updated (ServiceNotActiveException):
 *   nothing to ask, said in the report; its tasks stop by themselves.
 * - A cluster or service that does not exist gives a finished report with `error`.
 */
import { z } from 'zod';
import type { EcsPort } from '../app/ports/compute.js';
import type { ScaleDownReport } from '../domain/evidence.js';
import { shortImage } from '../domain/slot-version.js';
import { AwsCallError } from '../errors.js';
import { type ComputeBackend, finished, lastSegment, NOTHING_LEFT } from './backend.js';

/** `compute.<slot>: { ecs: { cluster, service } }`, names or ARNs. */
export type EcsTarget = { readonly kind: 'ecs'; readonly cluster: string; readonly service: string };

const NOT_ACTIVE = new Set(['DRAINING', 'INACTIVE']);

function notActiveNote(name: string, status: string): string {
  return status === 'DRAINING'
    ? `ECS service ${name} is DRAINING (being deleted): its tasks stop by themselves, nothing to scale down`
    : `ECS service ${name} is INACTIVE (deleted): nothing to scale down`;
}

const LABEL = 'ECS service';

export const ecsBackend: ComputeBackend<EcsTarget, { cluster: string; service: string }> = {
  kind: 'ecs',
  configKey: 'ecs',
  schema: z.object({ cluster: z.string().min(1).max(255), service: z.string().min(1).max(255) }).strict(),
  label: LABEL,
  toTarget: (v) => ({ kind: 'ecs', cluster: v.cluster, service: v.service }),
  identity: (t) => `ecs:${lastSegment(t.cluster)}/${lastSegment(t.service)}`,

  async begin(t, { ecs }) {
    const name = `${t.cluster}/${t.service}`;
    const base = {
      kind: 'ecs',
      target: name,
      shown: { label: LABEL, name, unit: 'running' },
      reachedZero: false,
      remaining: 0,
      waitedMs: 0,
    };
    let current: Awaited<ReturnType<EcsPort['describeService']>>;
    try {
      current = await ecs.describeService(t.cluster, t.service);
    } catch (err) {
      if (err instanceof AwsCallError && err.code === 'ClusterNotFound')
        return finished({ ...base, error: `ECS cluster ${t.cluster} not found` });
      throw err;
    }
    if (current === null) return finished({ ...base, error: `ECS service ${name} not found` });
    const notes: string[] = [];
    if (NOT_ACTIVE.has(current.status)) notes.push(notActiveNote(name, current.status));
    else if (current.desired !== 0) {
      try {
        await ecs.updateDesiredCount(t.cluster, t.service, 0);
      } catch (err) {
        // Deleted between the describe and the update.
        if (!(err instanceof AwsCallError && err.code === 'ServiceNotActive')) throw err;
        notes.push(notActiveNote(name, 'DRAINING'));
      }
    }
    const report: ScaleDownReport = {
      ...base,
      previous: { desired: current.desired },
      remaining: current.running + current.pending,
    };
    return { report: notes.length > 0 ? { ...report, notes } : report, done: false };
  },

  async count(t, { ecs }) {
    const s = await ecs.describeService(t.cluster, t.service);
    return s === null ? NOTHING_LEFT : { ...NOTHING_LEFT, remaining: s.running + s.pending };
  },

  async probe(t, { ecs }) {
    const s = await ecs.describeService(t.cluster, t.service);
    if (!s) return { problem: `ECS service ${t.cluster}/${t.service} does not exist.` };
    return { found: `ECS ${t.cluster}/${t.service} desired ${s.desired}, running ${s.running}` };
  },

  async running(t, { ecs }) {
    const s = await ecs.describeService(t.cluster, t.service);
    return s ? { what: `${LABEL} ${t.service}`, running: Math.max(s.desired, s.running) } : undefined;
  },

  /** The images of the task definition the service runs (three at most), then the definition. */
  async version(t, { ecs }) {
    const s = await ecs.describeService(t.cluster, t.service);
    if (!s?.taskDefinition) return [];
    const td = await ecs.describeTaskDefinition(s.taskDefinition);
    // A rolling update in progress: tasks of the earlier definitions run beside the new one.
    const older = (s.olderRunning ?? []).map(
      (o) => `still ${o.running} task(s) of ${lastSegment(o.taskDefinition)}`,
    );
    if (!td) return [`task definition ${lastSegment(s.taskDefinition)} (not found)`, ...older];
    const images = [...new Set(td.containers.map((c) => shortImage(c.image)).filter((i) => i !== ''))];
    const shown = images.slice(0, 3).map((i) => `image ${i}`);
    if (images.length > 3) shown.push(`${images.length - 3} more image(s)`);
    return [...shown, `task definition ${td.family}:${td.revision}`, ...older];
  },
};
