/**
 * `/deploy …` text → a command, a reply for the user, or nothing. Pure; never throws.
 * Anything the user typed that is echoed back goes through `quote()` so it cannot ping or format.
 * The commands themselves — names, usage, help, parsers, intents — are the table in
 * ./commands/table.ts; this is the entry point that reads the text and hands it to the table.
 */
import type { ServicesView } from './commands/parsers.js';
import { knownServices } from './commands/parsers.js';
import { type Command, helpText, parseWords } from './commands/table.js';
import { tokenize } from './commands/text.js';

export type ParseResult =
  | { kind: 'command'; command: Command }
  | { kind: 'reply'; text: string }
  | { kind: 'ignore' };

export interface ParseContext {
  /** The slash command as Slack sends it, e.g. `/deploy`. */
  command: string;
  channelId: string;
  services: ServicesView;
}

function parse(text: string, ctx: ParseContext): ParseResult {
  if (typeof ctx?.command !== 'string' || ctx.command.trim().toLowerCase() !== '/deploy')
    return { kind: 'ignore' };
  const [head, ...args] = tokenize(typeof text === 'string' ? text : '');
  if (head === undefined) return { kind: 'reply', text: helpText() };
  return parseWords([head, ...args], knownServices(ctx.services, ctx.channelId));
}

export function parseCommand(text: string, ctx: ParseContext): ParseResult {
  try {
    return parse(text, ctx);
  } catch {
    return { kind: 'reply', text: `Sorry, I could not read that command.\n\n${helpText()}` };
  }
}
