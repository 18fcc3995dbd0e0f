/**
 * What the sandbox page shows of the conversation: the bot's messages and ephemerals as the local
 * Slack Web API holds them, plus what only the Slack client would know — the ephemeral answer to
 * a slash command (the HTTP body of the ack, or a later POST to its `response_url`), messages
 * typed by people, and Slackbot's "not a valid command". Each item gets an arrival order so the
 * page can interleave them; ephemerals are only ever given to their user. A `response_url` post
 * that the fake Slack refused (limits, too many uses) is not shown, as Slack would not show it.
 */
import { EventEmitter } from 'node:events';
import type { FakeEphemeral, FakeMessage, FakeSlackApi, FakeSlackChange } from './fake-slack-api.js';
import { FAKE_BOT } from './fake-slack-methods.js';

export const SLACKBOT = 'USLACKBOT';

export interface FeedItem {
  /** `m:<channel>:<ts>` (bot message), `e:<ts>` (ephemeral), `h:<ts>` (typed by a person). */
  id: string;
  kind: 'message' | 'ephemeral';
  channel: string;
  ts: string;
  threadTs?: string;
  /** Author: the bot, Slackbot or a person. */
  user: string;
  /** Ephemerals: the only user who sees it. */
  forUser?: string;
  text: string;
  blocks?: unknown[];
  order: number;
  at: number;
  edited?: boolean;
}

interface Local extends FeedItem {
  /** The response_url id whose posts replace this ephemeral. */
  responseId?: string;
}

export interface ResponseContext {
  user: string;
  channel: string;
  threadTs?: string;
}

export class SandboxFeed extends EventEmitter {
  private seq = 0;
  private readonly orders = new Map<string, { order: number; at: number }>();
  private readonly local: Local[] = [];
  private readonly responses = new Map<string, ResponseContext>();
  private localTs = 0;
  private readonly listener = (change: FakeSlackChange) => this.onChange(change);

  constructor(
    private readonly slack: FakeSlackApi,
    private readonly now: () => number = Date.now,
  ) {
    super();
    slack.on('change', this.listener);
  }

  close(): void {
    this.slack.off('change', this.listener);
  }

  private stamp(key: string): { order: number; at: number } {
    let s = this.orders.get(key);
    if (!s) {
      s = { order: ++this.seq, at: this.now() };
      this.orders.set(key, s);
    }
    return s;
  }

  /** A ts for items that the Web API does not hold (unique, shaped like Slack's). */
  private nextTs(): string {
    this.localTs += 1;
    return `${Math.floor(this.now() / 1000)}.9${String(this.localTs).padStart(5, '0')}`;
  }

  private onChange(change: FakeSlackChange): void {
    if (change.type === 'message') this.stamp(messageId(change.message));
    else if (change.type === 'ephemeral') this.stamp(`e:${change.ephemeral.message_ts}`);
    else if (change.type === 'response') {
      // A post the (fake) Slack refused — over a Block Kit limit, a used-up URL — shows nothing,
      // as in Slack: the page must not hide the bug by showing it anyway.
      if (change.response.error !== undefined) return;
      this.onResponse(change.response.url, change.response.body);
    }
    if (change.type === 'call') return;
    this.emit('change');
  }

  /** A response_url this server handed out: its posts become ephemerals of `ctx.user`. */
  responseUrl(ctx: ResponseContext): { url: string; id: string } {
    const url = this.slack.responseUrl();
    const id = url.split('/').pop() as string;
    this.responses.set(id, ctx);
    return { url, id };
  }

  /** Whether a post to this response_url already produced an item. */
  hasResponse(id: string): boolean {
    return this.local.some((l) => l.responseId === id);
  }

  private onResponse(url: string, body: unknown): void {
    const id = url.split('/').pop() ?? '';
    const ctx = this.responses.get(id);
    if (!ctx || typeof body !== 'object' || body === null) return;
    const b = body as Record<string, unknown>;
    const existing = this.local.find((l) => l.responseId === id);
    if (b.delete_original === true && existing) {
      this.local.splice(this.local.indexOf(existing), 1);
      return;
    }
    const text = typeof b.text === 'string' ? b.text : '';
    const blocks = Array.isArray(b.blocks) ? b.blocks : undefined;
    if (b.replace_original === true && existing) {
      existing.text = text;
      if (blocks) existing.blocks = blocks;
      else delete existing.blocks;
      existing.edited = true;
      return;
    }
    const inChannel = b.response_type === 'in_channel';
    this.add({
      kind: inChannel ? 'message' : 'ephemeral',
      channel: ctx.channel,
      user: FAKE_BOT.userId,
      ...(inChannel ? {} : { forUser: ctx.user }),
      text,
      ...(blocks ? { blocks } : {}),
      ...(ctx.threadTs ? { threadTs: ctx.threadTs } : {}),
      responseId: id,
    });
  }

  /** Adds an item only the page knows about (ack bodies, people's messages, Slackbot). */
  add(item: Omit<Local, 'id' | 'ts' | 'order' | 'at'>): FeedItem {
    const ts = this.nextTs();
    const full: Local = {
      ...item,
      id: `${item.kind === 'ephemeral' ? 'e' : 'h'}:${ts}`,
      ts,
      ...this.stamp(`local:${ts}`),
    };
    this.local.push(full);
    this.emit('change');
    return full;
  }

  /** Everything `user` sees, oldest first. */
  itemsFor(user: string): FeedItem[] {
    const out: FeedItem[] = [];
    for (const m of this.slack.messages) {
      out.push({
        id: messageId(m),
        kind: 'message',
        channel: m.channel,
        ts: m.ts,
        ...(m.thread_ts && m.thread_ts !== m.ts ? { threadTs: m.thread_ts } : {}),
        user: m.user,
        text: m.text,
        ...(m.blocks ? { blocks: m.blocks } : {}),
        ...(m.edits.length > 0 ? { edited: true } : {}),
        ...this.stamp(messageId(m)),
      });
    }
    for (const e of this.slack.ephemerals) {
      if (e.user !== user) continue;
      out.push(ephemeralItem(e, this.stamp(`e:${e.message_ts}`)));
    }
    for (const l of this.local) {
      if (l.kind === 'ephemeral' && l.forUser !== user) continue;
      const { responseId: _, ...item } = l;
      out.push(item);
    }
    return out.sort((a, b) => a.order - b.order);
  }

  /** The item `user` can see with this id (buttons are only clickable on what you see). */
  find(user: string, id: string): FeedItem | undefined {
    return this.itemsFor(user).find((i) => i.id === id);
  }
}

function messageId(m: FakeMessage): string {
  return `m:${m.channel}:${m.ts}`;
}

function ephemeralItem(e: FakeEphemeral, s: { order: number; at: number }): FeedItem {
  return {
    id: `e:${e.message_ts}`,
    kind: 'ephemeral',
    channel: e.channel,
    ts: e.message_ts,
    ...(e.thread_ts ? { threadTs: e.thread_ts } : {}),
    user: FAKE_BOT.userId,
    forUser: e.user,
    text: e.text,
    ...(e.blocks ? { blocks: e.blocks } : {}),
    ...s,
  };
}
