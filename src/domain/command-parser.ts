/**
 * `/deploy …` text → a command, a reply for the user, or nothing. Pure; never throws.
 * Anything the user typed that is echoed back goes through `quote()` so it cannot ping or format.
 */
import { DURATION_HELP, formatDuration, parseDuration } from './duration.js';
import { MAX_EXTEND_MS } from './state-machine.js';

export type Command =
  | { name: 'deploy'; service: string; slot: string }
  | { name: 'status'; service?: string }
  | { name: 'rollback'; service: string }
  | { name: 'extend'; service: string; durationMs: number }
  | { name: 'teardown'; service: string }
  | { name: 'cancel'; service: string }
  | { name: 'history'; service: string }
  | { name: 'unlock'; service: string }
  | { name: 'help' };

export type ParseResult =
  | { kind: 'command'; command: Command }
  | { kind: 'reply'; text: string }
  | { kind: 'ignore' };

export interface ParseContext {
  /** The slash command as Slack sends it, e.g. `/deploy`. */
  command: string;
  channelId: string;
  services: Record<string, { channel: string; slots: string[] }>;
}

/** Words that start a sub-command; they can never be service names. */
export const RESERVED_WORDS = [
  'status',
  'rollback',
  'extend',
  'teardown',
  'cancel',
  'history',
  'unlock',
  'help',
] as const;

const ECHO_MAX = 60;
const LIST_MAX = 20;

type ServiceOnly = 'rollback' | 'teardown' | 'cancel' | 'history' | 'unlock';

const USAGE: Record<string, string> = {
  deploy: '`/deploy &lt;service&gt; &lt;slot&gt;`',
  status: '`/deploy status [service]`',
  rollback: '`/deploy rollback [service]`',
  extend: '`/deploy extend [service] &lt;duration&gt;`',
  teardown: '`/deploy teardown [service]`',
  cancel: '`/deploy cancel [service]`',
  history: '`/deploy history [service]`',
  unlock: '`/deploy unlock [service]`',
  help: '`/deploy help`',
};

export function helpText(): string {
  return [
    '*Greenlight* switches a service between its blue and green slots on the load balancer.',
    `• ${USAGE.deploy} — check the slot, ask for approval, switch all traffic to it (e.g. \`/deploy checkout green\`). In a channel that serves one service: \`/deploy &lt;slot&gt;\`.`,
    `• ${USAGE.status} — the current deployment and the live slot.`,
    `• ${USAGE.rollback} — send traffic back to the previous slot (until it is torn down).`,
    `• ${USAGE.extend} — keep the previous slot longer before teardown (${DURATION_HELP}; at most 30d).`,
    `• ${USAGE.teardown} — tear the previous slot down now instead of at the end of the soak.`,
    `• ${USAGE.cancel} — cancel a deployment that has not switched traffic yet.`,
    `• ${USAGE.history} — recent deployments.`,
    `• ${USAGE.unlock} — break-glass (approvers): end a stuck deployment and free the service; says what the load balancer looks like.`,
    `• ${USAGE.help} — this help.`,
    '`[service]` may be left out in a channel that serves exactly one service.',
  ].join('\n');
}

// Invisible characters that only hide or reorder text: zero-width space/non-joiner, word joiner,
// BOM, bidi marks, embeddings, overrides and isolates.
const INVISIBLE = /[\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u061c\ufeff]/gu;
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/gu;

/** Neutralise user text for echoing in mrkdwn: no control chars, no `<…>` syntax, bounded length. */
export function quote(raw: string): string {
  const clean = raw.replace(INVISIBLE, '').replace(CONTROL, '');
  const chars = Array.from(clean);
  const short = chars.length > ECHO_MAX ? `${chars.slice(0, ECHO_MAX - 1).join('')}…` : clean;
  const escaped = short
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/`/g, 'ˋ')
    .replace(/@(channel|here|everyone)/gi, '@\u200b$1');
  return `\`${escaped}\``;
}

/** Slack sends `&`, `<`, `>` in command text as entities; decode them once. */
function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_, name: string) =>
    name === 'amp' ? '&' : name === 'lt' ? '<' : '>',
  );
}

function tokenize(text: string): string[] {
  return decodeEntities(text)
    .replace(INVISIBLE, '')
    .replace(CONTROL, ' ')
    .split(/\s+/u)
    .filter((t) => t.length > 0);
}

