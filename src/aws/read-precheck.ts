/**
 * The precheck's look at the load balancer: the live slot, the forwards that touch
 * the slots, every slot's stickiness, the target slot's health and health-check settings — and the
 * target slot attached by its preview rule, created here when missing (src/domain/preview.ts), so
 * that AWS health-checks it before anyone approves.
 */

import type { ElbPort } from '../app/ports/elb.js';
import type { AttachedSlot, PrecheckReading } from '../app/ports/traffic-router.js';
import { actionLists, findForwardSites, forwardGroups, liveSlot } from '../domain/forwards.js';
import { AWS_DEFAULT_HEALTH_CHECK, type HealthCheckTiming } from '../domain/health-wait.js';
import type { Listener, Rule, TargetGroupInfo } from '../domain/load-balancer.js';
import { describeSite, evaluatePrecheck, stickinessOf } from '../domain/precheck.js';
import {
  authenticatingActions,
  describePreview,
  findPreviewRules,
  strayPreviewRules,
} from '../domain/preview.js';
import type { LiveSlot, PreviewRoute, SlotHealth, SlotStickiness, TargetState } from '../domain/reports.js';
import type { ServiceConfig } from '../domain/service.js';
import { ensurePreviewRules, previewRuleTest } from './preview-rules.js';
import { readListeners } from './switch-forwards.js';

/** The live slot as the load balancer says now (never a cache); preview rules are not traffic. */
export async function readLiveSlot(
  port: ElbPort,
  svc: Pick<ServiceConfig, 'name' | 'listeners' | 'slots' | 'preview'>,
): Promise<LiveSlot> {
  const snap = await readListeners(port, svc.listeners, previewRuleTest(svc));
  return liveSlot(findForwardSites(snap.listeners, snap.rulesByListener, svc.slots), svc.slots);
}

export async function readSlotHealth(
  port: ElbPort,
  slot: string,
  targetGroupArn: string,
): Promise<SlotHealth> {
  const targets = (await port.describeTargetHealth(targetGroupArn)).map<TargetState>((t) => {
    const s: TargetState = { id: t.Id, state: t.State };
    if (t.Port !== undefined) s.port = t.Port;
    if (t.Reason !== undefined) s.reason = t.Reason;
    return s;
  });
  return {
    slot,
    targetGroupArn,
    targets,
    healthy: targets.filter((t) => t.state === 'healthy').length,
    total: targets.length,
  };
}

/** A group's health-check timing, AWS's HTTP defaults for what DescribeTargetGroups leaves out. */
export function healthCheckTiming(group: TargetGroupInfo | undefined): HealthCheckTiming {
  return {
    intervalSeconds: group?.HealthCheckIntervalSeconds ?? AWS_DEFAULT_HEALTH_CHECK.intervalSeconds,
    healthyThreshold: group?.HealthyThresholdCount ?? AWS_DEFAULT_HEALTH_CHECK.healthyThreshold,
  };
}

function previewRoutes(
  svc: ServiceConfig,
  listeners: Listener[],
  rules: Map<string, { Priority: string }>,
  attached: AttachedSlot[],
): PreviewRoute[] {
  const port = listeners.find((l) => l.ListenerArn === svc.preview.listenerArn)?.Port;
  return Object.keys(svc.slots).flatMap((slot) => {
    const rule = rules.get(slot);
    if (!rule) return [];
    const at = { listenerArn: svc.preview.listenerArn, priority: rule.Priority, ...(port ? { port } : {}) };
    return [
      {
        slot,
        place: describeSite(at),
        match: describePreview(svc.preview, svc.name, slot),
        attachedNow: attached.some((a) => a.slot === slot),
      },
    ];
  });
}

/**
 * Reads forwards, stickiness and the target slot's health and judges them; when nothing else
 * blocks, attaches every slot (creates the preview rules it lacks, the target's first) and reads
 * the target's health again. `mayWait`: targets still being judged are not problems yet. The
 * cutover checks the rules again before it moves anything, and creates one only if it was deleted
 * meanwhile.
 */
