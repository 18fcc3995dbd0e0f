/**
 * The argument parsers of the command table (./table.ts): the words after the command word →
 * the command, or a reply that says what was wrong and ends with the command's usage. Pure;
 * anything the user typed that is echoed back goes through `quote()`.
 */
import { DURATION_HELP, formatDuration, parseDuration } from '../duration.js';
import { MAX_EXTEND_MS } from '../limits.js';
import { oneLine, quote } from './text.js';

const LIST_MAX = 20;

/** What a parser returns: its command, or a reply for the user. */
export type Parsed<C> = { kind: 'command'; command: C } | { kind: 'reply'; text: string };

/** The configured services as the parser sees them: name → channel and slots. */
export type ServicesView = Record<string, { channel: string; slots: string[] }>;

export interface Known {
  /** Lower-cased service name → its configured name and slots (own entries only). */
  byName: Map<string, { name: string; channel: string; slots: Map<string, string> }>;
  inChannel: string[];
}

export interface ParserInput {
  /** The words after the command word; for the default command (deploy), every word. */
  args: string[];
  known: Known;
  /** `Usage: <this command's usage> — …`: the last line of every reply the parser gives. */
  usage: string;
  /** The words that start the other commands (a reply about an unknown service lists them). */
  reserved: readonly string[];
}

export type Parser<C> = (input: ParserInput) => Parsed<C>;

interface Catalog {
  byName: Known['byName'];
  byChannel: Map<string, string[]>;
}

/** The service catalog indexed once per services object (commands arrive far more often than config changes). */
const catalogs = new WeakMap<object, Catalog>();

function catalog(services: ServicesView): Catalog {
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

/** The services, and those the channel the command was typed in serves. */
export function knownServices(services: ServicesView, channelId: string): Known {
  const { byName, byChannel } = catalog(services);
  return { byName, inChannel: byChannel.get(channelId) ?? [] };
}

function list(names: string[]): string {
  if (names.length === 0) return 'none';
  const shown = names.slice(0, LIST_MAX).join(', ');
  return names.length > LIST_MAX ? `${shown} and ${names.length - LIST_MAX} more` : shown;
}

function reply(problem: string, usage: string): { kind: 'reply'; text: string } {
  return { kind: 'reply', text: `${problem}\n${usage}` };
}

function whereServices(known: Known): string {
  const all = [...known.byName.values()];
  if (all.length === 0) return 'No service is configured yet.';
  const shown = all.slice(0, LIST_MAX).map((s) => `${s.name} in <#${s.channel}>`);
  const more = all.length > LIST_MAX ? ` and ${all.length - LIST_MAX} more` : '';
  return `Services: ${shown.join(', ')}${more}.`;
}

type Resolved = { ok: true; service: string } | { ok: false; result: { kind: 'reply'; text: string } };

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

function tooMany(args: string[], usage: string): { kind: 'reply'; text: string } {
  const extra = args.map(quote).slice(0, 3).join(' ');
  return reply(`Too many arguments: unexpected ${extra}${args.length > 3 ? ' …' : ''}.`, usage);
}

/** `status [service]`: the channel's service by default, else every service. */
export function parseStatus({
  args,
  known,
  usage,
}: ParserInput): Parsed<{ name: 'status'; service?: string }> {
  if (args.length > 1) return tooMany(args.slice(1), usage);
  if (args[0] !== undefined) {
    const r = resolveService(args[0], known, usage);
    return r.ok ? { kind: 'command', command: { name: 'status', service: r.service } } : r.result;
  }
  const [only, ...rest] = known.inChannel;
  const service = only !== undefined && rest.length === 0 ? only : undefined;
  return {
    kind: 'command',
    command: service === undefined ? { name: 'status' } : { name: 'status', service },
  };
}

/** `<name> [service]`: a command about one service, the channel's when it is left out. */
export function serviceOnly<N extends string>(name: N): Parser<{ name: N; service: string }> {
  return ({ args, known, usage }) => {
    if (args.length > 1) return tooMany(args.slice(1), usage);
    const r = args[0] === undefined ? channelService(known, usage) : resolveService(args[0], known, usage);
    return r.ok ? { kind: 'command', command: { name, service: r.service } } : r.result;
  };
}

/** `extend [service] <duration>`. */
export function parseExtend({
  args,
  known,
  usage,
}: ParserInput): Parsed<{ name: 'extend'; service: string; durationMs: number }> {
  if (args.length > 2) return tooMany(args.slice(2), usage);
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
    return reply(
      `The extension can be at most ${formatDuration(MAX_EXTEND_MS)} (got ${quote(durationText)}${shown}).`,
      usage,
    );
  }
  return { kind: 'command', command: { name: 'extend', service: r.service, durationMs: ms } };
}

