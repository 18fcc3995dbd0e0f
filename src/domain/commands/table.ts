/**
 * The command table: every `/deploy` sub-command, once — its name, usage, help line, parser and
 * intent (./intents.ts: the handler that runs it, whether it is taken only in the service's
 * channel, the authorization check and, where a status-card button does the same, the button).
 *
 * Adding a command touches two files:
 *   1. this file: one entry in COMMANDS (a parser that no existing one fits goes in ./parsers.ts);
 *   2. src/slack/command-handler.ts: one handler function in HANDLERS under the intent's handler
 *      name — TypeScript refuses a table whose handler is not registered. A `change(…)` intent
 *      (an event on a deployment) runs in the `change` handler that is already there.
 * Derived from the table, never written out again: RESERVED_WORDS (config refuses them as service
 * names), the usage lines the parser replies with, helpText(), the parser's dispatch on the first
 * word (parseWords), the Slack command dispatch, and the buttons (ACTIONS in
 * src/messages/action-ids.ts, the click → intent mapping in src/slack/action-handler.ts).
 */
import {
  type Actor,
  canApprove,
  canCancel,
  canExtend,
  canRequest,
  canRollback,
  canTeardownNow,
  canUnlock,
} from '../authorization.js';
import { DURATION_HELP, formatDuration } from '../duration.js';
import type { DeploymentEvent } from '../events.js';
import { MAX_EXTEND_MS } from '../limits.js';
import { type ChangeIntent, change, type Intent, read, request } from './intents.js';
import {
  type Known,
  type Parsed,
  type Parser,
  parseDeploy,
  parseExtend,
  parseStatus,
  serviceOnly,
} from './parsers.js';

export interface CommandSpec<N extends string, C extends { name: N }, I extends Intent> {
  /** The word after `/deploy` (case-insensitive). */
  readonly name: N;
  /**
   * What `/deploy <words>` means when the first word is no command word (exactly one entry): its
   * parser gets every word, and its name is not reserved.
   */
  readonly fallback?: true;
  /** mrkdwn, already escaped: the help lists it, and every reply about the command ends with it. */
  readonly usage: string;
  /** The help line after the usage and ` — `. */
  readonly help: string;
  readonly parse: Parser<C>;
  readonly intent: I;
  /** How a refusal quotes the command after `/deploy` (default: its name). */
  readonly echo?: (command: C) => string;
}

function command<const N extends string, C extends { name: N }, I extends Intent>(
  spec: CommandSpec<N, C, I>,
): CommandSpec<N, C, I> {
  return spec;
}

/** The event of a change that records only who asked for it. */
const byActor =
  (type: 'approve' | 'cancel' | 'rollback' | 'teardown_now' | 'unlock') =>
  (actor: Actor): DeploymentEvent => ({ type, user: actor.userId });

/** The order of the table is the order of the help and of RESERVED_WORDS. */
export const COMMANDS = [
  command({
    name: 'deploy',
    fallback: true,
    usage: '`/deploy &lt;service&gt; &lt;slot&gt; [reason…]`',
    help: 'check the slot, ask for approval, switch all traffic to it (e.g. `/deploy checkout green 1.42.0: new pricing, JIRA-123`); the reason is shown to approvers and kept in the audit. In a channel that serves one service: `/deploy &lt;slot&gt; [reason…]`.',
    parse: parseDeploy,
    intent: request(canRequest),
    echo: (c) => `${c.service} ${c.slot}`,
  }),
  command({
    name: 'status',
    usage: '`/deploy status [service]`',
    help: 'the current deployment and the live slot.',
    parse: parseStatus,
    intent: read('status'),
  }),
  command({
    name: 'rollback',
    usage: '`/deploy rollback [service]`',
    help: 'send traffic back to the previous slot (until it is torn down).',
    parse: serviceOnly('rollback'),
    intent: change({
      authorize: canRollback,
      event: byActor('rollback'),
      actsOn: 'lastToMoveTraffic',
      button: 'gl_rollback',
    }),
  }),
  command({
    name: 'extend',
    usage: '`/deploy extend [service] &lt;duration&gt;`',
    help: `keep the previous slot longer before teardown (${DURATION_HELP}; at most ${formatDuration(MAX_EXTEND_MS)}).`,
    parse: parseExtend,
    intent: change({
      authorize: (svc, _d, a) => canExtend(svc, a),
      event: (a, svc, extendMs) => ({ type: 'extend', user: a.userId, byMs: extendMs ?? svc.soakMs }),
      button: 'gl_extend',
    }),
  }),
  command({
    name: 'teardown',
    usage: '`/deploy teardown [service]`',
    help: 'tear the previous slot down now instead of at the end of the soak.',
    parse: serviceOnly('teardown'),
    intent: change({
      authorize: (svc, _d, a) => canTeardownNow(svc, a),
      event: byActor('teardown_now'),
      button: 'gl_teardown_now',
    }),
  }),
  command({
    name: 'cancel',
    usage: '`/deploy cancel [service]`',
    help: 'cancel a deployment that has not switched traffic yet.',
    parse: serviceOnly('cancel'),
    intent: change({ authorize: canCancel, event: byActor('cancel'), button: 'gl_cancel' }),
  }),
  command({
    name: 'history',
    usage: '`/deploy history [service]`',
    help: 'recent deployments.',
    parse: serviceOnly('history'),
    intent: read('history'),
  }),
  command({
    name: 'unlock',
    usage: '`/deploy unlock [service]`',
    help: 'break-glass (approvers): end a stuck deployment and free the service; says what the load balancer looks like.',
    parse: serviceOnly('unlock'),
    intent: change({
      authorize: (svc, _d, a) => canUnlock(svc, a),
      event: byActor('unlock'),
      done: (service, d) =>
        `Unlocked *${service}*: deployment ${d.id} ended as failed (recorded in the audit). ` +
        `What the load balancer looks like now follows in its thread in <#${d.channel}>.`,
    }),
  }),
  command({
    name: 'help',
    usage: '`/deploy help`',
    help: 'this help.',
    parse: (): Parsed<{ name: 'help' }> => ({ kind: 'reply', text: helpText() }),
    intent: read('help'),
  }),
] as const;

