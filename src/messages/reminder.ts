/** The teardown reminder, posted in the channel itself (not the thread). Pure. */

import type { SlackMessage } from '../app/ports/slack.js';
import { type Deployment, STATE_LABEL } from '../domain/deployment.js';
import type { ServiceConfig } from '../domain/service.js';
import { utcTime } from '../domain/utc-time.js';
import { extendButton, previousSlot, requesterAndApprovers, teardownNowButton } from './common.js';
import { soakCostLine } from './cost.js';
import { clipLine, code, dur, slackDate, slot, slotText } from './format.js';
import { actions, context, type KnownBlock, message, section } from './kit.js';

export function reminderMessage(d: Deployment, svc: ServiceConfig, now: number): SlackMessage {
  const old = previousSlot(d);
  const service = clipLine(d.service, 40);
  const at = d.teardownAt;
  const left = at !== undefined ? ` (in ${dur(Math.max(0, at - now))})` : '';
  const who = requesterAndApprovers(d, svc);
  const blocks: KnownBlock[] = [
    section(`⏰ ${who}: ${slot(old)} of *${service}* will be torn down ${slackDate(at)}${left}.`),
    section(
      `Live on ${slot(d.toSlot)} since ${slackDate(d.soakStartedAt)}. Extend to keep ${slot(old)} for rollback.`,
    ),
  ];
  const cost = soakCostLine(d, svc, now);
  if (cost) blocks.push(section(cost));
  blocks.push(actions([extendButton(d, svc), teardownNowButton(d)]), context(`Deployment ${code(d.id)}`));
  const text = `${who}: ${slotText(old)} of ${service} will be torn down at ${at !== undefined ? utcTime(at) : 'soon'}${left}`;
  return message(text, blocks);
}

/** The reminder with its buttons replaced once extended, torn down or rolled back. */
export function reminderResolved(d: Deployment, now: number): SlackMessage {
  const old = slot(previousSlot(d));
  const service = clipLine(d.service, 40);
  let line: string;
  switch (d.state) {
    case 'soaking':
      line = `⏳ Extended: ${old} of *${service}* is kept until ${slackDate(d.teardownAt)}.`;
      break;
    case 'tearing_down':
      line = `🧹 ${old} of *${service}* is being torn down.`;
      break;
    case 'done':
      line = `✅ ${old} of *${service}* was torn down.`;
      break;
    case 'rolling_back':
    case 'rolled_back':
      line = `↩️ Rolled back: ${old} of *${service}* is live again; nothing to tear down.`;
      break;
    default:
      line = `Reminder closed: deployment is ${STATE_LABEL[d.state]}.`;
  }
  const blocks: KnownBlock[] = [
    section(line),
    context(`Deployment ${code(d.id)} · updated ${slackDate(now)}`),
  ];
  return message(line.replace(/\*/g, ''), blocks);
}
