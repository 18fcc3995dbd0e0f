/**
 * The precheck's look at the load balancer: the live slot (never a cache), the forwards that touch
 * the slots, every slot's stickiness, the target slot's health and health-check settings — and
 * every slot attached by its preview rule, created here when missing (src/domain/preview.ts), so
 * that both slots are health-checked before anything moves.
 */
import type { ServiceConfig } from '../config/schema.js';
import {
  describeSite,
  evaluatePrecheck,
  findForwardSites,
  liveSlot,
  stickinessOf,
} from '../domain/forwards.js';
import { AWS_DEFAULT_HEALTH_CHECK, type HealthCheckTiming } from '../domain/health-wait.js';
import { describePreview } from '../domain/preview.js';
import type { LiveSlot, PrecheckReport, PreviewRoute, SlotHealth, TargetState } from '../domain/reports.js';
import type { ElbPort, Listener, TargetGroupInfo } from './elb-port.js';
import { type AttachedSlot, ensurePreviewRules, previewRuleTest } from './preview-rules.js';
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

export interface PrecheckReading {
  report: PrecheckReport;
  /** The target slot's health-check timing. */
  timing: HealthCheckTiming;
  /** Preview rules created now (slots attached by this precheck). */
  attached: AttachedSlot[];
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
 * Attaches every slot that has no preview rule, then reads forwards, stickiness and the target
 * slot's health and judges them. `mayWait`: targets still being judged are not problems yet.
 */
export async function readPrecheck(
  port: ElbPort,
  svc: ServiceConfig,
  targetSlot: string,
  opts: { mayWait?: boolean } = {},
): Promise<PrecheckReading> {
  const targetArn = svc.slots[targetSlot];
  const preview = await ensurePreviewRules(port, svc);
  const snap = await readListeners(
    port,
    [...new Set([...svc.listeners, svc.preview.listenerArn])],
    previewRuleTest(svc),
  );
  const configured = snap.listeners.filter((l) => svc.listeners.includes(l.ListenerArn));
  const sites = findForwardSites(configured, snap.rulesByListener, svc.slots);
  const stickiness = [];
  for (const [slot, arn] of Object.entries(svc.slots)) {
    stickiness.push(stickinessOf(slot, await port.describeTargetGroupAttributes(arn)));
  }
  const [group] = targetArn === undefined ? [] : await port.describeTargetGroups([targetArn]);
  const report = evaluatePrecheck({
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
    previews: previewRoutes(svc, snap.listeners, preview.rules, preview.created),
    mayWait: opts.mayWait ?? false,
  });
  const reading = { timing: healthCheckTiming(group), attached: preview.created };
  if (targetArn !== undefined) return { report, ...reading };
  return {
    report: {
      ...report,
      settling: 0,
      problems: [`${targetSlot} is not a slot of ${svc.name} (slots: ${Object.keys(svc.slots).join(', ')}).`],
    },
    ...reading,
  };
}
