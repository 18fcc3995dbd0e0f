/**
 * What the ALB's forward actions say about a service's slots, and how to rewrite them. Pure.
 *
 * A "forward" is an action of type `forward`: either the plain form `{ TargetGroupArn }` (one
 * group, weight 1) or `{ ForwardConfig: { TargetGroups: [{ TargetGroupArn, Weight }] } }`.
 * AWS's describe calls return both forms at once for a single group; both are read here.
 */
import type { Action, Listener, Rule, TargetGroupTuple } from './load-balancer.js';
import type { ForwardSite, LiveSlot, Offender, WeightedGroup } from './reports.js';

export const MAX_WEIGHT = 999;
/** Group stickiness duration set by rewriteActions when AWS requires group stickiness (1 h). */
export const DEFAULT_GROUP_STICKINESS_SECONDS = 3600;

/** The target groups of a forward action (weights defaulted to 1), or null for any other action. */
export function forwardGroups(action: Action): TargetGroupTuple[] | null {
  if (action.Type !== 'forward') return null;
  const tuples = action.ForwardConfig?.TargetGroups;
  if (tuples && tuples.length > 0) {
    return tuples.map((t) => ({ TargetGroupArn: t.TargetGroupArn, Weight: t.Weight ?? 1 }));
  }
  if (action.TargetGroupArn) return [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }];
  return [];
}

/** `arn:…:targetgroup/checkout-blue/73e2…` → `checkout-blue`. */
export function targetGroupName(arn: string): string {
  const m = /:targetgroup\/([^/]+)\//.exec(arn);
  return m?.[1] ?? arn;
}

function slotOfArn(slots: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(slots).map(([slot, arn]) => [arn, slot]));
}

function referencesSlot(action: Action, arns: Map<string, string>): TargetGroupTuple[] | null {
  const groups = forwardGroups(action);
  if (!groups?.some((g) => arns.has(g.TargetGroupArn))) return null;
  return groups;
}

export interface Location {
  listenerArn: string;
  port?: number;
  priority: string;
  ruleArn?: string;
}

/** The slot-referencing forwards of one action list (a listener's defaults or one rule). */
export function sitesOfActions(
  at: Location,
  actions: Action[],
  slots: Record<string, string>,
): ForwardSite[] {
  const arns = slotOfArn(slots);
  const out: ForwardSite[] = [];
  for (const action of actions) {
    const groups = referencesSlot(action, arns);
    if (!groups) continue;
    const site: ForwardSite = {
      ...at,
      groups: groups.map<WeightedGroup>((g) => ({
        name: arns.get(g.TargetGroupArn) ?? targetGroupName(g.TargetGroupArn),
        arn: g.TargetGroupArn,
        weight: g.Weight ?? 1,
      })),
    };
    const sticky = action.ForwardConfig?.TargetGroupStickinessConfig;
    if (sticky) {
      site.groupStickiness = { enabled: sticky.Enabled === true };
      if (sticky.DurationSeconds !== undefined) site.groupStickiness.durationSeconds = sticky.DurationSeconds;
    }
    out.push(site);
  }
  return out;
}

function byPriority(a: Rule, b: Rule): number {
  return Number(a.Priority) - Number(b.Priority);
}

/** Non-default rules in priority order (the listener's DefaultActions stand for the default rule). */
export function orderedRules(rules: Rule[] | undefined): Rule[] {
  return (rules ?? []).filter((r) => !r.IsDefault).sort(byPriority);
}

function location(listener: Listener, priority: string, ruleArn?: string): Location {
  const at: Location = { listenerArn: listener.ListenerArn, priority };
  if (listener.Port !== undefined) at.port = listener.Port;
  if (ruleArn !== undefined) at.ruleArn = ruleArn;
  return at;
}

/**
 * Every action list of the listeners, in evaluation order per listener: the default actions, then
 * each non-default rule by priority. `at.ruleArn` is absent for the default actions.
 */
export function actionLists(
  listeners: Listener[],
  rulesByListener: Map<string, Rule[]>,
): { at: Location; actions: Action[] }[] {
  return listeners.flatMap((l) => [
    { at: location(l, 'default'), actions: l.DefaultActions },
    ...orderedRules(rulesByListener.get(l.ListenerArn)).map((r) => ({
      at: location(l, r.Priority, r.RuleArn),
      actions: r.Actions,
    })),
  ]);
}

