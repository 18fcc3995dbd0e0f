/** Replies to `/deploy help` and to commands the parser answers itself. Pure. */
import type { SlackMessage } from '../app/ports/slack.js';
import { helpText } from '../domain/commands/table.js';
import { escKeepMentions } from './format.js';
import { context, type KnownBlock, message, sections } from './kit.js';

/**
 * `text` is the reply/usage text (mrkdwn allowed: *bold*, `code`, line breaks; already-escaped
 * entities stay as they are). Mentions are kept; `<!channel>`-style broadcasts and links are
 * escaped. An empty `text` shows the full help. `version` is the running build's, shown in the footer.
 */
export function helpMessage(text: string, version: string): SlackMessage {
  const body = escKeepMentions(text.trim() ? text : helpText());
  const blocks: KnownBlock[] = [
    ...sections(body.split('\n'), 6),
    context(`📘 Greenlight ${version} · \`/deploy help\` lists every command`),
  ];
  return message(body, blocks);
}
