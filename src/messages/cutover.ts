/** Cutover results, posted in the deployment thread. Pure. */
import type { SlackMessage } from '../app/ports/slack.js';
import type { Deployment } from '../domain/deployment.js';
import type { Reason } from '../domain/reasons.js';
import type { SwitchReport } from '../domain/reports.js';
import { previousSlot, routeText } from './common.js';
import { capList, clip, code, dur, listenerLabel, priorityLabel, slot } from './format.js';
import { context, type KnownBlock, message, section, sections } from './kit.js';
import { renderReason } from './reasons.js';

export const MAX_CHANGED_ROWS = 25;

export function cutoverMessage(d: Deployment, report: SwitchReport): SlackMessage {
  // A re-run that posts from the record has no site list, but the record knows how many changed.
  const n = report.changed.length || (d.cutover?.changed ?? 0);
  const head =
    n > 0
      ? `🔀 *Switched ${n} forward(s)* to ${slot(d.toSlot)} in ${dur(report.totalMs)} (AWS ${dur(report.awsMs)} of ${dur(report.totalMs)} total)`
      : `🔀 *Nothing to rewrite*: every forward already sends all traffic to ${slot(d.toSlot)} (re-run).`;
  const lines = capList(
    report.changed.map((f) => `• ${listenerLabel(f.port, f.listenerArn)} ${priorityLabel(f.priority)}`),
    MAX_CHANGED_ROWS,
    (k) => `_…and ${k} more forwards_`,
  );
  const blocks: KnownBlock[] = [section(head)];
  if (lines.length > 0) blocks.push(...sections(['*Forwards rewritten*', ...lines], 3));
  blocks.push(
    context(`Deployment ${code(d.id)} · verification next: read back and scan every listener and rule`),
  );
  const text = `Cutover ${routeText(d)}: ${n} forward(s) switched in ${dur(report.totalMs)}`;
  return message(text, blocks);
}

/** Why the cutover failed: the deployment's reason unless another is given. */
export function cutoverFailedMessage(d: Deployment, why: Reason | undefined = d.reason): SlackMessage {
  const reason = why ? renderReason(why) : 'unknown reason';
  const blocks: KnownBlock[] = [
    section(`❌ *Cutover of ${routeText(d)} failed*\n*Reason:* ${clip(reason, 2000)}`),
    section(
      d.cutover
        ? `⚠️ The load balancer may be partly switched (the restore was not confirmed by reading it back). Use *Rollback* on the card to send all traffic back to ${slot(previousSlot(d))}, or fix the listeners by hand.`
        : `Nothing is left switched: traffic stays on ${slot(previousSlot(d))}. Check the card and the load balancer before retrying.`,
    ),
    context(`Deployment ${code(d.id)}`),
  ];
  return message(`Cutover ${routeText(d)} failed: ${clip(reason.replace(/\s+/g, ' '), 500)}`, blocks);
}