/**
 * What a switch locks for one forward site (src/store/forward-lock.ts): the rule's ARN, or the
 * listener's ARN for its default actions (ModifyRule and ModifyListener each replace one list).
 */
export function forwardSiteKey(at: { listenerArn: string; ruleArn?: string }): string {
  return at.ruleArn ?? `${at.listenerArn}#default`;
}

/** Every listener default action and rule action that forwards to any of the slots. */
export function findForwardSites(
  listeners: Listener[],
  rulesByListener: Map<string, Rule[]>,
  slots: Record<string, string>,
): ForwardSite[] {
  return actionLists(listeners, rulesByListener).flatMap(({ at, actions }) =>
    sitesOfActions(at, actions, slots),
  );
}

/** The slot that receives all slot weight across the sites; `mixed` when split; null when none. */
export function liveSlot(sites: ForwardSite[], slots: Record<string, string>): LiveSlot {
  const arns = slotOfArn(slots);
  const receiving = new Set<string>();
  for (const site of sites) {
    for (const g of site.groups) {
      const slot = arns.get(g.arn);
      if (slot !== undefined && g.weight > 0) receiving.add(slot);
    }
  }
  if (receiving.size === 0) return null;
  if (receiving.size > 1) return 'mixed';
  return [...receiving][0] as string;
}

function sameTuples(a: TargetGroupTuple[], b: TargetGroupTuple[]): boolean {
  return (
    a.length === b.length &&
    a.every((t, i) => t.TargetGroupArn === b[i]?.TargetGroupArn && (t.Weight ?? 1) === (b[i]?.Weight ?? 1))
  );
}

/**
 * Rewrites one forward so that, among the slots, only the target slot receives traffic.
 * Returns null when the forward does not touch the slots or already says exactly that.
 *
 * Choices (each one matters on a real ALB: docs/platform-facts.md, "ALB forwards, weights and
 * stickiness"):
 * - Every other slot's group is removed, not set to weight 0: group stickiness (cookie AWSALBTG)
 *   takes precedence over weights, so a weight-0 group that is still listed keeps clients that
 *   hold its cookie. A group that is no longer in the forward cannot hold anyone.
 * - The target slot takes the place of the first slot group, with the weight the slots had
 *   together: max(1, sum), capped at 999. Groups that are not slots keep their place and weight.
 * - With one group left, TargetGroupStickinessConfig is dropped: group stickiness is a setting
 *   of forwards that span several groups.
 * - With several groups left and one of them in `sticky` (target-group stickiness on), group
 *   stickiness is enabled if it is not already, keeping its DurationSeconds or taking
 *   DEFAULT_GROUP_STICKINESS_SECONDS: AWS rejects a multi-group forward holding a sticky group
 *   without it. (Clients then stay on the group they landed on for that long.)
 * - The top-level TargetGroupArn may only name the single group of the ForwardConfig: it is kept
 *   (pointing at the one remaining group) when the action used it, and removed otherwise.
 * - Order and every other field of the action are kept as they are.
 */
function rewriteForward(
  action: Action,
  arns: Map<string, string>,
  targetArn: string,
  sticky: ReadonlySet<string>,
): Action | null {
  const groups = referencesSlot(action, arns);
  if (!groups) return null;
  const slotWeight = groups
    .filter((g) => arns.has(g.TargetGroupArn))
    .reduce((s, g) => s + (g.Weight ?? 1), 0);
  const weight = Math.min(MAX_WEIGHT, Math.max(1, slotWeight));
  const next: TargetGroupTuple[] = [];
  let placed = false;
  for (const g of groups) {
    if (!arns.has(g.TargetGroupArn)) next.push({ TargetGroupArn: g.TargetGroupArn, Weight: g.Weight ?? 1 });
    else if (!placed) {
      next.push({ TargetGroupArn: targetArn, Weight: weight });
      placed = true;
    }
  }
  const single = next.length === 1;
  const groupSticky = action.ForwardConfig?.TargetGroupStickinessConfig;
  const needsGroupSticky =
    !single && groupSticky?.Enabled !== true && next.some((g) => sticky.has(g.TargetGroupArn));
  const conflictingArn =
    action.TargetGroupArn !== undefined && (!single || action.TargetGroupArn !== next[0]?.TargetGroupArn);
  if (
    sameTuples(groups, next) &&
    !(single && groupSticky?.Enabled === true) &&
    !conflictingArn &&
    !needsGroupSticky
  )
    return null;

  const out: Action = { ...action };
  if (action.ForwardConfig !== undefined || !single) {
    const config = { ...action.ForwardConfig, TargetGroups: next };
    if (single) delete config.TargetGroupStickinessConfig;
    if (needsGroupSticky)
      config.TargetGroupStickinessConfig = {
        Enabled: true,
        DurationSeconds: groupSticky?.DurationSeconds ?? DEFAULT_GROUP_STICKINESS_SECONDS,
      };
    out.ForwardConfig = config;
  }
  if (single && action.TargetGroupArn !== undefined) out.TargetGroupArn = next[0]?.TargetGroupArn;
  else delete out.TargetGroupArn;
  return out;
}

