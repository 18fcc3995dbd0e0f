/**
 * An EC2 Auto Scaling group: `compute.<slot>: { autoScalingGroup: name }`.
 * - Scale-down: DescribeAutoScalingGroups and its terminating lifecycle hooks,
 *   UpdateAutoScalingGroup MinSize 0 + DesiredCapacity 0 (MaxSize left alone), then the instances
 *   that are not terminated — except those Auto Scaling will not terminate (protected from scale
 *   in) or that a lifecycle hook holds in `Terminating:Wait`, which are reported, not waited for.
 * - A group that does not exist gives a finished report with `error`.
 */
import { z } from 'zod';
import type { AsgState, TerminationHook } from '../app/ports/compute.js';
import { formatDuration } from '../domain/duration.js';
import type { ScaleDownReport } from '../domain/evidence.js';
import { errorMessage } from '../errors.js';
import { type ComputeBackend, finished, lastSegment, NOTHING_LEFT } from './backend.js';

/** `compute.<slot>: { autoScalingGroup: name }`. */
export type AutoScalingTarget = { readonly kind: 'asg'; readonly name: string };

const LABEL = 'Auto Scaling group';

function hookNote(hooks: TerminationHook[]): string {
  const list = hooks.map((h) => `${h.name} (heartbeat ${formatDuration(h.heartbeatTimeoutSeconds * 1000)})`);
  return (
    `lifecycle hook ${list.join(', ')} on termination: instances wait in Terminating:Wait until the ` +
    'hook is completed or its heartbeat runs out'
  );
}

/** Why instances that Auto Scaling will not terminate keep running. */
function heldNotes(g: AsgState): string[] {
  const notes: string[] = [];
  if (g.protectedInstances > 0) {
    notes.push(
      `${g.protectedInstances} instance(s) protected from scale in keep running: Auto Scaling does not terminate them ` +
        '(remove the protection with SetInstanceProtection, or terminate them by hand)',
    );
  }
  if (g.waitingInstances > 0) {
    notes.push(
      `${g.waitingInstances} instance(s) wait in Terminating:Wait for a lifecycle hook: they run until it is completed or its heartbeat runs out`,
    );
  }
  return notes;
}

export const autoScalingBackend: ComputeBackend<AutoScalingTarget, string> = {
  kind: 'asg',
  configKey: 'autoScalingGroup',
  schema: z.string().min(1).max(255),
  label: LABEL,
  toTarget: (name) => ({ kind: 'asg', name }),
  identity: (t) => `asg:${lastSegment(t.name)}`,

  async begin(t, { asg }) {
    const base = {
      kind: 'asg',
      target: t.name,
      shown: { label: LABEL, name: t.name, unit: 'instances' },
      reachedZero: false,
      remaining: 0,
      waitedMs: 0,
    };
    const current = await asg.describeGroup(t.name);
    if (current === null) return finished({ ...base, error: `Auto Scaling group ${t.name} not found` });
    const notes: string[] = [];
    // Only to explain what keeps instances alive: a failed look is said, not a failed teardown.
    const hooks = await asg.describeTerminationHooks(t.name).catch((err: unknown) => {
      notes.push(`could not read the group's lifecycle hooks (${errorMessage(err)})`);
      return [] as TerminationHook[];
    });
    if (current.min !== 0 || current.desired !== 0) await asg.updateGroup(t.name, { min: 0, desired: 0 });
    if (hooks.length > 0) notes.push(hookNote(hooks));
    const report: ScaleDownReport = {
      ...base,
      previous: { min: current.min, desired: current.desired, max: current.max },
      remaining: current.instances,
    };
    return { report: notes.length > 0 ? { ...report, notes } : report, done: false };
  },

  async count(t, { asg }) {
    const g = await asg.describeGroup(t.name);
    if (g === null) return NOTHING_LEFT;
    const held = g.protectedInstances + g.waitingInstances;
    return { remaining: g.instances - held, held, heldNotes: heldNotes(g) };
  },

  async probe(t, { asg }) {
    const g = await asg.describeGroup(t.name);
    if (!g) return { problem: `Auto Scaling group ${t.name} does not exist.` };
    return { found: `Auto Scaling group ${t.name} desired ${g.desired}, ${g.instances} instance(s)` };
  },

  async running(t, { asg }) {
    const g = await asg.describeGroup(t.name);
    return g ? { what: `${LABEL} ${t.name}`, running: Math.max(g.desired, g.instances) } : undefined;
  },

  /**
   * What its instances were launched from (`launch template web version 12`, or each version with
   * its count while they differ); with no instance, what the group would launch.
   */
  async version(t, { asg }) {
    const g = await asg.describeGroup(t.name);
    const running = g?.instanceTemplates ?? [];
    const [only] = running;
    if (running.length === 1 && only) return [`launch template ${only.name} version ${only.version}`];
    if (running.length > 1)
      return [
        `launch templates ${running.map((r) => `${r.name} version ${r.version} (${r.count} instance(s))`).join(', ')}`,
      ];
    if (g?.launchTemplate) {
      const none = g.instances === 0 ? ' (no instance yet)' : '';
      return [`launch template ${g.launchTemplate.name} version ${g.launchTemplate.version}${none}`];
    }
    if (g?.launchConfiguration) return [`launch configuration ${g.launchConfiguration}`];
    return [];
  },
};
