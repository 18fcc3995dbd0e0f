import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxApi } from '../../src/sandbox/sandbox-api.js';
import { type SandboxServer, startSandboxServer } from '../../src/sandbox/sandbox-server.js';
import { freePort } from '../helpers/redis-server.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function listening(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(r);
      }),
  );
  return server;
}

async function start(opts: { port?: number; botBase?: string; panel?: () => Promise<unknown> } = {}) {
  const feed = new EventEmitter();
  const api: SandboxApi = async (method, path, query, raw) =>
    path === '/sandbox/api/echo'
      ? { status: 200, body: { method, user: query.get('user'), raw } }
      : { status: 404, body: { ok: false, error: `no such endpoint: ${method} ${path}` } };
  const server: SandboxServer = await startSandboxServer({
    api,
    feed,
    panel: { panel: opts.panel ?? (async () => ({ aws: null })) },
    botBase: () => opts.botBase,
    port: opts.port ?? (await freePort()),
    host: '127.0.0.1',
    panelEveryMs: 50,
  });
  closers.push(() => server.close());
  return { server, feed };
}

describe('the sandbox page server', () => {
  it('takes the next port when the one asked for is busy', async () => {
    const busy = await listening((_req, res) => res.end());
    const port = (busy.address() as AddressInfo).port;
    const { server } = await start({ port });
    expect(server.port).toBeGreaterThan(port);
    expect(server.url).toBe(`http://localhost:${server.port}`);
  });

  it('serves the page, its module and its styles, and nothing else from disk', async () => {
    const { server } = await start();
    const base = `http://127.0.0.1:${server.port}`;
    const html = await fetch(`${base}/`);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(await html.text()).toContain('<script type="module" src="/app.js"></script>');
    expect((await fetch(`${base}/render.js`)).headers.get('content-type')).toContain('text/javascript');
    expect((await fetch(`${base}/style.css`)).headers.get('content-type')).toContain('text/css');
    expect((await fetch(`${base}/../package.json`)).status).toBe(404);
    expect((await fetch(`${base}/sandbox-api.ts`)).status).toBe(404);
  });

  it('hands API requests to the control API with their query and body', async () => {
    const { server } = await start();
    const res = await fetch(`http://127.0.0.1:${server.port}/sandbox/api/echo?user=U1`, {
      method: 'POST',
      body: '{"a":1}',
    });
    expect(await res.json()).toEqual({ method: 'POST', user: 'U1', raw: '{"a":1}' });
    const missing = await fetch(`http://127.0.0.1:${server.port}/sandbox/api/nope`);
    expect(missing.status).toBe(404);
  });

  it('refuses an API body that is too large with 400', async () => {
    const { server } = await start();
    const res = await fetch(`http://127.0.0.1:${server.port}/sandbox/api/echo`, {
      method: 'POST',
      body: 'x'.repeat(300 * 1024),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ ok: false, error: 'the request body is larger than 262144 bytes' });
  });

  it('streams a slack event when the conversation changes and the panel when it changes', async () => {
    let n = 0;
    const { server, feed } = await start({ panel: async () => ({ tick: Math.floor(n++ / 3) }) });
    const controller = new AbortController();
    closers.push(async () => controller.abort());
    const res = await fetch(`http://127.0.0.1:${server.port}/sandbox/api/events`, {
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}: ${text}`);
        text += new TextDecoder().decode(value);
      }
    };
    await until(/event: panel\ndata: \{"tick":0\}/);
    feed.emit('change');
    feed.emit('change');
    await until(/event: slack\ndata: \{\}/);
    await until(/event: panel\ndata: \{"tick":1\}/);
    expect(text.match(/event: slack/g)).toHaveLength(1); // two changes in a row, one notification
  });

  it("passes Slack's requests and the health routes on to the bot, and says 503 before it listens", async () => {
    const seen: string[] = [];
    const bot = await listening((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${req.headers['x-slack-signature'] ?? ''} ${body}`);
        res.end('ok');
      });
    });
    const { server } = await start({ botBase: `http://127.0.0.1:${(bot.address() as AddressInfo).port}` });
    const base = `http://127.0.0.1:${server.port}`;
    await fetch(`${base}/slack/events`, {
      method: 'POST',
      headers: { 'x-slack-signature': 'v0=abc' },
      body: 'a=1',
    });
    expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok');
    expect(seen).toEqual(['POST /slack/events v0=abc a=1', 'GET /healthz  ']);
    const early = await start();
    expect((await fetch(`http://127.0.0.1:${early.server.port}/readyz`)).status).toBe(503);
  });
});