export async function readPrecheck(
  port: ElbPort,
  svc: ServiceConfig,
  targetSlot: string,
  opts: {
    mayWait?: boolean;
    /**
     * Where preview rules are created and their priorities read: a port that reads fresh, when
     * `port`'s listener and rule reads are shared (src/aws/shared-reads.ts).
     */
    attachWith?: ElbPort;
  } = {},
): Promise<PrecheckReading> {
  const targetArn = svc.slots[targetSlot];
  const listenerArns = [...new Set([...svc.listeners, svc.preview.listenerArn])];
  const isPreview = previewRuleTest(svc);
  const listeners = await port.describeListeners({ listenerArns });
  const allRules = new Map<string, Rule[]>();
  for (const l of listeners) allRules.set(l.ListenerArn, await port.describeRules(l.ListenerArn));
  const production = new Map([...allRules].map(([arn, rules]) => [arn, rules.filter((r) => !isPreview(r))]));
  const configured = listeners.filter((l) => svc.listeners.includes(l.ListenerArn));
  const sites = findForwardSites(configured, production, svc.slots);
  const stickiness: SlotStickiness[] = [];
  for (const [slot, arn] of Object.entries(svc.slots)) {
    stickiness.push(stickinessOf(slot, await port.describeTargetGroupAttributes(arn)));
  }
  const [group] = targetArn === undefined ? [] : await port.describeTargetGroups([targetArn]);
  const previewRules = allRules.get(svc.preview.listenerArn) ?? [];
  const judge = async (attached: AttachedSlot[], found: Map<string, { Priority: string }>) =>
    evaluatePrecheck({
      targetSlot,
      liveSlot: liveSlot(sites, svc.slots),
      health:
        targetArn === undefined
          ? { slot: targetSlot, targetGroupArn: '', targets: [], healthy: 0, total: 0 }
          : await readSlotHealth(port, targetSlot, targetArn),
      sites,
      stickiness,
      minHealthyTargets: svc.minHealthyTargets,
      soakMs: svc.soakMs,
      previews: previewRoutes(svc, listeners, found, attached),
      mayWait: opts.mayWait ?? false,
      extraProblems: strayProblems(svc, listeners, previewRules),
      extraWarnings: authWarnings(svc, configured, production),
    });
  const timing = healthCheckTiming(group);
  if (targetArn === undefined) {
    const report = await judge([], new Map());
    return {
      report: {
        ...report,
        settling: 0,
        problems: [
          `${targetSlot} is not a slot of ${svc.name} (slots: ${Object.keys(svc.slots).join(', ')}).`,
        ],
      },
      timing,
      attached: [],
    };
  }
  const before = await judge([], findPreviewRules(previewRules, svc.preview, svc.name, svc.slots));
  if (before.problems.length > 0) return { report: before, timing, attached: [] };
  // Every slot, the target first (it takes the lowest free priority): the live slot's rule is
  // needed once the cutover moves traffic off it, and made now, before approval, the cutover finds
  // it and creates nothing — Approve → switched stays free of CreateRule calls, and fifty
  // cutovers on one listener do not race each other for rule priorities.
  const others = Object.keys(svc.slots).filter((s) => s !== targetSlot);
  const preview = await ensurePreviewRules(opts.attachWith ?? port, svc, [targetSlot, ...others]);
  if (preview.created.length === 0) return { report: before, timing, attached: [] };
  // Just attached: AWS starts checking the slot now; judge what its targets read after that.
  return { report: await judge(preview.created, preview.rules), timing, attached: preview.created };
}

/** Stray preview-like rules forwarding to one slot (see `strayPreviewRules`): each is a problem. */
function strayProblems(svc: ServiceConfig, listeners: Listener[], rules: Rule[]): string[] {
  const port = listeners.find((l) => l.ListenerArn === svc.preview.listenerArn)?.Port;
  return strayPreviewRules(rules, svc.preview, svc.name, svc.slots).map(
    ({ rule, slot }) =>
      `${describeSite({ listenerArn: svc.preview.listenerArn, priority: rule.Priority, ...(port ? { port } : {}) })} ` +
      `forwards to ${slot} only for requests matching a single header or host condition, but it is not ` +
      `${svc.name}'s preview rule for ${slot} in the config (an earlier preview setting?). Greenlight cannot tell ` +
      `it from production traffic: delete it (rule ${rule.RuleArn}) or set preview to match it.`,
  );
}

function authWarnings(svc: ServiceConfig, configured: Listener[], production: Map<string, Rule[]>): string[] {
  const lists = actionLists(configured, production)
    .filter(({ actions }) =>
      actions.some((a) =>
        (forwardGroups(a) ?? []).some((g) => Object.values(svc.slots).includes(g.TargetGroupArn)),
      ),
    )
    .map(({ actions }) => actions);
  const kinds = authenticatingActions(lists);
  if (kinds.length === 0) return [];
  return [
    `The production forwards of ${svc.name} authenticate users (${kinds.join(', ')}) but its preview rules do not: ` +
      'anyone who sends the preview header reaches the slots without signing in. Put the preview rules on an ' +
      'internal listener (preview.listener) or behind your own access control (preview.host).',
  ];
}
