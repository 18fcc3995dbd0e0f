/**
 * Checks of `compute` and `hourlyCost` that the schema cannot express, run on the raw data so that
 * they are reported with every other problem (an entry that is itself invalid is left to the
 * schema's problem):
 * - each names a configured slot;
 * - no two slots of a service, and no two services, scale the same ECS service or Auto Scaling
 *   group (tearing one down would scale the other to zero; a webhook may serve several);
 * - a signed backend (a webhook) needs the service's hooks.secretEnv.
 */
import {
  computeIdentity,
  exclusiveComputeLabels,
  type RawComputeEntry,
  signedComputeLabels,
  toComputeTarget,
} from '../compute/registry.js';
import { closestName } from './did-you-mean.js';
import { computeTargetSchema } from './evidence-schema.js';
import { type ConfigProblem, isObject, problem } from './problem.js';

/** The service's compute entries that are valid, by slot. */
function validEntries(svc: Record<string, unknown>): [string, RawComputeEntry][] {
  if (!isObject(svc.compute)) return [];
  return Object.entries(svc.compute).flatMap(([slot, entry]): [string, RawComputeEntry][] => {
    const parsed = computeTargetSchema.safeParse(entry);
    return parsed.success ? [[slot, parsed.data]] : [];
  });
}

function slotNames(name: string, svc: Record<string, unknown>): ConfigProblem[] {
  if (!isObject(svc.slots)) return [];
  const slots = Object.keys(svc.slots);
  const out: ConfigProblem[] = [];
  for (const key of ['compute', 'hourlyCost']) {
    const perSlot = svc[key];
    if (!isObject(perSlot)) continue;
    for (const slot of Object.keys(perSlot)) {
      if (!Object.hasOwn(svc.slots, slot)) {
        const near = closestName(slot, slots);
        out.push(
          problem(
            ['services', name, key, slot],
            `no slot named ${slot}${near ? `; did you mean ${near}?` : ''} (slots are ${slots.join(', ')})`,
            'key',
          ),
        );
      }
    }
  }
  return out;
}

function sameComputeTwice(name: string, svc: Record<string, unknown>): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const seen = new Map<string, string>();
  for (const [slot, entry] of validEntries(svc)) {
    const id = JSON.stringify(entry);
    const other = seen.get(id);
    if (other) {
      out.push(
        problem(
          ['services', name, 'compute', slot],
          `the same compute as slot ${other}: tearing one slot down would scale the other to zero`,
        ),
      );
    }
    seen.set(id, slot);
  }
  return out;
}

function unsigned(name: string, svc: Record<string, unknown>): ConfigProblem[] {
  const hooks = isObject(svc.hooks) ? svc.hooks : undefined;
  if (!isObject(svc.compute) || hooks?.secretEnv) return [];
  return Object.entries(svc.compute).flatMap(([slot, entry]) =>
    isObject(entry)
      ? signedComputeLabels(entry).map((label) =>
          problem(
            ['services', name, 'compute', slot],
            `a scale-down ${label} needs hooks.secretEnv (it is signed like every hook)`,
          ),
        )
      : [],
  );
}

/** One ECS service or Auto Scaling group behind two services. */
function sharedAcrossServices(services: Record<string, unknown>): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const owner = new Map<string, string>();
  for (const [name, svc] of Object.entries(services)) {
    if (!isObject(svc)) continue;
    for (const [slot, entry] of validEntries(svc)) {
      const id = computeIdentity(toComputeTarget(entry));
      if (id === null) continue;
      const first = owner.get(id);
      if (first && !first.startsWith(`${name}.`)) {
        out.push(
          problem(
            ['services', name, 'compute', slot],
            `the same compute as services.${first}: tearing one service down would scale the other's capacity to zero; give each service its own ${exclusiveComputeLabels()}`,
          ),
        );
      } else if (!first) owner.set(id, `${name}.compute.${slot}`);
    }
  }
  return out;
}

export function computeProblems(services: Record<string, unknown>): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const [name, svc] of Object.entries(services)) {
    if (!isObject(svc)) continue;
    out.push(...slotNames(name, svc), ...sameComputeTwice(name, svc), ...unsigned(name, svc));
  }
  return [...out, ...sharedAcrossServices(services)];
}