interface Known {
  /** Lower-cased service name → its configured name and slots (own entries only). */
  byName: Map<string, { name: string; channel: string; slots: Map<string, string> }>;
  inChannel: string[];
}

interface Catalog {
  byName: Known['byName'];
  byChannel: Map<string, string[]>;
}

/** The service catalog indexed once per services object (commands arrive far more often than config changes). */
const catalogs = new WeakMap<object, Catalog>();

function catalog(services: ParseContext['services']): Catalog {
  const cached = catalogs.get(services);
  if (cached) return cached;
  const byName: Known['byName'] = new Map();
  const byChannel = new Map<string, string[]>();
  for (const [name, svc] of Object.entries(services ?? {})) {
    const slots = new Map<string, string>();
    for (const slot of Array.isArray(svc?.slots) ? svc.slots : [])
      slots.set(String(slot).toLowerCase(), slot);
    const channel = String(svc?.channel ?? '');
    byName.set(name.toLowerCase(), { name, channel, slots });
    byChannel.set(channel, [...(byChannel.get(channel) ?? []), name]);
  }
  const built = { byName, byChannel };
  if (services && typeof services === 'object') catalogs.set(services, built);
  return built;
}

function index(ctx: ParseContext): Known {
  const { byName, byChannel } = catalog(ctx.services);
  return { byName, inChannel: byChannel.get(ctx.channelId) ?? [] };
}

function list(names: string[]): string {
  if (names.length === 0) return 'none';
  const shown = names.slice(0, LIST_MAX).join(', ');
  return names.length > LIST_MAX ? `${shown} and ${names.length - LIST_MAX} more` : shown;
}

function reply(problem: string, usage: string): ParseResult {
  return { kind: 'reply', text: `${problem}\n${usage}` };
}

function usageOf(name: string): string {
  return `Usage: ${USAGE[name]} — \`/deploy help\` lists every command.`;
}

function whereServices(known: Known): string {
  const all = [...known.byName.values()];
  if (all.length === 0) return 'No service is configured yet.';
  const shown = all.slice(0, LIST_MAX).map((s) => `${s.name} in <#${s.channel}>`);
  const more = all.length > LIST_MAX ? ` and ${all.length - LIST_MAX} more` : '';
  return `Services: ${shown.join(', ')}${more}.`;
}

type Resolved = { ok: true; service: string } | { ok: false; result: ParseResult };

function resolveService(word: string, known: Known, usage: string): Resolved {
  const svc = known.byName.get(word.toLowerCase());
  if (svc) return { ok: true, service: svc.name };
  const names = [...known.byName.values()].map((s) => s.name);
  return { ok: false, result: reply(`Unknown service ${quote(word)} — known: ${list(names)}.`, usage) };
}

/** The service of the current channel when the user left it out. */
function channelService(known: Known, usage: string, question = 'Which service?'): Resolved {
  const [only, ...rest] = known.inChannel;
  if (only !== undefined && rest.length === 0) return { ok: true, service: only };
  const why =
    known.inChannel.length === 0
      ? `${question} This channel serves no service, so name one.`
      : `${question} This channel serves ${list(known.inChannel)}, so name one.`;
  return { ok: false, result: reply(`${why} ${whereServices(known)}`, usage) };
}

function tooMany(args: string[], name: string): ParseResult {
  const extra = args.map(quote).slice(0, 3).join(' ');
  return reply(`Too many arguments: unexpected ${extra}${args.length > 3 ? ' …' : ''}.`, usageOf(name));
}

function parseStatus(args: string[], known: Known): ParseResult {
  if (args.length > 1) return tooMany(args.slice(1), 'status');
  if (args[0] !== undefined) {
    const r = resolveService(args[0], known, usageOf('status'));
    return r.ok ? { kind: 'command', command: { name: 'status', service: r.service } } : r.result;
  }
  const [only, ...rest] = known.inChannel;
  const service = only !== undefined && rest.length === 0 ? only : undefined;
  return {
    kind: 'command',
    command: service === undefined ? { name: 'status' } : { name: 'status', service },
  };
}

function parseServiceOnly(name: ServiceOnly, args: string[], known: Known): ParseResult {
  if (args.length > 1) return tooMany(args.slice(1), name);
  const r =
    args[0] === undefined
      ? channelService(known, usageOf(name))
      : resolveService(args[0], known, usageOf(name));
  return r.ok ? { kind: 'command', command: { name, service: r.service } } : r.result;
}

