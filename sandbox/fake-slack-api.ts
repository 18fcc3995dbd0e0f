/**
 * A local stand-in for the Slack Web API (and for `response_url` endpoints). The bot reaches it
 * through Bolt's `clientOptions.slackApiUrl`, so production code runs unchanged. It answers like
 * Slack (HTTP 200 with `ok: false` and an error code), enforces Slack's message limits, records
 * every call and message, and emits `change` on every change (the sandbox page streams it).
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleMethod, type SlackState } from './fake-slack-methods.js';
import type { FakeView } from './fake-slack-views.js';
import { listenLocal, readBody } from './local-http.js';
import { messageError } from './slack-limits.js';

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
}

export interface FakeMessageVersion {
  text: string;
  blocks?: unknown[];
  at: number;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  /** Set on thread replies: the parent's ts. */
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  /** The bot user that posted it. */
  user: string;
  bot_id: string;
  postedAt: number;
  /** Earlier versions, oldest first (one per chat.update). */
  edits: FakeMessageVersion[];
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  message_ts: string;
}

export interface FakeResponse {
  url: string;
  body: unknown;
  /** Set when the fake refused it (limits, more than 5 uses). */
  error?: string;
}

export type FakeSlackChange =
  | { type: 'call'; call: RecordedCall }
  | { type: 'message'; message: FakeMessage }
  | { type: 'update'; message: FakeMessage }
  | { type: 'ephemeral'; ephemeral: FakeEphemeral }
  | { type: 'response'; response: FakeResponse }
  | { type: 'usergroup'; groupId: string; users: string[] }
  | { type: 'view'; view: FakeView };

