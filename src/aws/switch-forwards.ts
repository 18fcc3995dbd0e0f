/**
 * The cutover against the load balancer, as a short list of idempotent calls:
 * read the configured listeners and their rules, rewrite every forward that touches the
 * service's slots, apply the rewrites one call at a time, and on any failure put back every
 * forward it touched and read them back (switch-restore.ts). Then read back, and scan the whole
 * load balancer.
 */
import type { ServiceConfig } from '../config/schema.js';
import {
  actionLists,
  describeSite,
  evaluatePrecheck,
  findForwardSites,
  findOffenders,
  forwardGroups,
  liveSlot,
  orderedRules,
  rewriteActions,
  siteSendsAllTo,
  sitesOfActions,
  stickinessOf,
} from '../domain/forwards.js';
import type {
  LiveSlot,
  PrecheckReport,
  SlotHealth,
  SwitchReport,
  TargetState,
  VerificationReport,
} from '../domain/reports.js';
import type { AwsCallError, ElbPort, Listener, Rule } from './elb-port.js';
import { type Change, restoreTouched, SwitchAbortedError } from './switch-restore.js';
import { timeElbPort } from './timed-elb-port.js';

export { type RestoreOutcome, SwitchAbortedError, sameActions } from './switch-restore.js';

export interface SwitchRequest {
  listenerArns: string[];
  slots: Record<string, string>;
  targetSlot: string;
  /**
   * Awaited once, right before the first Modify call (not at all when nothing needs changing):
   * the caller records that from here on the load balancer may be touched.
   */
  beforeFirstModify?: () => Promise<void>;
}

interface Snapshot {
  listeners: Listener[];
  rulesByListener: Map<string, Rule[]>;
}

async function readListeners(port: ElbPort, listenerArns: string[]): Promise<Snapshot> {
  const listeners = await port.describeListeners({ listenerArns });
  const rulesByListener = new Map<string, Rule[]>();
  for (const l of listeners) rulesByListener.set(l.ListenerArn, await port.describeRules(l.ListenerArn));
  return { listeners, rulesByListener };
}

function planChanges(
  port: ElbPort,
  snap: Snapshot,
  req: SwitchRequest,
  sticky: ReadonlySet<string> = new Set(),
): Change[] {
  const changes: Change[] = [];
  for (const { at, actions } of actionLists(snap.listeners, snap.rulesByListener)) {
    const after = rewriteActions(actions, req.slots, req.targetSlot, sticky);
    if (!after) continue;
    const { listenerArn, ruleArn } = at;
    changes.push({
      label: describeSite(at),
      listenerArn,
      ...(ruleArn !== undefined ? { ruleArn } : {}),
      apply: (next) =>
        ruleArn === undefined ? port.modifyListener(listenerArn, next) : port.modifyRule(ruleArn, next),
      before: actions,
      after,
      sites: sitesOfActions(at, after, req.slots),
    });
  }
  return changes;
}

function asError(err: unknown): AwsCallError | Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** True when a rewritten forward keeps several groups, the target slot's among them. */
function keepsSeveralGroups(changes: Change[], targetArn: string): boolean {
  return changes.some((c) =>
    c.after.some((a) => {
      const groups = forwardGroups(a) ?? [];
      return groups.length >= 2 && groups.some((g) => g.TargetGroupArn === targetArn);
    }),
  );
}

/**
 * The changes to make. When a rewritten forward keeps several groups, reads the target slot's
 * attributes (one call): if its target-group stickiness is on, such forwards get group
 * stickiness, which AWS requires (see rewriteActions).
 */
async function plan(port: ElbPort, req: SwitchRequest, targetArn: string): Promise<Change[]> {
  const snap = await readListeners(port, req.listenerArns);
  const changes = planChanges(port, snap, req);
  if (!keepsSeveralGroups(changes, targetArn)) return changes;
  const attributes = await port.describeTargetGroupAttributes(targetArn);
  if (attributes['stickiness.enabled'] !== 'true') return changes;
  return planChanges(port, snap, req, new Set([targetArn]));
}

/**
 * Points every forward of the configured listeners (default actions and rules) that references
 * the slots at `targetSlot`. A re-run after success changes nothing (`changed` is empty).
 *
 * When a Modify call fails, every forward touched so far — the failed one included, since AWS may
 * have applied it — gets its previous actions back and is read back, then SwitchAbortedError is
 * thrown: `touched` (a Modify call was made), `confirmedRestored` (every touched forward read back
 * as before), `unconfirmed` (those that did not). Any other error is thrown before any Modify call:
 * the load balancer was not touched.
 */
