/** Rollback summary with its verification, posted in the thread. Pure. */
import type { SlackMessage } from '../app/ports/slack.js';
import type { CutoverTiming, Deployment } from '../domain/deployment.js';
import type { VerificationReport } from '../domain/reports.js';
import { enteredBy, previousSlot, reasonText } from './common.js';
import { clipLine, code, dur, mention, slot, slotText } from './format.js';
import { context, type KnownBlock, message, section, sections } from './kit.js';
import { verificationLines } from './verification.js';

export function rollbackMessage(
  d: Deployment,
  report: VerificationReport | null,
  timing: CutoverTiming | undefined = d.rollback,
): SlackMessage {
  const back = previousSlot(d);
  const service = clipLine(d.service, 40);
  const by = enteredBy(d, 'rolling_back')?.by;
  const took = timing
    ? ` in ${dur(timing.finishedAt - timing.startedAt)} (AWS ${dur(timing.awsMs)}, ${timing.changed} forward(s))`
    : '';
  const blocks: KnownBlock[] = [
    section(
      `↩️ *Rolled back* *${service}* to ${slot(back)}${by ? ` (requested by ${mention(by)})` : ''}${took}.`,
    ),
  ];
  const reason = reasonText(d, 1500);
  if (reason) blocks.push(section(`*Reason:* ${reason}`));
  let ok = true;
  if (report) {
    // After a rollback the slot traffic must have left is the one we had switched to.
    const v = verificationLines(report, d.toSlot);
    ok = v.ok;
    blocks.push(...sections([ok ? '*Verification*: ✅ passed' : '*Verification*: ❌ failed', ...v.lines], 3));
  } else {
    blocks.push(section('_Verification was not run._'));
  }
  blocks.push(context(`Deployment ${code(d.id)}`));
  const text = `Rolled back ${service} to ${slotText(back)}${ok ? '' : ' — verification failed'}`;
  return message(text, blocks);
}