function parseExtend(args: string[], known: Known): ParseResult {
  const usage = usageOf('extend');
  if (args.length > 2) return tooMany(args.slice(2), 'extend');
  const [first, second] = args;
  if (first === undefined) return reply(`Missing duration: say how much longer, ${DURATION_HELP}.`, usage);
  let durationText: string;
  let r: Resolved;
  if (second === undefined) {
    // One word: a duration (service from the channel) or a service without its duration.
    if (parseDuration(first) === null) {
      if (known.byName.has(first.toLowerCase())) {
        return reply(`Missing duration: say how much longer, ${DURATION_HELP}.`, usage);
      }
      return reply(`${quote(first)} is not a duration: use ${DURATION_HELP}.`, usage);
    }
    durationText = first;
    r = channelService(known, usage);
  } else {
    durationText = second;
    r = resolveService(first, known, usage);
  }
  if (!r.ok) return r.result;
  const ms = parseDuration(durationText);
  if (ms === null) return reply(`${quote(durationText)} is not a duration: use ${DURATION_HELP}.`, usage);
  if (ms <= 0) return reply(`The extension must be longer than 0 (got ${quote(durationText)}).`, usage);
  if (ms > MAX_EXTEND_MS) {
    const shown = formatDuration(ms) === durationText.toLowerCase() ? '' : ` = ${formatDuration(ms)}`;
    return reply(`The extension can be at most 30d (got ${quote(durationText)}${shown}).`, usage);
  }
  return { kind: 'command', command: { name: 'extend', service: r.service, durationMs: ms } };
}

function slotOf(
  service: string,
  word: string,
  known: Known,
): { ok: true; slot: string } | { ok: false; result: ParseResult } {
  const svc = known.byName.get(service.toLowerCase());
  const slot = svc?.slots.get(word.toLowerCase());
  if (slot !== undefined) return { ok: true, slot };
  const slots = svc ? [...svc.slots.values()] : [];
  return {
    ok: false,
    result: reply(`Unknown slot ${quote(word)} — ${service} has ${list(slots)}.`, usageOf('deploy')),
  };
}

function parseDeploy(args: string[], known: Known): ParseResult {
  const usage = usageOf('deploy');
  if (args.length > 2) return tooMany(args.slice(2), 'deploy');
  const [first, second] = args as [string, string | undefined];
  if (second !== undefined) {
    const r = resolveService(first, known, `${usage}\nOther commands: ${RESERVED_WORDS.join(', ')}.`);
    if (!r.ok) return r.result;
    const s = slotOf(r.service, second, known);
    return s.ok
      ? { kind: 'command', command: { name: 'deploy', service: r.service, slot: s.slot } }
      : s.result;
  }
  // `/deploy <slot>` in a channel serving one service; otherwise a lone service name lacks its slot.
  const named = known.byName.get(first.toLowerCase());
  const here = channelService(known, usage, `Which service should switch to ${quote(first)}?`);
  if (!here.ok && !named) return here.result;
  if (here.ok) {
    const s = slotOf(here.service, first, known);
    if (s.ok) return { kind: 'command', command: { name: 'deploy', service: here.service, slot: s.slot } };
    if (!named) return s.result;
  }
  const svc = named!;
  return reply(`Missing slot: which slot of ${svc.name}? It has ${list([...svc.slots.values()])}.`, usage);
}

function parse(text: string, ctx: ParseContext): ParseResult {
  if (typeof ctx?.command !== 'string' || ctx.command.trim().toLowerCase() !== '/deploy')
    return { kind: 'ignore' };
  const tokens = tokenize(typeof text === 'string' ? text : '');
  const [head, ...args] = tokens;
  if (head === undefined) return { kind: 'reply', text: helpText() };
  const known = index(ctx);
  const word = head.toLowerCase();
  switch (word) {
    case 'help':
      return { kind: 'reply', text: helpText() };
    case 'status':
      return parseStatus(args, known);
    case 'extend':
      return parseExtend(args, known);
    case 'rollback':
    case 'teardown':
    case 'cancel':
    case 'history':
    case 'unlock':
      return parseServiceOnly(word, args, known);
    default:
      return parseDeploy(tokens, known);
  }
}

export function parseCommand(text: string, ctx: ParseContext): ParseResult {
  try {
    return parse(text, ctx);
  } catch {
    return { kind: 'reply', text: `Sorry, I could not read that command.\n\n${helpText()}` };
  }
}
