/**
 * Undoing a switch that failed part-way. Every touched forward gets its previous actions written
 * back — the one whose call failed included, because AWS may have applied it before failing (a
 * timeout after the change was made) — and then every touched forward is read back and compared
 * with what it was, so that a message never claims a restoration AWS does not show.
 */

import type { ElbPort } from '../app/ports/elb.js';
import { forwardGroups } from '../domain/forwards.js';
import type { Action } from '../domain/load-balancer.js';
import type { ForwardSite } from '../domain/reports.js';
import { errorMessage } from '../errors.js';

/** One ModifyListener / ModifyRule of the switch. */
export interface Change {
  /** `:443 default action`, `:443 rule 10`: for messages. */
  label: string;
  listenerArn: string;
  /** The rule's ARN; absent for the listener's default action. */
  ruleArn?: string;
  apply(actions: Action[]): Promise<void>;
  before: Action[];
  after: Action[];
  sites: ForwardSite[];
}

export interface RestoreOutcome {
  /** Labels of the forwards whose Modify call was made (it may have applied, even if it failed). */
  touchedSites: string[];
  /** How many writes of the previous actions succeeded. */
  restored: number;
  /** `label: error` of the failed writes whose forward does not read back as before. */
  restoreFailures: string[];
  /** Labels of touched forwards that did not read back as before, or could not be read back. */
  unconfirmed: string[];
}

/** JSON with sorted keys, so that key order does not matter. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** A forward as what it routes (groups, weights, group stickiness), whatever form AWS wrote it in. */
function normalised(action: Action): string {
  const groups = forwardGroups(action);
  if (groups === null) return canonical(action);
  const { TargetGroupArn: _arn, ForwardConfig: config, ...rest } = action;
  const sticky = config?.TargetGroupStickinessConfig;
  return canonical({
    ...rest,
    groups: groups.map((g) => [g.TargetGroupArn, g.Weight ?? 1]),
    sticky: sticky?.Enabled === true ? (sticky.DurationSeconds ?? true) : false,
  });
}

/** True when the two action lists route the same way (read-back comparison). */
export function sameActions(a: Action[], b: Action[]): boolean {
  return a.length === b.length && a.every((x, i) => b[i] !== undefined && normalised(x) === normalised(b[i]));
}

/** The actions each change's listener default or rule has now; missing when it could not be read. */
async function readBack(port: ElbPort, changes: Change[]): Promise<Map<Change, Action[]>> {
  const now = new Map<Change, Action[]>();
  for (const listenerArn of new Set(changes.map((c) => c.listenerArn))) {
    const here = changes.filter((c) => c.listenerArn === listenerArn);
    try {
      if (here.some((c) => c.ruleArn === undefined)) {
        const [listener] = await port.describeListeners({ listenerArns: [listenerArn] });
        for (const c of here) if (c.ruleArn === undefined && listener) now.set(c, listener.DefaultActions);
      }
      if (here.some((c) => c.ruleArn !== undefined)) {
        const rules = await port.describeRules(listenerArn);
        for (const c of here) {
          const rule = rules.find((r) => r.RuleArn === c.ruleArn);
          if (c.ruleArn !== undefined && rule) now.set(c, rule.Actions);
        }
      }
    } catch {
      // Left out of `now`: such forwards count as not confirmed.
    }
  }
  return now;
}

export interface RestoreOptions {
  /** The fence, awaited before every write (see SwitchRequest.beforeEachWrite). */
  beforeEachWrite?: () => Promise<void>;
  /** Rounds of put-back after the first, for forwards that do not read back as before (default 5). */
  retries?: number;
  /** Delay before the first retry, doubled each round (default 250 ms: 250 ms … 4 s, ~8 s in all). */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Writes back the previous actions of every touched change (last touched first), then reads them
 * all back; the ones that do not read back as before are written again, with doubling backoff, a
 * few rounds — a throttled switch is usually followed by a throttled put-back, and the listener
 * lock is held meanwhile, so no other switch races it. This is the one wait inside a job, bounded
 * (~8 s by default): leaving a listener split to be retried later would be worse. A failed write is
 * reported only when its forward still does not read back as before.
 */
export async function restoreTouched(
  port: ElbPort,
  touched: Change[],
  opts: RestoreOptions = {},
): Promise<RestoreOutcome> {
  const writeErrors = new Map<Change, string>();
  const written = new Set<Change>();
  const retries = opts.retries ?? 5;
  const sleep = opts.sleep ?? realSleep;
  let pending = touched;
  let notBack: Change[] = [];
  for (let round = 0; ; round += 1) {
    // Only forwards that read back differently are written again; one that could not be read
    // (a throttled Describe) is read again first — rewriting it blindly could change nothing.
    for (const change of [...pending].reverse()) {
      await opts.beforeEachWrite?.(); // a run that lost its lock stops here: the new owner decides
      try {
        await change.apply(change.before);
        written.add(change);
        writeErrors.delete(change);
      } catch (err) {
        writeErrors.set(change, errorMessage(err));
      }
    }
    const now = await readBack(port, touched);
    notBack = touched.filter((c) => {
      const actions = now.get(c);
      return actions === undefined || !sameActions(actions, c.before);
    });
    if (notBack.length === 0 || round >= retries) break;
    await sleep((opts.backoffMs ?? 250) * 2 ** round);
    pending = notBack.filter((c) => now.get(c) !== undefined);
  }
  const restored = written.size;
  return {
    touchedSites: touched.map((c) => c.label),
    restored,
    restoreFailures: notBack
      .filter((c) => writeErrors.has(c))
      .map((c) => `${c.label}: ${writeErrors.get(c)}`),
    unconfirmed: notBack.map((c) => c.label),
  };
}
