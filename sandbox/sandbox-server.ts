/**
 * The sandbox page's HTTP server on PORT (the next free port if it is taken): the page itself
 * (static files of `page/`, no build step), its control API (`/sandbox/api/…`), a Server-Sent
 * Events stream (`/sandbox/api/events`: `slack` when the conversation changed, `panel` with the
 * load balancer and the scheduled jobs when they changed), and — so that PORT keeps the bot's
 * HTTP contract — `POST /slack/events`, `/healthz`, `/readyz` and `/metrics` passed through to the
 * bot's own receiver.
 *
 * It listens on 127.0.0.1 (this machine only) unless told otherwise. The control API changes
 * things only for the page itself: a state-changing request must be `content-type:
 * application/json` (415 otherwise: an HTML form on another site cannot send that) and its
 * `Origin`, when the browser sends one, must be this page's own origin (403 otherwise).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { SandboxApi } from './sandbox-api.js';

const PAGE_FILES: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/render.js': 'render.js',
  '/panel.js': 'panel.js',
  '/message.js': 'message.js',
  '/style.css': 'style.css',
  '/favicon.svg': 'favicon.svg',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};
const PASS_THROUGH = new Set(['/slack/events', '/healthz', '/readyz', '/metrics']);
/** Served by the bot on its ops port (OPS_PORT), not on its Slack receiver. */
const OPS_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
const MAX_BODY = 256 * 1024;
/** The default address of the page: loopback, so nothing on the network can drive the sandbox. */
export const SANDBOX_HOST = '127.0.0.1';
const WILDCARDS = new Set(['0.0.0.0', '::']);
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** `host` as it appears in a URL (an IPv6 address in brackets). */
const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host);

/** The page's URL for a person: `localhost` when it listens on every address. */
export function pageUrl(host: string, port: number): string {
  return `http://${WILDCARDS.has(host) ? 'localhost' : urlHost(host)}:${port}`;
}

/**
 * Whether `origin` is the page's own: http, this port, and a loopback name or the address it
 * listens on — or, when it listens on every address, the host the request itself was sent to.
 * A page of another site (also one whose name was re-pointed at 127.0.0.1) is not.
 */
export function isOwnOrigin(
  origin: string,
  page: { host: string; port: number },
  requestHost?: string,
): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' || url.origin !== origin.replace(/\/$/, '')) return false;
  if ((url.port || '80') !== String(page.port)) return false;
  const names = [...LOOPBACK_NAMES, urlHost(page.host)];
  if (names.includes(url.hostname)) return true;
  return WILDCARDS.has(page.host) && requestHost !== undefined && url.host === requestHost.toLowerCase();
}

/** Why a state-changing control API request is refused (status and message), or undefined. */
export function refusal(
  req: Pick<IncomingMessage, 'method' | 'headers'>,
  page: { host: string; port: number },
): { status: number; error: string } | undefined {
  const method = req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') return undefined;
  const origin = req.headers.origin;
  if (origin !== undefined && !isOwnOrigin(origin, page, req.headers.host)) {
    const shown = origin.length > 100 ? `${origin.slice(0, 99)}…` : origin;
    return {
      status: 403,
      error: `Origin ${shown} is not this page (${pageUrl(page.host, page.port)}): the control API only takes changes from the sandbox page`,
    };
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    return { status: 415, error: 'the control API only accepts content-type: application/json' };
  }
  return undefined;
}

/** `page/` next to this file: the sandbox always runs from source (tsx), never from `dist/`. */
export function pageDir(): string {
  return fileURLToPath(new URL('./page/', import.meta.url));
}

export interface PanelSource {
  /** JSON of the side panel now (compared to decide whether to push it). */
  panel(): Promise<unknown>;
}

export interface SandboxServerOptions {
  api: SandboxApi;
  /** Emits `change` when the conversation changed. */
  feed: { on(event: 'change', fn: () => void): unknown; off(event: 'change', fn: () => void): unknown };
  panel: PanelSource;
  /** The bot's receiver, e.g. `http://127.0.0.1:41234`, once it listens. */
  botBase(): string | undefined;
  /** The bot's OPS_PORT base URL (/healthz, /readyz, /metrics), once it is up. */
  opsBase(): string | undefined;
  port: number;
  /** Default 127.0.0.1 (this machine only); `0.0.0.0` or `::` for every address. */
  host?: string;
  /** How many ports after `port` to try when it is taken (default 20). */
  tries?: number;
  panelEveryMs?: number;
}

export interface SandboxServer {
  /** `http://127.0.0.1:PORT` (`http://localhost:PORT` when it listens on every address). */
  url: string;
  /** The address it listens on. */
  host: string;
  port: number;
  close(): Promise<void>;
}

