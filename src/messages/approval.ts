/** The approval prompt (thread reply with Approve / Cancel) and its resolved form. Pure. */

import type { SlackMessage } from '../app/ports/slack.js';
import type { Deployment } from '../domain/deployment.js';
import { DEFAULT_PREVIEW_HEADER, previewCommand, previewMatch } from '../domain/preview.js';
import type { ServiceConfig } from '../domain/service.js';
import {
  approveButton,
  cancelButton,
  enteredBy,
  previousSlot,
  reasonSuffix,
  reasonText,
  requestReasonText,
  routeText,
  slotVersionLines,
} from './common.js';
import { clipLine, code, dur, escapedMentionList, mention, slackDate, slot } from './format.js';
import { actions, context, type KnownBlock, message, section } from './kit.js';

function requestText(d: Deployment, open: boolean): string {
  const from = d.fromSlot ? ` from ${slot(d.fromSlot)}` : '';
  const why = requestReasonText(d);
  return (
    `${open ? '✋ *Approval needed*' : '*Approval request*'}: ${mention(d.requester)} wants to switch *${clipLine(d.service, 40)}*${from} to ${slot(d.toSlot)}.` +
    (why ? `\n*Why:* ${why}` : '')
  );
}

function changeText(d: Deployment, svc?: ServiceConfig): string {
  const listeners = svc ? ` on ${svc.listeners.length} listener(s)` : '';
  return (
    `*What will change:* every forward of ${clipLine(d.service, 40)}${listeners} that references its slots will send ` +
    `100% of traffic to ${slot(d.toSlot)}. ${slot(previousSlot(d))} stays health-checked (its preview rule) and is ` +
    `kept for ${dur(d.soakMs)} with a one-click rollback, then drained, detached and torn down.`
  );
}

function whoText(d: Deployment, svc: ServiceConfig): string {
  const self = svc.allowSelfApproval ? '' : ` (not ${mention(d.requester)}: no self-approval)`;
  return `*Who can approve:* ${escapedMentionList(svc.approvers)}${self}`;
}

/** What runs on the slot being switched to and on the live one, when the precheck could read it. */
function versionSection(d: Deployment, svc: ServiceConfig): KnownBlock[] {
  const lines = slotVersionLines(d.slotVersions, svc, [d.toSlot, d.fromSlot]).slice(0, 4);
  return lines.length > 0 ? [section(`*What runs there:*\n${lines.join('\n')}`)] : [];
}

/** How approvers reach the new slot before approving (its preview rule). */
function previewText(d: Deployment, svc: ServiceConfig): string {
  const match = previewMatch(svc.preview, svc.name, d.toSlot);
  const how =
    svc.preview.host !== undefined
      ? `requests for the host ${code(match, 200)}`
      : `requests with the header ${code(`${svc.preview.header ?? DEFAULT_PREVIEW_HEADER}: ${match}`, 200)}`;
  const command = previewCommand(svc.preview, svc.name, d.toSlot);
  const others = d.fromSlot
    ? ` every other request still goes to ${slot(d.fromSlot)}`
    : ' no other request does';
  const tryIt = command
    ? `\nTry it: ${code(command, 300)}`
    : ' Send some to the load balancer and try it before you approve.';
  return `🔎 *Preview* ${slot(d.toSlot)}: ${how} reach it now (its preview rule);${others}.${tryIt}`;
}

/** Posted in the thread after a successful precheck. */
export function approvalPrompt(d: Deployment, svc: ServiceConfig): SlackMessage {
  const blocks: KnownBlock[] = [
    section(requestText(d, true)),
    ...versionSection(d, svc),
    section(changeText(d, svc)),
    section(previewText(d, svc)),
    section(whoText(d, svc)),
    context(`Expires ${slackDate(d.approvalExpiresAt)} · deployment ${code(d.id)}`),
    actions([approveButton(d), cancelButton(d)]),
  ];
  return message(`Approval needed: ${routeText(d)} requested by ${mention(d.requester)}`, blocks);
}

/** The outcome line that replaces the buttons. */
function resolution(d: Deployment): { line: string; text: string } {
  const by = enteredBy(d, d.state)?.by;
  const reason = reasonText(d, 1000);
  const withReason = (s: string) => (reason ? `${s}\n*Reason:* ${reason}` : s);
  switch (d.state) {
    case 'cancelled':
      return {
        line: withReason(`🚫 Cancelled${by ? ` by ${mention(by)}` : ''} — nothing was switched.`),
        text: `Cancelled${reasonSuffix(d)}`,
      };
    case 'expired':
      return {
        line: withReason(
          `⌛ Expired — nobody approved before ${slackDate(d.approvalExpiresAt)}; nothing was switched.`,
        ),
        text: 'Approval expired',
      };
    case 'blocked':
      return { line: withReason('⛔ Blocked — nothing was switched.'), text: `Blocked${reasonSuffix(d)}` };
    default:
      if (d.approvedBy) {
        return {
          line: `✅ Approved by ${mention(d.approvedBy)} — cutting over.`,
          text: `Approved by ${mention(d.approvedBy)}`,
        };
      }
      return {
        line: withReason(`Closed (${clipLine(d.state, 30)}).`),
        text: `Approval closed (${clipLine(d.state, 30)})`,
      };
  }
}

/** The prompt with its buttons replaced by the outcome (chat.update of `messages.prompt`). */
export function approvalResolved(d: Deployment, svc?: ServiceConfig): SlackMessage {
  const r = resolution(d);
  const blocks: KnownBlock[] = [section(requestText(d, false)), section(changeText(d, svc))];
  if (svc) blocks.push(section(whoText(d, svc)));
  blocks.push(section(r.line), context(`Deployment ${code(d.id)}`));
  return message(`${routeText(d)}: ${r.text}`, blocks);
}
