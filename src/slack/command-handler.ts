/**
 * `/deploy …`: parse (pure) → authorize → record intent (store + queue) → reply. Every reply is
 * ephemeral to the person who typed the command; the deployment itself shows up as a status card
 * in the service's channel, posted by the precheck job. What each command does is its intent in
 * the command table (src/domain/commands/table.ts); HANDLERS below runs it.
 */

import type { SlackMessage } from '../app/ports/slack.js';
import { recordEvent } from '../app/record-event.js';
import { requestDeployment } from '../app/request-deployment.js';
import { inServiceChannel } from '../domain/authorization.js';
import { type ParseContext, parseCommand } from '../domain/command-parser.js';
import { type ChangeIntent, decide, type RequestIntent } from '../domain/commands/intents.js';
import {
  type Command,
  type CommandFor,
  commandSpec,
  echoCommand,
  type HandlerName,
  type IntentFor,
} from '../domain/commands/table.js';
import { forgottenSlots } from '../domain/cost.js';
import type { Deployment } from '../domain/deployment.js';
import type { ServiceConfig } from '../domain/service.js';
import {
  helpMessage,
  historyMessage,
  lockRefusal,
  reasonRefusal,
  refusalMessage,
  requestAccepted,
  statusList,
} from '../messages/index.js';
import { VERSION } from '../ops/version.js';
import {
  actorFor,
  currentDeployment,
  rollbackTarget,
  serviceRecords,
  type WebContext,
} from './web-context.js';

export interface CommandInput {
  command: string;
  text: string;
  userId: string;
  channelId: string;
}

/** What the parser needs to know of the services, built once per configuration. */
const parserViews = new WeakMap<object, ParseContext['services']>();

function parserView(config: WebContext['config']): ParseContext['services'] {
  let view = parserViews.get(config);
  if (!view) {
    view = Object.fromEntries(
      Object.values(config.services).map((s) => [
        s.name,
        { channel: s.channel, slots: Object.keys(s.slots) },
      ]),
    );
    parserViews.set(config, view);
  }
  return view;
}

export async function handleCommand(ctx: WebContext, input: CommandInput): Promise<SlackMessage | null> {
  const services = parserView(ctx.config);
  const parsed = parseCommand(input.text, { command: input.command, channelId: input.channelId, services });
  if (parsed.kind === 'ignore') return null;
  if (parsed.kind === 'reply') return helpMessage(parsed.text, VERSION);
  return runCommand(ctx, parsed.command, input);
}

type Handler<H extends HandlerName> = (
  ctx: WebContext,
  cmd: CommandFor<H>,
  input: CommandInput,
  intent: IntentFor<H>,
) => Promise<SlackMessage>;

/** One handler per handler name in the command table; a `change` intent needs no new one. */
export const HANDLERS: { [H in HandlerName]: Handler<H> } = {
  help: async () => helpMessage('', VERSION),
  request: async (ctx, cmd, input, intent) =>
    (
      await request(
        ctx,
        ctx.config.services[cmd.service] as ServiceConfig,
        cmd.slot,
        input.userId,
        intent,
        cmd.reason,
      )
    ).message,
  status: (ctx, cmd) => status(ctx, cmd.service),
  history: async (ctx, cmd) => historyMessage(cmd.service, await ctx.store.readAudit(cmd.service, 20)),
  change: actOnCurrent,
};

/** The refusal of a command that changes a service typed outside that service's channel. */
function channelRefusal(ctx: WebContext, cmd: Command, channelId: string): SlackMessage | null {
  const { intent } = commandSpec(cmd.name);
  if (intent.serviceChannel && 'service' in cmd && cmd.service !== undefined) {
    const svc = ctx.config.services[cmd.service] as ServiceConfig;
    const where = inServiceChannel(svc, echoCommand(cmd), channelId);
    if (!where.ok) return reasonRefusal(where.reason);
  }
  return null;
}

async function runCommand(ctx: WebContext, cmd: Command, input: CommandInput): Promise<SlackMessage> {
  const { intent } = commandSpec(cmd.name);
  return channelRefusal(ctx, cmd, input.channelId) ?? run(intent.handler, ctx, cmd, input, intent);
}

/** What a deployment request answered: the reply, and the deployment when one was requested. */
export interface RequestReply {
  message: SlackMessage;
  deployment?: Deployment;
}

