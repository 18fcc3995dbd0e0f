/** Verification results (configuration read-back and scan), posted in the thread. Pure. */

import type { SlackMessage } from '../app/ports/slack.js';
import type { Deployment } from '../domain/deployment.js';
import type { Offender, VerificationReport } from '../domain/reports.js';
import type { ServiceConfig } from '../domain/service.js';
import { previousSlot, requesterAndApprovers, rollbackButton, routeText } from './common.js';
import { capList, code, listenerLabel, mention, slot, slotText } from './format.js';
import { actions, context, type KnownBlock, message, section, sections } from './kit.js';

export const MAX_OFFENDER_ROWS = 20;

export function offenderLine(o: Offender): string {
  const where = o.port !== undefined ? `port ${o.port}` : listenerLabel(undefined, o.listenerArn);
  const prio = o.priority === 'default' ? 'default action' : `rule priority ${code(o.priority, 20)}`;
  const why =
    o.reason === 'stickiness'
      ? 'weight 0 but group stickiness on (the cookie keeps clients there)'
      : `weight ${o.weight}`;
  return `• ${where}, ${prio}, ${why} — ${code(o.ruleArn ?? o.listenerArn, 300)}`;
}

/** Summary lines shared with the rollback message. `oldSlot` is the slot traffic must have left. */
export function verificationLines(
  report: VerificationReport,
  oldSlot: string,
): { ok: boolean; lines: string[] } {
  const ok = report.readBackOk && report.offenders.length === 0;
  const scanned = `scanned ${report.listenersScanned} listener(s) / ${report.rulesScanned} rule(s)`;
  const lines = [
    `${report.readBackOk ? '✅' : '❌'} Read back: ${report.readBackOk ? 'OK' : 'the configuration did not read back as written'}`,
    report.offenders.length === 0
      ? `✅ ${scanned}: no forward sends traffic to ${slot(oldSlot)}`
      : `❌ ${scanned}: *${report.offenders.length} forward(s)* still send traffic to ${slot(oldSlot)}`,
    ...capList(report.offenders.map(offenderLine), MAX_OFFENDER_ROWS, (n) => `_…and ${n} more offenders_`),
  ];
  return { ok, lines };
}

export function verificationMessage(
  d: Deployment,
  report: VerificationReport,
  svc: ServiceConfig,
): SlackMessage {
  const old = previousSlot(d);
  const { ok, lines } = verificationLines(report, old);
  const head = ok
    ? `✅ *Verified*: ${routeText(d)} — all traffic is configured to go to ${slot(d.toSlot)}.`
    : `❌ *Verification failed*: ${routeText(d)} — traffic may still reach ${slot(old)}.`;
  const blocks: KnownBlock[] = [section(head), ...sections(lines, 3)];
  if (!ok) {
    const who = requesterAndApprovers(d, svc);
    blocks.push(section(`${who}: please check, and roll back to ${slot(old)} if in doubt.`));
    blocks.push(actions([rollbackButton(d)]));
  }
  blocks.push(context(`Deployment ${code(d.id)}`));
  const text = ok
    ? `Verified ${routeText(d)}: no forward sends traffic to ${slotText(old)}`
    : `Verification failed for ${routeText(d)}: ${report.offenders.length} forward(s) still send traffic to ${slotText(old)} — ${mention(d.requester)}`;
  return message(text, blocks);
}
