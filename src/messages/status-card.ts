/**
 * The status card: one message per deployment in the service's channel, edited in place
 * (`chat.update`) through the whole lifecycle; the thread parent for everything else. Pure.
 */

import type { SlackMessage } from '../app/ports/slack.js';
import { type Deployment, STATE_LABEL, TERMINAL_STATES } from '../domain/deployment.js';
import type { ServiceConfig } from '../domain/service.js';
import type { State } from '../domain/states.js';
import { utcTime } from '../domain/utc-time.js';
import {
  enteredBy,
  extendButton,
  previousSlot,
  reasonSuffix,
  reasonText,
  requestReasonText,
  rollbackButton,
  route,
  routeText,
  STATE_EMOJI,
  slotVersionLines,
  teardownNowButton,
} from './common.js';
import { soakCostLine } from './cost.js';
import { code, dur, mention, slackDate, slot, slotText } from './format.js';
import { actions, type Button, context, fieldsSection, type KnownBlock, message, section } from './kit.js';

/** What the headline says after "checkout: blue → green — ". */
function statusPhrase(d: Deployment): string {
  const old = slot(previousSlot(d));
  switch (d.state) {
    case 'soaking':
      return `live on ${slot(d.toSlot)} — ${old} kept until ${slackDate(d.teardownAt)}`;
    case 'tearing_down':
      return `live on ${slot(d.toSlot)} — tearing down ${old}`;
    case 'done':
      return `done — live on ${slot(d.toSlot)}, ${old} torn down`;
    case 'rolling_back':
      return `rolling back to ${old}`;
    case 'rolled_back':
      return `rolled back — live on ${old}`;
    default:
      return STATE_LABEL[d.state];
  }
}

function statusPlain(d: Deployment): string {
  const old = slotText(previousSlot(d));
  switch (d.state) {
    case 'soaking':
      return `live on ${slotText(d.toSlot)} — ${old} kept until ${d.teardownAt ? utcTime(d.teardownAt) : '—'}`;
    case 'rolled_back':
      return `rolled back — live on ${old}`;
    default:
      return STATE_LABEL[d.state];
  }
}

/** Buttons by state: soaking → Rollback/Extend/Tear down; verifying or failed-after-switch → Rollback. */
function cardButtons(d: Deployment, svc: ServiceConfig): Button[] {
  if (d.state === 'soaking') return [rollbackButton(d), extendButton(d, svc), teardownNowButton(d)];
  if (d.state === 'verifying') return [rollbackButton(d)];
  if (d.state === 'failed' && d.cutover && d.teardownStartedAt === undefined) return [rollbackButton(d)];
  return [];
}

function keyTimes(d: Deployment): string[] {
  const f: string[] = [];
  const why = requestReasonText(d, 200);
  f.push(`*Requested by*\n${mention(d.requester)} ${slackDate(d.createdAt)}${why ? `\n${why}` : ''}`);
  if (d.approvedBy) f.push(`*Approved by*\n${mention(d.approvedBy)}`);
  else if (d.state === 'awaiting_approval' && d.approvalExpiresAt !== undefined)
    f.push(`*Approval expires*\n${slackDate(d.approvalExpiresAt)}`);
  if (d.cutover)
    f.push(
      `*Cut over*\n${slackDate(d.cutover.finishedAt)} in ${dur(d.cutover.finishedAt - d.cutover.startedAt)}`,
    );
  if (d.state === 'verifying' && d.verifyEndsAt !== undefined)
    f.push(`*Verification ends*\n${slackDate(d.verifyEndsAt)}`);
  if (d.state === 'soaking' && d.remindAt !== undefined) f.push(`*Reminder*\n${slackDate(d.remindAt)}`);
  if (d.teardownStartedAt !== undefined) f.push(`*Teardown started*\n${slackDate(d.teardownStartedAt)}`);
  if (d.rollback)
    f.push(
      `*Rolled back*\n${slackDate(d.rollback.finishedAt)} in ${dur(d.rollback.finishedAt - d.rollback.startedAt)}`,
    );
  if (d.finishedAt !== undefined) f.push(`*Finished*\n${slackDate(d.finishedAt)}`);
  return f;
}

function outcome(d: Deployment): string | null {
  const terminal = TERMINAL_STATES.includes(d.state);
  if (!terminal && d.state !== 'rolling_back') return null;
  const by = enteredBy(d, d.state)?.by;
  const byText = by ? ` by ${mention(by)}` : '';
  const reason = reasonText(d);
  const outcomes: Partial<Record<State, string>> = {
    done: `✅ *Done*: all traffic on ${slot(d.toSlot)}; ${slot(previousSlot(d))} drained and torn down.`,
    blocked: `⛔ *Blocked*${byText}: nothing was switched.`,
    cancelled: `🚫 *Cancelled*${byText}: nothing was switched.`,
    expired: `⌛ *Expired*: nobody approved in time; nothing was switched.`,
    failed: d.cutover
      ? `❌ *Failed* after the switch: traffic may be on ${slot(d.toSlot)}. Roll back if in doubt.`
      : `❌ *Failed*: traffic stays on ${slot(previousSlot(d))}.`,
    rolling_back: `↩️ *Rolling back*${byText} to ${slot(previousSlot(d))}.`,
    rolled_back: `⏪ *Rolled back*${byText}: all traffic on ${slot(previousSlot(d))}.`,
  };
  const head = outcomes[d.state] ?? STATE_LABEL[d.state];
  return reason ? `${head}\n*Reason:* ${reason}` : head;
}

/** The card for deployment `d`, as it should look now. */
export function statusCard(d: Deployment, svc: ServiceConfig, now: number): SlackMessage {
  const headline = `${STATE_EMOJI[d.state]} ${route(d)} — ${statusPhrase(d)}`;
  const blocks: KnownBlock[] = [section(headline), fieldsSection(keyTimes(d))];
  const running = slotVersionLines(d.slotVersions, svc, [d.toSlot, d.fromSlot]).slice(0, 4);
  if (running.length > 0) blocks.push(section(`*What runs there*\n${running.join('\n')}`));
  const out = outcome(d);
  if (out) blocks.push(section(out));
  const cost = d.state === 'soaking' ? soakCostLine(d, svc, now) : null;
  if (cost) blocks.push(section(cost));
  const buttons = cardButtons(d, svc);
  if (buttons.length > 0) blocks.push(actions(buttons));
  blocks.push(context(`Deployment ${code(d.id)} · updated ${slackDate(now)} · details in the thread`));
  const text = `${STATE_EMOJI[d.state]} ${routeText(d)} — ${statusPlain(d)}${TERMINAL_STATES.includes(d.state) ? reasonSuffix(d) : ''}`;
  return message(text, blocks);
}
