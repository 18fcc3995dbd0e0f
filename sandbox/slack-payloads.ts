/**
 * Requests exactly as Slack sends them to an app: slash commands (form-encoded) and
 * `block_actions` interactions (one form field `payload` holding JSON), signed and POSTed to the
 * receiver. The sandbox page server sends them for the page; the tests build them from the
 * fixtures in `test/fixtures/slack/` (passed as `base`) through the same functions.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { signSlackRequest } from './slack-signing.js';

export interface SlashCommandInput {
  text: string;
  userId: string;
  channelId: string;
  responseUrl: string;
  triggerId?: string;
  command?: string;
  userName?: string;
  channelName?: string;
}

/**
 * Slack gives every command and interaction its own `trigger_id` (`<digits>.<digits>.<hex>`), so no
 * two genuine requests are byte-for-byte the same — which is what lets the receiver drop a replayed
 * one by its signature. Requests built here do the same.
 */
export function freshTriggerId(): string {
  const digits = (n: number) => String(randomInt(10 ** (n - 1), 10 ** n));
  return `${digits(11)}.${digits(9)}.${randomBytes(16).toString('hex')}`;
}

/** The fields of a slash command as Slack documents them (docs.slack.dev: slash commands). */
export const DEFAULT_SLASH_COMMAND_FORM =
  'token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0SANDBOX&team_domain=greenlight-sandbox' +
  '&channel_id=C0SANDBOX&channel_name=sandbox&user_id=U0SANDBOX&user_name=sandbox&command=/deploy' +
  '&text=&response_url=https://hooks.slack.com/commands/1234/5678' +
  '&trigger_id=13345224609.738474920.8088930838d88f008e0&api_app_id=A0GREENLIGHT';

/** A form-encoded slash command body: `base` (Slack's documented shape) with our fields. */
export function slashCommandForm(input: SlashCommandInput, base = DEFAULT_SLASH_COMMAND_FORM): string {
  const form = new URLSearchParams(base.trim());
  form.set('command', input.command ?? '/deploy');
  form.set('text', input.text);
  form.set('user_id', input.userId);
  form.set('user_name', input.userName ?? input.userId.toLowerCase());
  form.set('channel_id', input.channelId);
  if (input.channelName) form.set('channel_name', input.channelName);
  form.set('response_url', input.responseUrl);
  form.set('trigger_id', input.triggerId ?? freshTriggerId());
  return form.toString();
}

export interface BlockActionInput {
  actionId: string;
  value: string;
  userId: string;
  channelId: string;
  /** The ts of the message holding the button. */
  messageTs: string;
  /** The thread parent's ts when the message is a thread reply. */
  threadTs?: string;
  responseUrl: string;
  blockId?: string;
  triggerId?: string;
  /** The button as it was rendered (its `text`, `style`, …); Slack echoes it in `actions[0]`. */
  button?: Record<string, unknown>;
  /** The message as Slack shows it to the app (text, blocks, …). */
  message?: Record<string, unknown>;
  isEphemeral?: boolean;
}

type Json = Record<string, unknown>;

/** A `block_actions` payload as Slack documents it (docs.slack.dev: block_actions payload). */
export function defaultBlockActionsBase(): Json {
  return {
    type: 'block_actions',
    team: { id: 'T0SANDBOX', domain: 'greenlight-sandbox' },
    user: { id: 'U0SANDBOX', username: 'sandbox', team_id: 'T0SANDBOX' },
    api_app_id: 'A0GREENLIGHT',
    token: '9s8d9as89d8as9d8as989',
    container: { type: 'message', message_ts: '', channel_id: '', is_ephemeral: false },
    trigger_id: '12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3',
    channel: { id: '', name: 'sandbox' },
    message: { bot_id: 'B0GREENLIGHT', type: 'message', text: '', user: 'U0GREENLIGHT', ts: '' },
    response_url: '',
    actions: [
      {
        action_id: '',
        block_id: '',
        text: { type: 'plain_text', text: 'Button', emoji: true },
        value: '',
        type: 'button',
        action_ts: '',
      },
    ],
  };
}

/** The `block_actions` payload object: `base` (a copy is changed) with our fields. */
export function blockActionsPayload(input: BlockActionInput, base: Json = defaultBlockActionsBase()): Json {
  const p = structuredClone(base);
  const user = p.user as Json;
  user.id = input.userId;
  user.username = input.userId.toLowerCase();
  const container = p.container as Json;
  container.message_ts = input.messageTs;
  container.channel_id = input.channelId;
  if (input.isEphemeral !== undefined) container.is_ephemeral = input.isEphemeral;
  (p.channel as Json).id = input.channelId;
  const message = { ...(p.message as Json), ...(input.message ?? {}) };
  message.ts = input.messageTs;
  if (input.threadTs) message.thread_ts = input.threadTs;
  else delete message.thread_ts;
  p.message = message;
  p.response_url = input.responseUrl;
  p.trigger_id = input.triggerId ?? freshTriggerId();
  const [first] = p.actions as Json[];
  if (!first) throw new Error('the block_actions base has no action');
  const action: Json = { ...first };
  if (input.button) {
    for (const key of ['type', 'text', 'style', 'confirm'] as const) {
      if (input.button[key] !== undefined) action[key] = input.button[key];
    }
  }
  action.action_id = input.actionId;
  action.value = input.value;
  if (input.blockId) action.block_id = input.blockId;
  action.action_ts = `${Math.floor(Date.now() / 1000)}.000100`;
  p.actions = [action];
  return p;
}

/** The form-encoded interaction body: one field `payload` holding the JSON. */
export function blockActionsForm(input: BlockActionInput, base?: Json): string {
  return new URLSearchParams({ payload: JSON.stringify(blockActionsPayload(input, base)) }).toString();
}

export interface SignOptions {
  signingSecret: string;
  /** Seconds since the epoch; default now. */
  timestamp?: number | string;
  /** Override the signature (to test rejection). */
  signature?: string;
  contentType?: string;
  /** Give up after this long (Slack waits 3 s for an ack). */
  timeoutMs?: number;
}

/** POSTs a body to the receiver with Slack's headers, signed unless `signature` is given. */
export async function postToSlackEndpoint(
  url: string,
  body: string,
  opts: SignOptions,
): Promise<{ status: number; text: string }> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = opts.signature ?? signSlackRequest(opts.signingSecret, timestamp, body);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': opts.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature,
    },
    body,
    ...(opts.timeoutMs !== undefined ? { signal: AbortSignal.timeout(opts.timeoutMs) } : {}),
  });
  return { status: res.status, text: await res.text() };
}