function slotOf(
  service: string,
  word: string,
  known: Known,
  usage: string,
): { ok: true; slot: string } | { ok: false; result: { kind: 'reply'; text: string } } {
  const svc = known.byName.get(service.toLowerCase());
  const slot = svc?.slots.get(word.toLowerCase());
  if (slot !== undefined) return { ok: true, slot };
  const slots = svc ? [...svc.slots.values()] : [];
  return { ok: false, result: reply(`Unknown slot ${quote(word)} — ${service} has ${list(slots)}.`, usage) };
}

/** The longest reason a request may carry: enough for a sentence and a ticket link, short enough for a prompt. */
export const MAX_REQUEST_REASON = 300;

/**
 * A request's reason, from the words typed after the slot or the form's text field alike: on one
 * line, invisible characters dropped (they could reorder what approvers read); none when empty;
 * a problem when longer than MAX_REQUEST_REASON.
 */
export function requestReason(raw: string): { reason?: string } | { problem: string } {
  const text = oneLine(raw);
  if (text === '') return {};
  if (text.length > MAX_REQUEST_REASON)
    return {
      problem: `The reason is ${text.length} characters long; at most ${MAX_REQUEST_REASON} are kept. Shorten it (a ticket link says a lot).`,
    };
  return { reason: text };
}

/** Words after the slot: the requester's reason. */
function reasonOf(words: string[], usage: string): Parsed<never> | { reason?: string } {
  const r = requestReason(words.join(' '));
  return 'problem' in r ? reply(r.problem, usage) : r;
}

type DeployCommand = { name: 'deploy'; service: string; slot: string; reason?: string };

function deployOf(service: string, slot: string, rest: string[], usage: string): Parsed<DeployCommand> {
  const r = reasonOf(rest, usage);
  if ('kind' in r) return r;
  return { kind: 'command', command: { name: 'deploy', service, slot, ...r } };
}

/**
 * `/deploy <service> <slot> [reason…]`, or `/deploy <slot> [reason…]` in a channel that serves one
 * service. Words after the slot are the reason, shown to approvers and kept in the audit.
 */
export function parseDeploy({ args, known, usage, reserved }: ParserInput): Parsed<DeployCommand> {
  // `args` is never empty: the table routes an empty `/deploy` elsewhere.
  const [first, second] = args as [string, string | undefined];
  // `/deploy <slot> <reason…>` where the channel serves one service and the first word is its slot.
  const here = channelService(known, usage, `Which service should switch to ${quote(first)}?`);
  const named = known.byName.get(first.toLowerCase());
  if (here.ok && !named) {
    const s = slotOf(here.service, first, known, usage);
    if (s.ok) return deployOf(here.service, s.slot, args.slice(1), usage);
    if (second === undefined) return s.result;
    // Neither a slot here nor a service: read as `<service> <slot>`, so a mistyped service is named.
  }
  if (second !== undefined) {
    const r = resolveService(first, known, `${usage}\nOther commands: ${reserved.join(', ')}.`);
    if (!r.ok) return r.result;
    const s = slotOf(r.service, second, known, usage);
    return s.ok ? deployOf(r.service, s.slot, args.slice(2), usage) : s.result;
  }
  // A lone word: a slot of the channel's service, else a service name that lacks its slot.
  if (!here.ok && !named) return here.result;
  if (here.ok) {
    // `named` is set here: a lone word that is neither a slot here nor a service was answered above.
    const s = slotOf(here.service, first, known, usage);
    if (s.ok) return deployOf(here.service, s.slot, [], usage);
  }
  const svc = named!;
  return reply(`Missing slot: which slot of ${svc.name}? It has ${list([...svc.slots.values()])}.`, usage);
}
