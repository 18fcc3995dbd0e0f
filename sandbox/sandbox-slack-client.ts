/**
 * The Slack client half of the sandbox page server: what a person does on the page becomes what
 * Slack would send the app — a typed `/deploy …` a signed slash command, a button click a signed
 * `block_actions` interaction — and what Slack would show comes back into the feed: the ack body
 * as an ephemeral for that person, Slackbot's "not a valid command", `operation_timeout` when the
 * app does not ack within 3 s. Plain text is posted as the person's message. As in Slack, what a
 * person types reaches the app and the page with `&`, `<` and `>` escaped (slackEscape): typed
 * text can never become a mention, a link or a date token.
 */
import { randomBytes } from 'node:crypto';
import type { ApiResponse } from './sandbox-api.js';
import { BOTS, type Channel, personName } from './sandbox-directory.js';
import { type FeedItem, type SandboxFeed, SLACKBOT } from './sandbox-feed.js';
import { blockActionsForm, postToSlackEndpoint, slashCommandForm } from './slack-payloads.js';

export interface SlackClientDeps {
  feed: SandboxFeed;
  channels: Channel[];
  signingSecret: string;
  /** The bot's `…/slack/events` URL, once its receiver listens. */
  botUrl(): string | undefined;
  /** Slack waits 3 s for an ack. */
  ackTimeoutMs?: number;
}

export interface CommandInput {
  user: string;
  channel: string;
  text: string;
  threadTs?: string | undefined;
}

export interface ActionInput {
  user: string;
  item: string;
  actionId: string;
  blockId?: string | undefined;
}

const ok = (body: unknown = { ok: true }): ApiResponse => ({ status: 200, body });
const fail = (status: number, error: string): ApiResponse => ({ status, body: { ok: false, error } });
const triggerId = () => `${Date.now()}.${randomBytes(6).toString('hex')}`;

interface Button {
  type: string;
  action_id?: string;
  value?: string;
  [key: string]: unknown;
}

/** Slack's escaping of typed text: `&` → `&amp;`, `<` → `&lt;`, `>` → `&gt;` (nothing else). */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The button with this action id (and block id, if given) in a message's blocks. */
export function findButton(
  blocks: unknown[] | undefined,
  actionId: string,
  blockId?: string,
): { button: Button; blockId: string } | undefined {
  for (const [index, raw] of listOf(blocks).entries()) {
    if (typeof raw !== 'object' || raw === null) continue;
    const block = raw as { type?: string; block_id?: unknown; elements?: unknown; accessory?: unknown };
    const id = typeof block.block_id === 'string' ? block.block_id : `b${index}`;
    if (blockId && blockId !== id) continue;
    const candidates = [...listOf(block.elements), ...(block.accessory ? [block.accessory] : [])] as Button[];
    const button = candidates.find((e) => e?.type === 'button' && e.action_id === actionId);
    if (button) return { button, blockId: id };
  }
  return undefined;
}

