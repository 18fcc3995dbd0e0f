/**
 * Preview rules: how every slot of a service stays named by a forward — so AWS keeps
 * health-checking it — without receiving production traffic. Pure.
 *
 * AWS health-checks only the targets of target groups that a listener rule names; the targets of
 * a group no forward names read `unused` (`Target.NotInUse`), and read `initial` again for
 * `HealthyThresholdCount` checks once a forward names it again (docs/platform-facts.md, "ALB
 * target health and draining"). A cutover removes the old slot from
 * every production forward (so group stickiness cannot hold clients on it); without a preview
 * rule the old slot would then go unchecked for the whole soak, and Rollback could not know it is
 * healthy.
 *
 * So each slot has one rule of its own on the service's preview listener: its only condition
 * matches a request header (default `X-Greenlight-Slot: <service>/<slot>`) or a host that only
 * test requests carry, and it forwards to that slot alone. Production clients never match it; a
 * person can (CodeDeploy's test listener and Argo Rollouts' preview service do the same). The
 * rules stay through cutovers and rollbacks — only the production forwards move — and a slot's
 * rule is deleted when the slot is torn down (detached) and created again by the next deploy to
 * it (attached).
 */

import { forwardGroups } from './forwards.js';
import type { Action, Rule, RuleCondition } from './load-balancer.js';

export const DEFAULT_PREVIEW_HEADER = 'X-Greenlight-Slot';

/** Where and how a service's preview rules match (resolved from the config's `preview`). */
export interface PreviewSettings {
  /** The listener that holds the preview rules (default: the service's first listener). */
  listenerArn: string;
  /** Header name matched; the value is `<service>/<slot>`. Absent when `host` is used. */
  header?: string;
  /** Host template with `{slot}` (and optionally `{service}`), e.g. `{slot}.checkout.preview.example.com`. */
  host?: string;
  /** Priority of the first slot's rule; the next slots take the next ones. Absent: lowest free. */
  priority?: number;
  /** Shown to approvers: where to send preview requests (e.g. https://shop.example.com). */
  url?: string;
}

/** The header value or host that reaches one slot. */
export function previewMatch(p: PreviewSettings, service: string, slot: string): string {
  if (p.host !== undefined) return p.host.replaceAll('{service}', service).replaceAll('{slot}', slot);
  return `${service}/${slot}`;
}

/** The conditions of a slot's preview rule, as CreateRule takes them. */
export function previewConditions(p: PreviewSettings, service: string, slot: string): RuleCondition[] {
  const value = previewMatch(p, service, slot);
  if (p.host !== undefined) return [{ Field: 'host-header', HostHeaderConfig: { Values: [value] } }];
  return [
    {
      Field: 'http-header',
      HttpHeaderConfig: { HttpHeaderName: p.header ?? DEFAULT_PREVIEW_HEADER, Values: [value] },
    },
  ];
}

/** A condition as a comparable string: field, header name and values, case-insensitive (as AWS matches them). */
function conditionKey(c: RuleCondition): string {
  const field = String(c.Field ?? '').toLowerCase();
  const name = field === 'http-header' ? String(c.HttpHeaderConfig?.HttpHeaderName ?? '').toLowerCase() : '';
  const configured =
    field === 'http-header'
      ? c.HttpHeaderConfig?.Values
      : field === 'host-header'
        ? c.HostHeaderConfig?.Values
        : field === 'path-pattern'
          ? c.PathPatternConfig?.Values
          : undefined;
  const values = (configured && configured.length > 0 ? configured : (c.Values ?? []))
    .map((v) => String(v).toLowerCase())
    .sort();
  return `${field}|${name}|${values.join(',')}`;
}

function sameConditions(a: RuleCondition[], b: RuleCondition[]): boolean {
  const ka = a.map(conditionKey).sort();
  const kb = b.map(conditionKey).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}

/** True when the rule is the slot's preview rule: its conditions, forwarding to that slot alone. */
export function isPreviewRuleOf(
  rule: Rule,
  p: PreviewSettings,
  service: string,
  slot: string,
  slotArn: string,
): boolean {
  if (rule.IsDefault || !sameConditions(rule.Conditions ?? [], previewConditions(p, service, slot)))
    return false;
  const forwards = rule.Actions.map(forwardGroups).filter((g) => g !== null);
  return forwards.length === 1 && forwards[0]?.every((g) => g.TargetGroupArn === slotArn) === true;
}

/** The preview rule of each slot among the preview listener's rules (slot → rule). */
export function findPreviewRules(
  rules: Rule[],
  p: PreviewSettings,
  service: string,
  slots: Record<string, string>,
): Map<string, Rule> {
  const out = new Map<string, Rule>();
  for (const [slot, arn] of Object.entries(slots)) {
    const rule = rules.find((r) => isPreviewRuleOf(r, p, service, slot, arn));
    if (rule) out.set(slot, rule);
  }
  return out;
}

/**
 * The regex of the hosts the preview host template gives this service's slots. `{slot}` stands for
 * the configured slot names only: `{slot}.{service}.example.com` must not take the production
 * host `api.checkout.example.com` for a preview rule.
 */
function hostTemplatePattern(template: string, service: string, slots: string[]): RegExp {
  const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const slot = `(?:${slots.map(esc).join('|')})`;
  const source = template
    .split(/(\{service\}|\{slot\})/)
    .map((part) => (part === '{service}' ? esc(service) : part === '{slot}' ? slot : esc(part)))
    .join('');
  return new RegExp(`^${source}$`, 'i');
}

