import type { ElbPort } from '../app/ports/elb.js';
import {
  actionLists,
  findForwardSites,
  findOffenders,
  forwardGroups,
  forwardSiteKey,
  orderedRules,
  rewriteActions,
  siteSendsAllTo,
  sitesOfActions,
} from '../domain/forwards.js';
import type { Listener, Rule } from '../domain/load-balancer.js';
import { describeSite } from '../domain/precheck.js';
import type { SwitchReport, VerificationReport } from '../domain/reports.js';
import { type AwsCallError, ListenerBusyError, SwitchAbortedError } from '../errors.js';
import { type Change, type RestoreOptions, restoreTouched } from './switch-restore.js';
import { timeElbPort } from './timed-elb-port.js';

export interface SwitchRequest {
  listenerArns: string[];
  slots: Record<string, string>;
  targetSlot: string;
  /**
   * Rules that are not production traffic (the service's preview rules): never rewritten, and not
   * counted as forwards that still send traffic to the old slot.
   */
  isPreviewRule?: (rule: Rule) => boolean;
  /**
   * Awaited once, right before the first Modify call (not at all when nothing needs changing):
   * the caller records that from here on the load balancer may be touched.
   */
  beforeFirstModify?: () => Promise<void>;
  /**
   * The fence: awaited right before every Modify call, restores included. Throwing stops the
   * switch where it is, without restoring anything (the writer that took over owns the forwards
   * now): a run that lost its lock must not write.
   */
  beforeEachWrite?: () => Promise<void>;
  /** How a failed switch's put-back retries (tests shorten the backoff). */
  restore?: Omit<RestoreOptions, 'beforeEachWrite'>;
  /**
   * The forward sites (`forwardSiteKey`) the caller holds the lock of. When the plan, read now,
   * needs to write any other, nothing is written and ListenerBusyError is thrown: the forwards
   * changed since they were locked, and the job runs again shortly with a fresh plan.
   */
  lockedSites?: readonly string[];
}

export interface Snapshot {
  listeners: Listener[];
  /** The production rules of each listener (preview rules left out). */
  rulesByListener: Map<string, Rule[]>;
}

type RuleTest = ((rule: Rule) => boolean) | undefined;

async function productionRules(port: ElbPort, listenerArn: string, isPreview: RuleTest): Promise<Rule[]> {
  const rules = await port.describeRules(listenerArn);
  return isPreview ? rules.filter((r) => !isPreview(r)) : rules;
}

/** The listeners and their production rules (the service's preview rules left out). */
export async function readListeners(
  port: ElbPort,
  listenerArns: string[],
  isPreview?: RuleTest,
): Promise<Snapshot> {
  // The listener ARNs are known: their rules are read alongside the listeners, not after them
  // (one round trip instead of two; a listener that does not exist fails both reads).
  const [listeners, rules] = await Promise.all([
    port.describeListeners({ listenerArns }),
    Promise.all(listenerArns.map((arn) => productionRules(port, arn, isPreview))),
  ]);
  const byArn = new Map(listenerArns.map((arn, i) => [arn, rules[i] ?? []]));
  const rulesByListener = new Map<string, Rule[]>();
  for (const l of listeners) rulesByListener.set(l.ListenerArn, byArn.get(l.ListenerArn) ?? []);
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
  const snap = await readListeners(port, req.listenerArns, req.isPreviewRule);
  const changes = planChanges(port, snap, req);
  if (!keepsSeveralGroups(changes, targetArn)) return changes;
  const attributes = await port.describeTargetGroupAttributes(targetArn);
  if (attributes['stickiness.enabled'] !== 'true') return changes;
  return planChanges(port, snap, req, new Set([targetArn]));
}

/** The forward sites (`forwardSiteKey`) a switch to `req.targetSlot` would rewrite now: what it locks. */
export async function sitesToRewrite(port: ElbPort, req: SwitchRequest): Promise<string[]> {
  const targetArn = req.slots[req.targetSlot];
  if (targetArn === undefined) throw new Error(`"${req.targetSlot}" is not a slot of this service`);
  return (await plan(port, req, targetArn)).map(forwardSiteKey);
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
  if (req.lockedSites) {
    const locked = new Set(req.lockedSites);
    const outside = changes.filter((c) => !locked.has(forwardSiteKey(c)));
    if (outside.length > 0)
      throw new ListenerBusyError(
        `the forwards to rewrite changed since they were locked (${outside.map((c) => c.label).join(', ')})`,
        'plan-changed',
      );
  }
  if (changes.length > 0) await req.beforeFirstModify?.();
  const done: Change[] = [];
  for (const change of changes) {
    await req.beforeEachWrite?.();
    try {
      await change.apply(change.after);
      done.push(change);
    } catch (err) {
      const outcome = await restoreTouched(timed.port, [...done, change], {
        ...(req.beforeEachWrite ? { beforeEachWrite: req.beforeEachWrite } : {}),
        ...req.restore,
      });
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

async function scanLoadBalancers(
  port: ElbPort,
  configured: Snapshot,
  isPreview: RuleTest,
): Promise<Snapshot> {
  const listeners: Listener[] = [];
  const rulesByListener = new Map(configured.rulesByListener);
  for (const lbArn of new Set(configured.listeners.map((l) => l.LoadBalancerArn))) {
    for (const l of await port.describeListeners({ loadBalancerArn: lbArn })) {
      listeners.push(l);
      if (!rulesByListener.has(l.ListenerArn))
        rulesByListener.set(l.ListenerArn, await productionRules(port, l.ListenerArn, isPreview));
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
  const configured = await readListeners(port, req.listenerArns, req.isPreviewRule);
  const sites = findForwardSites(configured.listeners, configured.rulesByListener, req.slots);
  const readBackOk = sites.length > 0 && sites.every((s) => siteSendsAllTo(s, req.slots, req.targetSlot));
  const all = await scanLoadBalancers(port, configured, req.isPreviewRule);
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