/**
 * `/deploy <service> <slot> [reason…]` already parsed — what the `/deploy` form submits
 * (src/slack/deploy-form.ts): the same channel check, authorization and request as the typed
 * command, with the deployment when one was requested.
 */
export async function requestCommand(
  ctx: WebContext,
  cmd: CommandFor<'request'>,
  input: CommandInput,
): Promise<RequestReply> {
  const refused = channelRefusal(ctx, cmd, input.channelId);
  if (refused) return { message: refused };
  const { intent } = commandSpec(cmd.name);
  const svc = ctx.config.services[cmd.service] as ServiceConfig;
  return request(ctx, svc, cmd.slot, input.userId, intent as IntentFor<'request'>, cmd.reason);
}

function run<H extends HandlerName>(
  handler: H,
  ctx: WebContext,
  cmd: Command,
  input: CommandInput,
  intent: IntentFor<HandlerName>,
): Promise<SlackMessage> {
  // The table pairs each command with its intent and handler; TypeScript cannot follow that
  // pairing through a lookup by name, so the handler gets them as the table declares them.
  return (HANDLERS[handler] as Handler<H>)(ctx, cmd as CommandFor<H>, input, intent as IntentFor<H>);
}

async function request(
  ctx: WebContext,
  svc: ServiceConfig,
  slot: string,
  userId: string,
  intent: RequestIntent,
  requestReason?: string,
): Promise<RequestReply> {
  const allowed = intent.authorize(svc, await actorFor(ctx, svc, userId));
  if (!allowed.ok) return { message: reasonRefusal(allowed.reason) };
  const created = await requestDeployment(ctx, svc, slot, userId, requestReason);
  if (!created.ok) {
    const link =
      created.holder?.messages.card !== undefined
        ? await ctx.slack.permalink(created.holder.channel, created.holder.messages.card)
        : undefined;
    if (!created.holder)
      return { message: refusalMessage(`${svc.name} is locked by deployment ${created.holderId}.`) };
    return { message: lockRefusal(created.holder, link) };
  }
  return { message: requestAccepted(created.deployment), deployment: created.deployment };
}

async function status(ctx: WebContext, service: string | undefined): Promise<SlackMessage> {
  const svcs = Object.values(ctx.config.services).filter((s) => !service || s.name === service);
  // The forgotten-environment report covers every service, whatever `service` asked for: one read
  // of each service's records serves both it and the status lines.
  const records = new Map(
    await Promise.all(
      Object.values(ctx.config.services).map(
        async (svc) => [svc.name, await serviceRecords(ctx, svc.name)] as const,
      ),
    ),
  );
  const items = svcs.map((svc) => {
    const r = records.get(svc.name);
    return { svc, active: r?.active ?? null, last: r?.recent[0] ?? null };
  });
  // The newest deployment that switched traffic: a later one that never cut over (blocked,
  // cancelled, expired) does not make the slots an earlier one left running disappear.
  const latest = [...records.values()].flatMap((r) => r.recent.find((d) => d.cutover !== undefined) ?? []);
  const now = ctx.clock.now();
  return statusList(items, now, forgottenSlots(latest, ctx.config.services, now));
}

/** The deployment a change acts on, as its intent says. */
const TARGETS: Record<
  ChangeIntent['actsOn'],
  (ctx: WebContext, service: string) => Promise<Deployment | null>
> = {
  current: currentDeployment,
  lastToMoveTraffic: rollbackTarget,
};

async function actOnCurrent(
  ctx: WebContext,
  cmd: CommandFor<'change'>,
  input: CommandInput,
  intent: ChangeIntent,
): Promise<SlackMessage> {
  const svc = ctx.config.services[cmd.service] as ServiceConfig;
  const d = await TARGETS[intent.actsOn](ctx, svc.name);
  if (!d) return refusalMessage(`There is no deployment of *${svc.name}* to ${cmd.name}.`);
  const actor = await actorFor(ctx, svc, input.userId);
  const extendMs = 'durationMs' in cmd ? cmd.durationMs : undefined;
  const [decision, event] = decide(intent, svc, d, actor, extendMs);
  if (!decision.ok) return reasonRefusal(decision.reason);
  const out = await recordEvent(ctx, d.id, event);
  if (!out.ok) return reasonRefusal(out.reason);
  return refusalMessage(
    intent.done?.(svc.name, d) ??
      `Done: ${cmd.name} of *${svc.name}* recorded (${d.id}). Follow it in <#${d.channel}>.`,
  );
}
