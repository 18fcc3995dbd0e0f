/** User-facing refusals (ephemeral): permission, validation and lock refusals. Pure. */
import type { SlackMessage } from '../app/ports/slack.js';
import { type Deployment, STATE_LABEL } from '../domain/deployment.js';
import type { Reason } from '../domain/reasons.js';
import { routeText } from './common.js';
import { clipLine, code, escKeepMentions, link, mention, truncate } from './format.js';
import { context, message, section } from './kit.js';
import { renderReason } from './reasons.js';

/** A short ephemeral reply. `text` is mrkdwn and may name people (`<@U…>`); anything else that looks like a Slack token is escaped. */
export function refusalMessage(text: string): SlackMessage {
  const body = truncate(escKeepMentions(text), 2900);
  return message(body, [section(body)]);
}

/** What a command or a form submission answers when handling it threw: nothing was changed. */
export const INTERNAL_ERROR = refusalMessage(
  'Greenlight could not handle that because of an internal error. Nothing was changed; try again, and if it persists ask the operators to check the logs.',
);

/** A refusal (not authorized, wrong channel, not now, …) in its words, as a short ephemeral reply. */
export function reasonRefusal(r: Reason): SlackMessage {
  return refusalMessage(renderReason(r));
}

/** "checkout is busy: deployment X by @U is awaiting approval — see thread". */
export function lockRefusal(holder: Deployment, permalink?: string): SlackMessage {
  const service = clipLine(holder.service, 40);
  const state = STATE_LABEL[holder.state];
  const thread = permalink ? ` — ${link(permalink, 'see thread')}` : '';
  const line = `🔒 *${service}* is busy: deployment ${code(holder.id)} by ${mention(holder.requester)} is ${state}${thread}`;
  return message(
    `${service} is busy: deployment ${clipLine(holder.id, 120)} by ${mention(holder.requester)} is ${state}`,
    [section(line), context(`${routeText(holder)} · one deployment per service at a time`)],
  );
}