/** The body, or null when it is larger than MAX_BODY (the rest is drained, so a 400 can be sent). */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function listen(server: Server, port: number, host: string, tries: number): Promise<number> {
  for (let p = port; p <= Math.min(65_535, port + tries); p++) {
    const bound = await new Promise<number | null>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(null);
        else reject(err);
      };
      const onListening = () => {
        server.off('error', onError);
        resolve((server.address() as AddressInfo).port);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(p, host);
    });
    if (bound !== null) return bound;
  }
  throw new Error(`no free port from ${port} to ${port + tries}`);
}

export async function startSandboxServer(opts: SandboxServerOptions): Promise<SandboxServer> {
  const dir = pageDir();
  const host = opts.host ?? SANDBOX_HOST;
  let port = 0;
  const clients = new Set<ServerResponse>();
  let lastPanel = '';
  let slackTimer: NodeJS.Timeout | undefined;

  const broadcast = (event: string, data: string) => {
    for (const c of clients) c.write(`event: ${event}\ndata: ${data}\n\n`);
  };
  const onFeed = () => {
    // Several changes in a row (post, then update) become one notification.
    slackTimer ??= setTimeout(() => {
      slackTimer = undefined;
      broadcast('slack', '{}');
    }, 30);
  };
  opts.feed.on('change', onFeed);

  let polling = false;
  const pushPanel = async (force: ServerResponse | undefined) => {
    if (polling && !force) return;
    polling = true;
    try {
      const json = JSON.stringify(await opts.panel.panel());
      if (force) force.write(`event: panel\ndata: ${json}\n\n`);
      if (json !== lastPanel) {
        lastPanel = json;
        if (!force) broadcast('panel', json);
      }
    } catch {
      // the bot's queue may be closing; the next tick tries again
    } finally {
      polling = false;
    }
  };
  const ticker = setInterval(() => {
    if (clients.size > 0) void pushPanel(undefined);
  }, opts.panelEveryMs ?? 1_000);
  ticker.unref();

  async function passThrough(req: IncomingMessage, res: ServerResponse, path: string, search: string) {
    const base = OPS_PATHS.has(path) ? opts.opsBase() : opts.botBase();
    if (!base) return sendJson(res, 503, { ok: false, error: 'the bot is still starting' });
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'x-slack-signature', 'x-slack-request-timestamp']) {
      const v = req.headers[name];
      if (typeof v === 'string') headers[name] = v;
    }
    const body = req.method === 'POST' ? await readBody(req) : undefined;
    if (body === null) return sendJson(res, 413, { ok: false, error: 'request body too large' });
    const upstream = await fetch(`${base}${path}${search}`, {
      method: req.method ?? 'GET',
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    res.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'text/plain',
    });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  }

  function events(req: IncomingMessage, res: ServerResponse) {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write('retry: 1000\n\n');
    clients.add(res);
    void pushPanel(res);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(keepAlive);
      clients.delete(res);
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse) {
    const u = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    if (u.pathname === '/sandbox/api/events' && method === 'GET') return events(req, res);
    if (u.pathname.startsWith('/sandbox/api/')) {
      const refused = refusal(req, { host, port });
      if (refused) {
        req.resume();
        return sendJson(res, refused.status, { ok: false, error: refused.error });
      }
      const raw = method === 'POST' ? await readBody(req) : '';
      if (raw === null) {
        return sendJson(res, 400, { ok: false, error: `the request body is larger than ${MAX_BODY} bytes` });
      }
      const out = await opts.api(method, u.pathname, u.searchParams, raw);
      return sendJson(res, out.status, out.body);
    }
    if (PASS_THROUGH.has(u.pathname)) return passThrough(req, res, u.pathname, u.search);
    const file = PAGE_FILES[u.pathname];
    if (!file || method !== 'GET') return sendJson(res, 404, { ok: false, error: 'not found' });
    try {
      const body = await readFile(`${dir}${file}`);
      const ext = file.split('.').pop() as string;
      res.writeHead(200, {
        'content-type': TYPES[ext] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
      });
      res.end(body);
    } catch {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`The sandbox page is missing (${dir}${file}); run from the repository (npm start).`);
    }
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, { ok: false, error: err instanceof Error ? err.message : 'error' });
      else res.end();
    });
  });
  port = await listen(server, opts.port, host, opts.tries ?? 20);
  return {
    url: pageUrl(host, port),
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(ticker);
        if (slackTimer) clearTimeout(slackTimer);
        opts.feed.off('change', onFeed);
        for (const c of clients) c.end();
        clients.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