export async function switchForwards(
  port: ElbPort,
  req: SwitchRequest,
  now: () => number = () => performance.now(),
): Promise<SwitchReport> {
  const started = now();
  const timed = timeElbPort(port, now);
  const targetArn = req.slots[req.targetSlot];
  if (targetArn === undefined) throw new Error(`"${req.targetSlot}" is not a slot of this service`);
  const changes = await plan(timed.port, req, targetArn);
  if (changes.length > 0) await req.beforeFirstModify?.();
  const done: Change[] = [];
  for (const change of changes) {
    try {
      await change.apply(change.after);
      done.push(change);
    } catch (err) {
      const outcome = await restoreTouched(timed.port, [...done, change]);
      throw new SwitchAbortedError(
        asError(err),
        outcome.restored,
        outcome.restoreFailures,
        req.targetSlot,
        outcome,
      );
    }
  }
  return { changed: changes.flatMap((c) => c.sites), awsMs: timed.awsMs(), totalMs: now() - started };
}

async function scanLoadBalancers(port: ElbPort, configured: Snapshot): Promise<Snapshot> {
  const listeners: Listener[] = [];
  const rulesByListener = new Map(configured.rulesByListener);
  for (const lbArn of new Set(configured.listeners.map((l) => l.LoadBalancerArn))) {
    for (const l of await port.describeListeners({ loadBalancerArn: lbArn })) {
      listeners.push(l);
      if (!rulesByListener.has(l.ListenerArn))
        rulesByListener.set(l.ListenerArn, await port.describeRules(l.ListenerArn));
    }
  }
  return { listeners, rulesByListener };
}

/**
 * Reads back the configured listeners (every slot forward must now send all slot weight to the
 * target), then scans every listener and rule of their load balancer(s) for forwards that still
 * send traffic to the old slot. With no single old slot (null, `mixed`), every slot other than
 * the target counts as old.
 */
export async function verifyConfiguration(
  port: ElbPort,
  req: SwitchRequest & { oldSlot: string | null },
): Promise<VerificationReport> {
  const configured = await readListeners(port, req.listenerArns);
  const sites = findForwardSites(configured.listeners, configured.rulesByListener, req.slots);
  const readBackOk = sites.length > 0 && sites.every((s) => siteSendsAllTo(s, req.slots, req.targetSlot));
  const all = await scanLoadBalancers(port, configured);
  const oldArns =
    req.oldSlot !== null && req.slots[req.oldSlot] !== undefined && req.oldSlot !== req.targetSlot
      ? [req.slots[req.oldSlot] as string]
      : Object.entries(req.slots)
          .filter(([slot]) => slot !== req.targetSlot)
          .map(([, arn]) => arn);
  const offenders = oldArns.flatMap((arn) => findOffenders(all.listeners, all.rulesByListener, arn));
  const rulesScanned = all.listeners.reduce(
    (n, l) => n + orderedRules(all.rulesByListener.get(l.ListenerArn)).length,
    0,
  );
  return { readBackOk, offenders, listenersScanned: all.listeners.length, rulesScanned };
}

/** The live slot as the load balancer says now (never a cache). */
export async function readLiveSlot(
  port: ElbPort,
  svc: Pick<ServiceConfig, 'listeners' | 'slots'>,
): Promise<LiveSlot> {
  const snap = await readListeners(port, svc.listeners);
  return liveSlot(findForwardSites(snap.listeners, snap.rulesByListener, svc.slots), svc.slots);
}

async function readSlotHealth(port: ElbPort, slot: string, targetGroupArn: string): Promise<SlotHealth> {
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

/** Reads forwards, the target slot's health and every slot's attributes, then judges them. */
export async function readPrecheck(
  port: ElbPort,
  svc: ServiceConfig,
  targetSlot: string,
): Promise<PrecheckReport> {
  const snap = await readListeners(port, svc.listeners);
  const sites = findForwardSites(snap.listeners, snap.rulesByListener, svc.slots);
  const live = liveSlot(sites, svc.slots);
  const targetArn = svc.slots[targetSlot];
  const stickiness = [];
  for (const [slot, arn] of Object.entries(svc.slots)) {
    stickiness.push(stickinessOf(slot, await port.describeTargetGroupAttributes(arn)));
  }
  const report = evaluatePrecheck({
    targetSlot,
    liveSlot: live,
    health:
      targetArn === undefined
        ? { slot: targetSlot, targetGroupArn: '', targets: [], healthy: 0, total: 0 }
        : await readSlotHealth(port, targetSlot, targetArn),
    sites,
    stickiness,
    minHealthyTargets: svc.minHealthyTargets,
    soakMs: svc.soakMs,
  });
  if (targetArn !== undefined) return report;
  return {
    ...report,
    problems: [`${targetSlot} is not a slot of ${svc.name} (slots: ${Object.keys(svc.slots).join(', ')}).`],
  };
}
