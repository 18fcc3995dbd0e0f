/** Teardown summary, posted in the thread. Pure. */
import type { Deployment } from '../../domain/deployment.js';
import type { TeardownReport } from '../../domain/reports.js';
import { reasonText } from './common.js';
import { clipLine, code, dur, slot, slotText } from './format.js';
import { context, type KnownBlock, message, type SlackMessage, section } from './kit.js';

export function teardownMessage(d: Deployment, report: TeardownReport): SlackMessage {
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
  const reason = reasonText(d, 1000);
  if (reason) blocks.push(section(`*Note:* ${reason}`));
  blocks.push(context(`Deployment ${code(d.id)}`));
  const text = `Tore down ${slotText(report.slot)} of ${service}: ${report.deregistered} target(s) deregistered${report.timedOut ? ', drain timed out' : ''}`;
  return message(text, blocks);
}