export interface FakeSlackApi extends EventEmitter {
  /** Base url ending with `/api/`: pass it as `slackApiUrl`. */
  url: string;
  calls: RecordedCall[];
  messages: FakeMessage[];
  ephemerals: FakeEphemeral[];
  /** Modals opened (`views.open`, then `views.update`) and Home tabs published (`views.publish`). */
  views: FakeView[];
  responses: FakeResponse[];
  /** Protocol misuse Slack would not reject but that is a bug (e.g. threading on a reply). */
  problems: string[];
  /** A URL on this server that records what is POSTed to it (a slash command's response_url). */
  responseUrl(id?: string): string;
  setUsergroupMembers(groupId: string, users: string[]): void;
  /**
   * An outage: while set, every Web API call is answered with this HTTP status (503, or 429 with
   * `Retry-After: 1`, as Slack rate-limits) and does nothing. null ends it.
   */
  outage(status: 503 | 429 | null): void;
  callsTo(method: string): RecordedCall[];
  /** Replies in the thread of `parentTs` (parent excluded), in order. */
  threadReplies(channel: string, parentTs: string): FakeMessage[];
  /** Polls `probe` until it returns a truthy value; rejects with the last calls on timeout. */
  waitFor<T>(probe: () => T | undefined | false | null, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export interface FakeSlackOptions {
  port?: number;
  host?: string;
  /** The bot token to accept (default `xoxb-sandbox-token`). */
  token?: string;
  /** Maximum `text` length accepted (default 4000, Greenlight's contract). */
  maxTextLength?: number;
}

export const DEFAULT_FAKE_TOKEN = 'xoxb-sandbox-token';
/** Slack allows 5 uses of a response_url. */
const RESPONSE_URL_USES = 5;
const MAX_BODY = 5 * 1024 * 1024;

const bodyOf = (req: IncomingMessage) => readBody(req, MAX_BODY, () => new Error('body too large'));

/** Fields the WebClient JSON-encodes inside a form body. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'metadata', 'unfurls', 'view', 'users']);

export function parseArgs(
  raw: string,
  contentType: string | undefined,
  query: URLSearchParams,
): Record<string, unknown> {
  const args: Record<string, unknown> = Object.fromEntries(query);
  if (!raw) return args;
  if ((contentType ?? '').includes('application/json')) {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) Object.assign(args, parsed);
    return args;
  }
  for (const [key, value] of new URLSearchParams(raw)) {
    if (JSON_FIELDS.has(key) && /^\s*[[{]/.test(value)) {
      try {
        args[key] = JSON.parse(value);
        continue;
      } catch {
        // keep the raw string: the method will answer invalid_blocks / invalid_arguments
      }
    }
    args[key] = value;
  }
  return args;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain' : 'application/json; charset=utf-8',
  });
  res.end(text);
}

export async function startFakeSlackApi(opts: FakeSlackOptions = {}): Promise<FakeSlackApi> {
  const token = opts.token ?? DEFAULT_FAKE_TOKEN;
  const maxText = opts.maxTextLength ?? 4000;
  const emitter = new EventEmitter();
  const state: SlackState = {
    messages: [],
    ephemerals: [],
    problems: [],
    usergroups: new Map(),
    views: [],
    triggers: new Set(),
    seq: 0,
    maxText,
    emit: (change: FakeSlackChange) => emitter.emit('change', change),
  };
  const calls: RecordedCall[] = [];
  const responses: FakeResponse[] = [];
  const responseUses = new Map<string, number>();
  let down: 503 | 429 | null = null;

  async function onApi(req: IncomingMessage, res: ServerResponse, method: string, query: URLSearchParams) {
    if (down !== null) {
      await bodyOf(req).catch(() => '');
      if (down === 429) res.setHeader('retry-after', '1');
      return send(res, down, { ok: false, error: down === 429 ? 'ratelimited' : 'service_unavailable' });
    }
    let args: Record<string, unknown>;
    try {
      args = parseArgs(await bodyOf(req), req.headers['content-type'], query);
    } catch {
      return send(res, 200, { ok: false, error: 'invalid_form_data' });
    }
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Bearer ')
      ? header.slice(7)
      : typeof args.token === 'string'
        ? args.token
        : '';
    delete args.token;
    const call: RecordedCall = { method, args, at: Date.now() };
    calls.push(call);
    state.emit({ type: 'call', call });
    if (given !== token) return send(res, 200, { ok: false, error: 'invalid_auth' });
    return send(res, 200, handleMethod(state, method, args));
  }

  async function onResponseUrl(req: IncomingMessage, res: ServerResponse, id: string) {
    const url = `${base}response/${id}`;
    let body: unknown;
    try {
      const raw = await bodyOf(req);
      body = raw ? JSON.parse(raw) : {};
    } catch {
      return send(res, 400, 'invalid_payload');
    }
    const uses = (responseUses.get(id) ?? 0) + 1;
    responseUses.set(id, uses);
    const record: FakeResponse = { url, body };
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const limits = messageError(b.text, b.blocks, maxText);
    if (uses > RESPONSE_URL_USES) record.error = 'used_url';
    else if (limits) record.error = limits.error;
    responses.push(record);
    state.emit({ type: 'response', response: record });
    if (record.error) return send(res, record.error === 'used_url' ? 404 : 400, record.error);
    return send(res, 200, { ok: true });
  }

  const server = await listenLocal((req, res) => {
    const u = new URL(req.url ?? '/', 'http://localhost');
    const api = /^\/api\/([A-Za-z0-9_.]+)$/.exec(u.pathname);
    const response = /^\/response\/([A-Za-z0-9_-]+)$/.exec(u.pathname);
    const done = (p: Promise<void>) => p.catch(() => send(res, 500, 'internal_error'));
    if (api?.[1]) return done(onApi(req, res, api[1], u.searchParams));
    if (response?.[1] && req.method === 'POST') return done(onResponseUrl(req, res, response[1]));
    return send(res, 404, 'not_found');
  }, opts);
  const base = `${server.url}/`;
  let responseSeq = 0;

  const api = Object.assign(emitter, {
    url: `${base}api/`,
    calls,
    messages: state.messages,
    ephemerals: state.ephemerals,
    views: state.views,
    responses,
    problems: state.problems,
    responseUrl(id?: string) {
      return `${base}response/${id ?? `r${++responseSeq}`}`;
    },
    setUsergroupMembers(groupId: string, users: string[]) {
      state.usergroups.set(groupId, [...users]);
      state.emit({ type: 'usergroup', groupId, users: [...users] });
    },
    outage(status: 503 | 429 | null) {
      down = status;
    },
    callsTo(method: string) {
      return calls.filter((c) => c.method === method);
    },
    threadReplies(channel: string, parentTs: string) {
      return state.messages.filter(
        (m) => m.channel === channel && m.thread_ts === parentTs && m.ts !== parentTs,
      );
    },
    async waitFor<T>(probe: () => T | undefined | false | null, timeoutMs = 5_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = probe();
        if (value) return value;
        if (Date.now() >= deadline) {
          const last = calls
            .slice(-8)
            .map((c) => `${c.method} ${JSON.stringify(c.args).slice(0, 200)}`)
            .join('\n  ');
          throw new Error(
            `fake Slack: condition not met within ${timeoutMs}ms. Last calls:\n  ${last || '(none)'}`,
          );
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: server.close,
  });
  return api;
}