/**
 * Is this single condition how Greenlight marks a preview rule — today's or an earlier one? An
 * http-header condition whose value is Greenlight's `<service>/<slot>` (whatever the header's
 * name: it may have been renamed) or whose header is the configured preview header; a host-header
 * condition only when the config uses preview hosts and the host fits the template. A plain
 * production host rule (`checkout.example.com` → blue, the usual way to put many services on one
 * load balancer) is none of these.
 */
function previewShaped(c: RuleCondition, p: PreviewSettings, service: string, slots: string[]): boolean {
  const field = String(c.Field ?? '').toLowerCase();
  if (field === 'http-header') {
    const name = String(c.HttpHeaderConfig?.HttpHeaderName ?? '').toLowerCase();
    const values = (c.HttpHeaderConfig?.Values ?? c.Values ?? []).map((v) => String(v).toLowerCase());
    const ours = new Set(slots.map((slot) => `${service}/${slot}`.toLowerCase()));
    return name === (p.header ?? DEFAULT_PREVIEW_HEADER).toLowerCase() || values.some((v) => ours.has(v));
  }
  if (field === 'host-header' && p.host !== undefined) {
    const pattern = hostTemplatePattern(p.host, service, slots);
    return (c.HostHeaderConfig?.Values ?? c.Values ?? []).some((v) => pattern.test(String(v)));
  }
  return false;
}

/**
 * Rules that look like a preview rule of one of the slots but are not today's: their only
 * condition is shaped like Greenlight's preview match (see `previewShaped`) and they forward to
 * that slot alone. They come from an earlier configuration (another header name, another host
 * template) — or someone copied one by hand. Greenlight cannot tell them from production forwards,
 * so the precheck refuses to go on until they are deleted or the config names them again.
 */
export function strayPreviewRules(
  rules: Rule[],
  p: PreviewSettings,
  service: string,
  slots: Record<string, string>,
): { rule: Rule; slot: string }[] {
  const current = new Set([...findPreviewRules(rules, p, service, slots).values()]);
  const out: { rule: Rule; slot: string }[] = [];
  for (const rule of rules) {
    if (rule.IsDefault || current.has(rule)) continue;
    const conditions = rule.Conditions ?? [];
    const [only] = conditions;
    if (conditions.length !== 1 || !only || !previewShaped(only, p, service, Object.keys(slots))) continue;
    const forwards = rule.Actions.map(forwardGroups).filter((g) => g !== null);
    const arns = new Set(forwards.flatMap((g) => g.map((t) => t.TargetGroupArn)));
    const slot = Object.entries(slots).find(([, arn]) => arns.size === 1 && arns.has(arn))?.[0];
    if (slot && forwards.length === 1) out.push({ rule, slot });
  }
  return out;
}

/** The forward a slot's preview rule holds. */
export function previewActions(slotArn: string): Action[] {
  return [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: slotArn, Weight: 1 }] } }];
}

/** Rule priorities are 1–50000 (docs/platform-facts.md, "ALB forwards, weights and stickiness"). */
export const MAX_PRIORITY = 50_000;

/**
 * The priority for a new preview rule of the slot at `index` (slot order of the config): the
 * configured base + index when set, else the lowest priority no rule of the listener uses. A low
 * number is evaluated first, so a preview request reaches its slot whatever path it asks for
 * (unless a lower-numbered rule matches it first); production requests carry no preview header and
 * never match it. Evaluated first also means before rules that authenticate users: see
 * `authenticatingActions`. Null when none is free.
 */
export function previewPriority(
  p: PreviewSettings,
  index: number,
  used: ReadonlySet<number>,
  skip = 0,
): number | null {
  if (p.priority !== undefined) {
    const wanted = p.priority + index;
    return wanted <= MAX_PRIORITY && !used.has(wanted) ? wanted : null;
  }
  // `skip`: take a later free one (after a race, so that many writers stop picking the same).
  let left = skip;
  let last: number | null = null;
  for (let n = 1; n <= MAX_PRIORITY; n += 1) {
    if (used.has(n)) continue;
    if (left === 0) return n;
    last = n;
    left -= 1;
  }
  return last;
}

/**
 * Where the production forwards of the service authenticate users (authenticate-oidc,
 * authenticate-cognito, jwt-validation): its preview rules do not, so anyone who sends the
 * preview header reaches the slots without signing in. Said as a warning with the fix.
 */
export function authenticatingActions(actionLists: Action[][]): string[] {
  const kinds = new Set<string>();
  for (const actions of actionLists) {
    for (const a of actions)
      if (a.Type.startsWith('authenticate-') || a.Type === 'jwt-validation') kinds.add(a.Type);
  }
  return [...kinds].sort();
}

/** How a person reaches a slot's preview: `header X-Greenlight-Slot: checkout/green` or `host …`. */
export function describePreview(p: PreviewSettings, service: string, slot: string): string {
  const match = previewMatch(p, service, slot);
  return p.host !== undefined ? `host ${match}` : `header ${p.header ?? DEFAULT_PREVIEW_HEADER}: ${match}`;
}

/** A command that sends one preview request, when the config gives a URL. */
export function previewCommand(p: PreviewSettings, service: string, slot: string): string | undefined {
  const match = previewMatch(p, service, slot);
  if (p.host !== undefined) return `curl https://${match}/`;
  if (p.url === undefined) return undefined;
  return `curl -H '${p.header ?? DEFAULT_PREVIEW_HEADER}: ${match}' ${p.url}`;
}
