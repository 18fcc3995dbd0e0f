/**
 * Attaching and detaching slots: each slot's preview rule (src/domain/preview.ts) is created when
 * a slot needs to be named by a forward — so AWS health-checks it — and deleted when the slot is
 * torn down. Creating a rule is the only way Greenlight adds to a load balancer; it never sends
 * production traffic (production requests carry no preview header).
 */
import { randomInt } from 'node:crypto';
import type { ElbPort } from '../app/ports/elb.js';
import type { AttachedSlot } from '../app/ports/traffic-router.js';
import type { Rule } from '../domain/load-balancer.js';
import {
  findPreviewRules,
  isPreviewRuleOf,
  previewActions,
  previewConditions,
  previewPriority,
} from '../domain/preview.js';
import type { ServiceConfig } from '../domain/service.js';
import { AwsCallError } from '../errors.js';

export type PreviewService = Pick<ServiceConfig, 'name' | 'slots' | 'preview'>;

/** True for a rule that is one of the service's preview rules (not production traffic). */
export function previewRuleTest(svc: PreviewService): (rule: Rule) => boolean {
  return (rule) =>
    Object.entries(svc.slots).some(([slot, arn]) => isPreviewRuleOf(rule, svc.preview, svc.name, slot, arn));
}

export interface PreviewState {
  /** Slot → its preview rule, as read. */
  rules: Map<string, Rule>;
  /** The rules created now, one per slot that had none. */
  created: AttachedSlot[];
}

/** How often a CreateRule that lost a priority race is tried again with a fresh read. */
const CREATE_ATTEMPTS = 8;

function usedPriorities(rules: Rule[]): Set<number> {
  return new Set(rules.filter((r) => !r.IsDefault).map((r) => Number(r.Priority)));
}

/**
 * Makes sure each of `slots` (default: all the service's slots) has its preview rule, creating
 * the missing ones (in the config's slot order). Idempotent: a rule that exists is found by its
 * conditions and left alone. A priority taken meanwhile (PriorityInUse) is retried with the next
 * free one; TooManyRules and other failures are thrown (AwsCallError).
 */
export async function ensurePreviewRules(
  port: ElbPort,
  svc: PreviewService,
  slots: string[] = Object.keys(svc.slots),
): Promise<PreviewState> {
  const created: AttachedSlot[] = [];
  const order = Object.keys(svc.slots);
  for (let attempt = 1; ; attempt += 1) {
    const rules = await port.describeRules(svc.preview.listenerArn);
    const found = findPreviewRules(rules, svc.preview, svc.name, svc.slots);
    const missing = slots.filter((s) => !found.has(s) && svc.slots[s] !== undefined);
    if (missing.length === 0) return { rules: found, created };
    const used = usedPriorities(rules);
    try {
      for (const slot of missing) {
        const index = order.indexOf(slot);
        // After a race, a random one of the next few free priorities: services prechecking at
        // once on one listener would otherwise all take the lowest free one again.
        const skip = attempt === 1 ? 0 : randomInt(0, 8 * attempt);
        const priority = previewPriority(svc.preview, index, used, skip);
        if (priority === null) {
          throw new AwsCallError(
            'CreateRule',
            'PriorityInUse',
            svc.preview.priority !== undefined
              ? `priority ${svc.preview.priority + index} (preview.priority + ${index}) is taken by another rule`
              : 'no rule priority is free on the preview listener',
          );
        }
        const rule = await port.createRule(
          svc.preview.listenerArn,
          priority,
          previewConditions(svc.preview, svc.name, slot),
          previewActions(svc.slots[slot] as string),
        );
        used.add(priority);
        found.set(slot, rule);
        created.push({ slot, ruleArn: rule.RuleArn, priority });
      }
      return { rules: found, created };
    } catch (err) {
      // Taken meanwhile — by another writer, or by our own rule whose CreateRule answer was lost:
      // read again (the rule is then found) and take the next free priority.
      const raced = err instanceof AwsCallError && err.code === 'PriorityInUse';
      if (!raced || attempt >= CREATE_ATTEMPTS) throw err;
    }
  }
}

/**
 * Deletes the slot's preview rule(s) (teardown, once the slot drained): AWS stops health-checking
 * it. Returns the priority of the rule deleted, or null when it had none (already detached).
 */
export async function detachSlot(port: ElbPort, svc: PreviewService, slot: string): Promise<number | null> {
  const arn = svc.slots[slot];
  if (arn === undefined) return null;
  const rules = (await port.describeRules(svc.preview.listenerArn)).filter((r) =>
    isPreviewRuleOf(r, svc.preview, svc.name, slot, arn),
  );
  for (const rule of rules) {
    try {
      await port.deleteRule(rule.RuleArn);
    } catch (err) {
      if (!(err instanceof AwsCallError && err.code === 'RuleNotFound')) throw err;
    }
  }
  return rules[0] ? Number(rules[0].Priority) : null;
}
