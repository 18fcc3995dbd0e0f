/**
 * `npm run check-config`'s look at AWS: for each service, do its listeners and target groups
 * exist, do they all belong to one load balancer, which slot is live now, and how healthy is
 * each slot. Read-only. Every AWS failure becomes one line, never a stack trace. A read refused
 * for lack of permission (AccessDenied) names the IAM action, the resource and the role it was
 * made as, and the check goes on with the next read, so one run lists every missing permission.
 */

import type { ElbPort } from '../app/ports/elb.js';
import { findForwardSites, liveSlot } from '../domain/forwards.js';
import type { Listener, Rule } from '../domain/load-balancer.js';
import { describePreview, findPreviewRules } from '../domain/preview.js';
import type { ForwardSite } from '../domain/reports.js';
import type { GreenlightConfig, ServiceConfig } from '../domain/service.js';
import { AwsCallError } from '../errors.js';
import { deniedText, isAccessDenied } from './access-denied.js';
import { previewRuleTest } from './preview-rules.js';

export interface CheckResult {
  /** What was found, for people (indented under each service name). */
  lines: string[];
  /** Everything that would make a deployment fail; non-empty means exit non-zero. */
  problems: string[];
}

const NOT_FOUND = new Set([
  'ListenerNotFound',
  'TargetGroupNotFound',
  'LoadBalancerNotFound',
  'RuleNotFound',
]);

function oneLine(err: unknown): string {
  if (err instanceof AwsCallError) return err.message;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** `arn:…:loadbalancer/app/shop/50dc…` and listener ARNs → `app/shop/50dc…`. */
function lbName(arn: string): string {
  return arn.split(':loadbalancer/')[1] ?? arn;
}

/** A failure that is not "this resource does not exist" ends the service's check. */
class Stop extends Error {}

/** What a read is about, when AWS refuses it: the resource, and the role the check reads as. */
interface ReadOf {
  service: string;
  resource: string;
  as?: string | undefined;
}

async function found<T>(
  problems: string[],
  what: string,
  read: () => Promise<T>,
  of?: ReadOf,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof AwsCallError && NOT_FOUND.has(err.code)) {
      problems.push(`${what} does not exist (${err.code}).`);
      return undefined;
    }
    if (of && isAccessDenied(err)) {
      problems.push(`${of.service}: ${deniedText(err, of.resource, of.as)}.`);
      return undefined;
    }
    problems.push(`${what}: ${oneLine(err)}`);
    throw new Stop();
  }
}

function describeSite(site: ForwardSite): string {
  const where =
    site.priority === 'default'
      ? `:${site.port ?? '?'} default`
      : `:${site.port ?? '?'} rule ${site.priority}`;
  return `${where} → ${site.groups.map((g) => `${g.name} ${g.weight}`).join(', ')}`;
}

export interface CheckOptions {
  /** The role the reads are made as (named when AWS refuses one). */
  as?: string;
}