export function createSlackClient(deps: SlackClientDeps) {
  const channelName = (id: string) => deps.channels.find((c) => c.id === id)?.name;
  const ackTimeoutMs = deps.ackTimeoutMs ?? 3_000;
  const slackbotSays = (forUser: string, channel: string, text: string, threadTs?: string) =>
    deps.feed.add({
      kind: 'ephemeral',
      channel,
      user: SLACKBOT,
      forUser,
      text,
      ...(threadTs ? { threadTs } : {}),
    });

  async function command(input: CommandInput): Promise<ApiResponse> {
    if (!channelName(input.channel)) {
      return fail(400, `channel: not a sandbox channel (${deps.channels.map((c) => c.id).join(', ')})`);
    }
    const text = slackEscape(input.text.trim());
    const thread = input.threadTs ? { threadTs: input.threadTs } : {};
    if (!text.startsWith('/')) {
      const item = deps.feed.add({
        kind: 'message',
        channel: input.channel,
        user: input.user,
        text,
        ...thread,
      });
      return ok({ ok: true, posted: item.id });
    }
    const name = text.split(/\s/, 1)[0] as string;
    if (name !== '/deploy') {
      slackbotSays(
        input.user,
        input.channel,
        `\`${name.slice(0, 40)}\` is not a valid command. In Slack, all messages that start with "/" are interpreted as commands. This workspace has \`/deploy\`.`,
        input.threadTs,
      );
      return ok({ ok: true, delivered: 'slackbot' });
    }
    const url = deps.botUrl();
    if (!url) return fail(503, 'the bot is still starting; try again in a moment');
    const response = deps.feed.responseUrl({ user: input.user, channel: input.channel, ...thread });
    const body = slashCommandForm({
      command: name,
      text: text.slice(name.length).trim(),
      userId: input.user,
      userName: personName(input.user),
      channelId: input.channel,
      channelName: channelName(input.channel) as string,
      responseUrl: response.url,
      triggerId: triggerId(),
    });
    let res: { status: number; text: string };
    try {
      res = await postToSlackEndpoint(url, body, {
        signingSecret: deps.signingSecret,
        timeoutMs: ackTimeoutMs,
      });
    } catch {
      slackbotSays(
        input.user,
        input.channel,
        `${name} failed with the error "operation_timeout"`,
        input.threadTs,
      );
      return ok({ ok: true, ack: 'operation_timeout' });
    }
    if (res.status !== 200) {
      slackbotSays(
        input.user,
        input.channel,
        `${name} failed with the error "dispatch_failed"`,
        input.threadTs,
      );
      return ok({ ok: true, ack: 'dispatch_failed', botStatus: res.status });
    }
    if (res.text.trim() && !deps.feed.hasResponse(response.id)) addAck(input, res.text, response.id);
    if (text.slice(name.length).trim() === '') {
      // `/deploy` alone opens the request form (views.open): Slack draws it as a modal window,
      // which this page does not. Say so rather than show nothing.
      slackbotSays(
        input.user,
        input.channel,
        'In Slack, `/deploy` alone opens the request form (a modal window: service, slot, reason), which this page does not draw. Type the request instead, e.g. `/deploy checkout green 1.42.0: new pricing`; `/deploy help` lists every command.',
        input.threadTs,
      );
    }
    return ok({ ok: true, ack: 'ok' });
  }

  function addAck(input: CommandInput, raw: string, responseId: string): void {
    let parsed: Record<string, unknown>;
    try {
      const value: unknown = JSON.parse(raw);
      parsed =
        typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : { text: raw };
    } catch {
      parsed = { text: raw };
    }
    const inChannel = parsed.response_type === 'in_channel';
    deps.feed.add({
      kind: inChannel ? 'message' : 'ephemeral',
      channel: input.channel,
      user: BOTS[0]?.id as string,
      ...(inChannel ? {} : { forUser: input.user }),
      text: typeof parsed.text === 'string' ? parsed.text : '',
      ...(Array.isArray(parsed.blocks) ? { blocks: parsed.blocks } : {}),
      ...(input.threadTs ? { threadTs: input.threadTs } : {}),
      responseId,
    });
  }

  async function action(input: ActionInput): Promise<ApiResponse> {
    const item: FeedItem | undefined = deps.feed.find(input.user, input.item);
    if (!item) return fail(404, `item: no message ${input.item} that ${input.user} can see`);
    const found = findButton(item.blocks, input.actionId, input.blockId);
    if (!found) return fail(404, `actionId: message ${input.item} has no button ${input.actionId}`);
    const url = deps.botUrl();
    if (!url) return fail(503, 'the bot is still starting; try again in a moment');
    const response = deps.feed.responseUrl({
      user: input.user,
      channel: item.channel,
      ...(item.threadTs ? { threadTs: item.threadTs } : {}),
    });
    const body = blockActionsForm({
      actionId: input.actionId,
      value: found.button.value ?? '',
      userId: input.user,
      channelId: item.channel,
      messageTs: item.ts,
      ...(item.threadTs ? { threadTs: item.threadTs } : {}),
      responseUrl: response.url,
      blockId: found.blockId,
      triggerId: triggerId(),
      button: found.button,
      message: { text: item.text, ...(item.blocks ? { blocks: item.blocks } : {}) },
      isEphemeral: item.kind === 'ephemeral',
    });
    try {
      const res = await postToSlackEndpoint(url, body, {
        signingSecret: deps.signingSecret,
        timeoutMs: ackTimeoutMs,
      });
      if (res.status !== 200) return ok({ ok: false, error: `the app answered HTTP ${res.status}` });
    } catch {
      return ok({
        ok: false,
        error: `the app did not respond within ${ackTimeoutMs / 1000} s (operation_timeout)`,
      });
    }
    return ok();
  }

  return { command, action };
}
