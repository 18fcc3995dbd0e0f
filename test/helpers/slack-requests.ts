/**
 * Requests exactly as Slack sends them, built from the fixtures in `../shared/fixtures/slack/`
 * (the repo sits next to a `shared/` folder; `GREENLIGHT_SHARED_DIR` points elsewhere if not),
 * then signed and POSTed to the real receiver.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signSlackRequest } from '../../src/sandbox/slack-signing.js';

/** Absolute path of a file in the shared folder (fixtures, schemas). */
export function sharedPath(relative: string): string {
  const beside = fileURLToPath(new URL(`../../../shared/${relative}`, import.meta.url));
  if (existsSync(beside)) return beside;
  const dir = process.env.GREENLIGHT_SHARED_DIR;
  if (dir && existsSync(join(dir, relative))) return join(dir, relative);
  throw new Error(
    `shared file ${relative} not found next to the repo (${beside}) nor in GREENLIGHT_SHARED_DIR`,
  );
}

export function readShared(relative: string): string {
  return readFileSync(sharedPath(relative), 'utf8');
}

export interface SlashCommandInput {
  text: string;
  userId: string;
  channelId: string;
  responseUrl: string;
  triggerId?: string;
  command?: string;
  userName?: string;
}

/** A form-encoded slash command body, from `slash-command.form.txt` with our fields. */
export function slashCommandBody(input: SlashCommandInput): string {
  const form = new URLSearchParams(readShared('fixtures/slack/slash-command.form.txt').trim());
  form.set('command', input.command ?? '/deploy');
  form.set('text', input.text);
  form.set('user_id', input.userId);
  form.set('user_name', input.userName ?? input.userId.toLowerCase());
  form.set('channel_id', input.channelId);
  form.set('response_url', input.responseUrl);
  if (input.triggerId) form.set('trigger_id', input.triggerId);
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
}

type Json = Record<string, unknown>;

/** The `block_actions` payload object, from `block-actions.json` with our fields. */
export function blockActionPayload(input: BlockActionInput): Json {
  const p = JSON.parse(readShared('fixtures/slack/block-actions.json')) as Json;
  const user = p.user as Json;
  user.id = input.userId;
  user.username = input.userId.toLowerCase();
  const container = p.container as Json;
  container.message_ts = input.messageTs;
  container.channel_id = input.channelId;
  (p.channel as Json).id = input.channelId;
  const message = p.message as Json;
  message.ts = input.messageTs;
  if (input.threadTs) message.thread_ts = input.threadTs;
  else delete message.thread_ts;
  p.response_url = input.responseUrl;
  if (input.triggerId) p.trigger_id = input.triggerId;
  const [action] = p.actions as Json[];
  if (!action) throw new Error('block-actions.json has no action');
  action.action_id = input.actionId;
  action.value = input.value;
  if (input.blockId) action.block_id = input.blockId;
  action.action_ts = `${Math.floor(Date.now() / 1000)}.000100`;
  p.actions = [action];
  return p;
}

/** The form-encoded interaction body: one field `payload` holding the JSON. */
export function blockActionBody(input: BlockActionInput): string {
  return new URLSearchParams({ payload: JSON.stringify(blockActionPayload(input)) }).toString();
}

export interface SignOptions {
  signingSecret: string;
  /** Seconds since the epoch; default now. */
  timestamp?: number | string;
  /** Override the signature (to test rejection). */
  signature?: string;
  contentType?: string;
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
  });
  return { status: res.status, text: await res.text() };
}