/**
 * The action list with every slot-referencing forward pointed at `targetSlot` (see
 * rewriteForward), or null when nothing needs to change (a re-run after success is a no-op).
 * Non-forward actions (authenticate-*, redirect, fixed-response, …) are returned untouched.
 *
 * `stickyTargetGroups`: ARNs of target groups whose target-group stickiness is on
 * (`stickiness.enabled`). This function does not read attributes; the caller passes them so that a
 * rewritten forward that keeps several groups, one of them sticky, gets group stickiness enabled
 * (AWS rejects it otherwise). Without it, group stickiness is left as it is.
 */
export function rewriteActions(
  actions: Action[],
  slots: Record<string, string>,
  targetSlot: string,
  stickyTargetGroups: ReadonlySet<string> = new Set(),
): Action[] | null {
  const targetArn = slots[targetSlot];
  if (targetArn === undefined)
    throw new Error(`"${targetSlot}" is not one of the slots ${Object.keys(slots).join(', ')}`);
  const arns = slotOfArn(slots);
  let changed = false;
  const out = actions.map((a) => {
    const rewritten = rewriteForward(a, arns, targetArn, stickyTargetGroups);
    if (!rewritten) return a;
    changed = true;
    return rewritten;
  });
  return changed ? out : null;
}

/** True when every slot weight of the site goes to the target slot (and the target gets some). */
export function siteSendsAllTo(
  site: ForwardSite,
  slots: Record<string, string>,
  targetSlot: string,
): boolean {
  const arns = slotOfArn(slots);
  const slotGroups = site.groups.filter((g) => arns.has(g.arn));
  return (
    slotGroups.some((g) => g.arn === slots[targetSlot] && g.weight > 0) &&
    slotGroups.every((g) => g.arn === slots[targetSlot] || g.weight === 0)
  );
}

/**
 * Every default action and rule (of all the given listeners) that can still send traffic to the
 * old group: it forwards to it with weight > 0 (`reason: 'weight'`), or lists it at weight 0 in a
 * forward with group stickiness on (`reason: 'stickiness'`, weight 0): group stickiness takes
 * precedence over weights, so clients holding its AWSALBTG cookie keep going to the old group.
 */
export function findOffenders(
  listeners: Listener[],
  rulesByListener: Map<string, Rule[]>,
  oldTargetGroupArn: string,
): Offender[] {
  const out: Offender[] = [];
  for (const { at, actions } of actionLists(listeners, rulesByListener)) {
    for (const action of actions) {
      const old = (forwardGroups(action) ?? []).filter((g) => g.TargetGroupArn === oldTargetGroupArn);
      const weight = old.reduce((s, g) => s + (g.Weight ?? 1), 0);
      if (weight > 0) out.push({ ...at, weight, reason: 'weight' });
      else if (old.length > 0 && action.ForwardConfig?.TargetGroupStickinessConfig?.Enabled === true)
        out.push({ ...at, weight: 0, reason: 'stickiness' });
    }
  }
  return out;
}

/** `port 443 default action` / `port 80 rule 30`: where an offender sits, for one-line reasons. */
export function offenderPlace(o: Pick<Offender, 'port' | 'priority'>): string {
  return `port ${o.port ?? '?'} ${o.priority === 'default' ? 'default action' : `rule ${o.priority}`}`;
}