async function checkService(
  svc: ServiceConfig,
  port: ElbPort,
  lines: string[],
  problems: string[],
  opts: CheckOptions = {},
): Promise<void> {
  const of = (resource: string): ReadOf => ({ service: svc.name, resource, as: opts.as });
  const listeners: Listener[] = [];
  for (const arn of svc.listeners) {
    const [l] =
      (await found(
        problems,
        `${svc.name}: listener ${arn}`,
        () => port.describeListeners({ listenerArns: [arn] }),
        of(arn),
      )) ?? [];
    if (!l) continue;
    listeners.push(l);
    lines.push(`  listener :${l.Port ?? '?'} ${l.Protocol ?? ''} on ${lbName(l.LoadBalancerArn)}`.trimEnd());
  }
  const loadBalancers = new Set(listeners.map((l) => l.LoadBalancerArn));
  /** The slots' target groups that exist. */
  const groups: string[] = [];
  for (const [slot, arn] of Object.entries(svc.slots)) {
    const [tg] =
      (await found(
        problems,
        `${svc.name}: slot ${slot} target group ${arn}`,
        () => port.describeTargetGroups([arn]),
        of(arn),
      )) ?? [];
    if (!tg) continue;
    groups.push(arn);
    for (const lb of tg.LoadBalancerArns) loadBalancers.add(lb);
    const targets = await found(
      problems,
      `${svc.name}: slot ${slot} target health`,
      () => port.describeTargetHealth(arn),
      of(arn),
    );
    if (!targets) continue;
    if (tg.LoadBalancerArns.length === 0) {
      // No forward names the group: AWS does not health-check it, its targets read `unused`.
      lines.push(
        `  slot ${slot} (${tg.TargetGroupName}): not attached: health unknown until the first deploy ` +
          `(${targets.length} target(s) registered; /deploy attaches it with its preview rule and waits for its checks)`,
      );
      continue;
    }
    const healthy = targets.filter((t) => t.State === 'healthy').length;
    const others = new Map<string, number>();
    for (const t of targets) if (t.State !== 'healthy') others.set(t.State, (others.get(t.State) ?? 0) + 1);
    const rest = [...others].map(([state, n]) => `${n} ${state}`).join(', ');
    lines.push(
      `  slot ${slot} (${tg.TargetGroupName}): ${healthy}/${targets.length} healthy${rest ? `, ${rest}` : ''}`,
    );
  }
  // Only whether the target groups' tags may be read (the precheck and the surfaces read them to
  // show what runs on each slot): a refusal is a missing permission; the tags are not shown here.
  if (groups.length > 0) {
    const all = groups.join(', ');
    await found(problems, `${svc.name}: tags of ${all}`, () => port.describeTags(groups), of(all));
  }
  if (loadBalancers.size > 1) {
    problems.push(
      `${svc.name}: its listeners and target groups belong to ${loadBalancers.size} load balancers (${[...loadBalancers].map(lbName).join(', ')}); they must all be on one.`,
    );
  }
  if (listeners.length === 0) return;
  const rules = new Map<string, Rule[]>();
  const isPreview = previewRuleTest(svc);
  for (const l of listeners) {
    const all =
      (await found(
        problems,
        `${svc.name}: rules of ${l.ListenerArn}`,
        () => port.describeRules(l.ListenerArn),
        of(l.ListenerArn),
      )) ?? [];
    if (l.ListenerArn === svc.preview.listenerArn) {
      const previews = findPreviewRules(all, svc.preview, svc.name, svc.slots);
      for (const slot of Object.keys(svc.slots)) {
        const rule = previews.get(slot);
        lines.push(
          rule
            ? `  preview ${slot}: :${l.Port ?? '?'} rule ${rule.Priority} (${describePreview(svc.preview, svc.name, slot)})`
            : `  preview ${slot}: none yet (the next /deploy creates it: ${describePreview(svc.preview, svc.name, slot)})`,
        );
      }
    }
    rules.set(
      l.ListenerArn,
      all.filter((r) => !isPreview(r)),
    );
  }
  const sites = findForwardSites(listeners, rules, svc.slots);
  for (const site of sites) lines.push(`  forward ${describeSite(site)}`);
  const live = liveSlot(sites, svc.slots);
  if (sites.length === 0) {
    problems.push(
      `${svc.name}: no forward of its listeners references its slots (${Object.keys(svc.slots).join(', ')}).`,
    );
  } else if (live === null) {
    problems.push(`${svc.name}: no slot receives traffic now (every forward gives the slots weight 0).`);
  } else {
    lines.push(
      live === 'mixed' ? '  live now: mixed (traffic is split between slots)' : `  live now: ${live}`,
    );
  }
  await checkUnconfiguredForwards(svc, port, listeners, problems, of);
}

/**
 * A forward to a slot on a listener that is not in the service's config would be left alone by
 * every cutover (the classic forgotten rule): verification would then fail every time.
 */
async function checkUnconfiguredForwards(
  svc: ServiceConfig,
  port: ElbPort,
  configured: Listener[],
  problems: string[],
  of: (resource: string) => ReadOf,
): Promise<void> {
  const known = new Set(configured.map((l) => l.ListenerArn));
  for (const lbArn of new Set(configured.map((l) => l.LoadBalancerArn))) {
    const all = await found(
      problems,
      `${svc.name}: listeners of ${lbName(lbArn)}`,
      () => port.describeListeners({ loadBalancerArn: lbArn }),
      of(lbArn),
    );
    for (const l of (all ?? []).filter((x) => !known.has(x.ListenerArn))) {
      const rules = await found(
        problems,
        `${svc.name}: rules of ${l.ListenerArn}`,
        () => port.describeRules(l.ListenerArn),
        of(l.ListenerArn),
      );
      const production = (rules ?? []).filter((r) => !previewRuleTest(svc)(r));
      for (const site of findForwardSites([l], new Map([[l.ListenerArn, production]]), svc.slots)) {
        problems.push(
          `${svc.name}: ${describeSite(site)} on listener ${l.ListenerArn}, which is not in the service's listeners: a cutover would not switch it.`,
        );
      }
    }
  }
}

export async function checkConfig(
  config: GreenlightConfig,
  port: ElbPort,
  opts: CheckOptions = {},
): Promise<CheckResult> {
  const lines: string[] = [];
  const problems: string[] = [];
  for (const name of Object.keys(config.services).sort()) {
    const svc = config.services[name] as ServiceConfig;
    lines.push(`${name}:`);
    try {
      await checkService(svc, port, lines, problems, opts);
    } catch (err) {
      if (!(err instanceof Stop)) problems.push(`${name}: ${oneLine(err)}`);
      lines.push('  (check stopped: see the problems below)');
    }
  }
  return { lines, problems };
}