/**
 * The one intent a button records that no command does: Approve, on the approval card that shows
 * the approver the plan (a command would approve without it).
 */
export const APPROVE = change({ authorize: canApprove, event: byActor('approve'), button: 'gl_approve' });

type Spec = (typeof COMMANDS)[number];
type CommandOf<S> = S extends { parse: Parser<infer C> } ? C : never;
type ButtonOf<I> = I extends ChangeIntent<infer B> ? B : never;

/** Every command the parser can return, derived from the table. */
export type Command = CommandOf<Spec>;
export type CommandName = Spec['name'];
/** Commands taken only in the service's channel: each names its service (checked by the compiler). */
type ServiceChannelCommand = CommandOf<Extract<Spec, { intent: { serviceChannel: true } }>>;
type Assert<T extends true> = T;
export type ServiceChannelCommandsNameAService = Assert<
  ServiceChannelCommand extends { service: string } ? true : false
>;
/** The Slack handlers the table names (src/slack/command-handler.ts registers one for each). */
export type HandlerName = Spec['intent']['handler'];
/** The commands that `handler` runs, and their intents. */
export type CommandFor<H extends HandlerName> = CommandOf<Extract<Spec, { intent: { handler: H } }>>;
export type IntentFor<H extends HandlerName> = Extract<Spec['intent'], { handler: H }>;
/** The action id of every button the bot posts. */
export type ActionId = ButtonOf<Spec['intent'] | typeof APPROVE>;

const BY_NAME: ReadonlyMap<string, Spec> = new Map(COMMANDS.map((c) => [c.name, c]));

function findFallback(): Spec {
  const fallbacks = COMMANDS.filter((c) => c.fallback);
  const [only] = fallbacks;
  if (only === undefined || fallbacks.length > 1) throw new Error('the command table needs one fallback');
  return only;
}

const FALLBACK = findFallback();

/** Words that start a sub-command; they can never be service names. */
export const RESERVED_WORDS: readonly CommandName[] = COMMANDS.flatMap((c) =>
  c === FALLBACK ? [] : [c.name],
);

/** The table entry of a command. */
export function commandSpec(name: CommandName): Spec {
  return BY_NAME.get(name)!;
}

/** How a refusal quotes the command after `/deploy`: `rollback`, `checkout green`. */
export function echoCommand(cmd: Command): string {
  const spec = commandSpec(cmd.name);
  // The table pairs each name with its parser's command; TypeScript cannot follow that through a lookup.
  return spec.echo ? spec.echo(cmd as never) : cmd.name;
}

/** The last line of every reply about a command. */
export function usageLine(name: CommandName): string {
  return `Usage: ${commandSpec(name).usage} — \`/deploy help\` lists every command.`;
}

export function helpText(): string {
  return [
    '*Greenlight* switches a service between its blue and green slots on the load balancer.',
    ...COMMANDS.map((c) => `• ${c.usage} — ${c.help}`),
    '`[service]` may be left out in a channel that serves exactly one service.',
  ].join('\n');
}

/** The parser's dispatch: the first word picks the entry (the fallback when it is no command word). */
export function parseWords(words: [string, ...string[]], known: Known): Parsed<Command> {
  const [head, ...args] = words;
  const spec = BY_NAME.get(head.toLowerCase());
  const entry = spec !== undefined && spec !== FALLBACK ? spec : FALLBACK;
  return entry.parse({
    args: entry === FALLBACK ? words : args,
    known,
    usage: usageLine(entry.name),
    reserved: RESERVED_WORDS,
  });
}

/** Every button's action id → the intent it records (the same intent as its command, if any). */
export const BUTTONS: ReadonlyMap<string, ChangeIntent> = new Map(
  [APPROVE, ...COMMANDS.map((c) => c.intent)].flatMap((i): [string, ChangeIntent][] =>
    i.handler === 'change' && i.button !== undefined ? [[i.button, i]] : [],
  ),
);

/** The action ids, Approve first, then in table order. */
export const ACTION_IDS = [...BUTTONS.keys()] as ActionId[];
