/** Teardown summary, posted in the thread: drain, beforeTeardown hook, compute scale-down, cost. Pure. */
import type { SlackMessage } from '../app/ports/slack.js';
import type { SoakCost } from '../domain/cost.js';
import type { Deployment } from '../domain/deployment.js';
import type { HookResult, ScaleDownReport, ScaleDownShown } from '../domain/evidence.js';
import type { TeardownReport } from '../domain/reports.js';
import { reasonText } from './common.js';
import { teardownCostLine } from './cost.js';
import { clipLine, code, dur, slot, slotText, urlHostPath } from './format.js';
import { hookSummary } from './hook.js';
import { context, type KnownBlock, message, section } from './kit.js';

export interface TeardownExtra {
  scaleDown?: ScaleDownReport;
  /** The `beforeTeardown` hook's result. */
  hook?: HookResult;
  /** What keeping the old slot cost during the soak (`soakCost`), when it has an hourlyCost. */
  cost?: SoakCost;
}

const n = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '?' : String(v));

/**
 * How a report kept by an earlier version, which has no `shown`, is named: by its kind, as those
 * versions worded it (an unknown kind was a webhook).
 */
function shownByKind(s: ScaleDownReport): ScaleDownShown {
  switch (s.kind) {
    case 'ecs':
      return { label: 'ECS service', name: s.target, unit: 'running' };
    case 'asg':
      return { label: 'Auto Scaling group', name: s.target, unit: 'instances' };
    default:
      return { label: 'Scale-down webhook' };
  }
}

/**
 * `ECS service shop/checkout-blue: desired 3 → 0, 0 running after 42s`, and its other forms
 * (`Auto Scaling group web-blue: min 2 desired 3 → 0, 0 instances`, `Scale-down webhook
 * ops.example.com: scaled to zero`), as the report's backend names it (`shown`).
 */
export function scaleDownLine(s: ScaleDownReport): string {
  const prev = s.previous ?? {};
  const shown = s.shown ?? shownByKind(s);
  const what = `${clipLine(shown.label, 100)} ${shown.name !== undefined ? clipLine(shown.name, 200) : urlHostPath(s.target)}`;
  let sized: string;
  if (shown.unit !== undefined) {
    const min = prev.min !== undefined ? `min ${n(prev.min)} ` : '';
    sized = `${min}desired ${n(prev.desired)} → 0, ${n(s.remaining)} ${clipLine(shown.unit, 40)}`;
  } else sized = s.reachedZero ? 'scaled to zero' : `${n(s.remaining)} remaining`;
  const error = s.error ? ` (error: ${clipLine(s.error, 300)})` : '';
  const notes = (s.notes ?? [])
    .slice(0, 3)
    .map((note) => `\n   • ${clipLine(note, 300)}`)
    .join('');
  if (s.reachedZero) return `✅ ${what}: ${sized} after ${dur(s.waitedMs)}${error}${notes}`;
  return (
    `⚠️ ${what}: ${sized} — *did not reach zero*: ${n(s.remaining)} remaining after ${dur(s.waitedMs)} ` +
    `— still costs money${error}${notes}`
  );
}

export function teardownMessage(
  d: Deployment,
  report: TeardownReport,
  extra: TeardownExtra = {},
): SlackMessage {
  const service = clipLine(d.service, 40);
  const drained = report.timedOut
    ? `⚠️ some targets were still draining after ${dur(report.drainMs)} (the deregistration delay bound ran out)`
    : `drained in ${dur(report.drainMs)}`;
  const blocks: KnownBlock[] = [
    section(
      `🧹 *Tore down* ${slot(report.slot)} of *${service}*: deregistered ${report.deregistered} target(s); ${drained}.\n` +
        `All traffic stays on ${slot(d.toSlot)}. Rollback is no longer possible.`,
    ),
  ];
  if (d.detachError !== undefined) {
    blocks.push(
      section(
        `⚠️ ${slot(report.slot)} is still attached: its preview rule could not be deleted (${clipLine(d.detachError, 300)}). AWS keeps health-checking it; delete the rule by hand.`,
      ),
    );
  } else if (d.detached !== undefined) {
    blocks.push(
      section(
        d.detached === null
          ? `${slot(report.slot)} had no preview rule: no forward names it, AWS no longer health-checks it.`
          : `${slot(report.slot)} detached: its preview rule (priority ${d.detached}) was deleted, so AWS no longer health-checks it. A later \`/deploy ${clipLine(d.service, 40)} ${clipLine(report.slot, 20)}\` attaches it again.`,
      ),
    );
  }
  if (extra.hook) blocks.push(section(hookSummary(extra.hook)));
  if (extra.scaleDown) blocks.push(section(scaleDownLine(extra.scaleDown)));
  if (extra.cost) blocks.push(section(teardownCostLine(d, extra.cost)));
  const reason = reasonText(d, 1000);
  if (reason) blocks.push(section(`*Note:* ${reason}`));
  blocks.push(context(`Deployment ${code(d.id)}`));
  const stuck =
    extra.scaleDown && !extra.scaleDown.reachedZero
      ? `, scale-down did not reach zero (${n(extra.scaleDown.remaining)} remaining)`
      : '';
  const text = `Tore down ${slotText(report.slot)} of ${service}: ${report.deregistered} target(s) deregistered, ${report.timedOut ? 'drain timed out' : `drained in ${dur(report.drainMs)}`}${stuck}`;
  return message(text, blocks);
}
