import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxApi } from '../../sandbox/sandbox-api.js';
import {
  isOwnOrigin,
  pageUrl,
  type SandboxServer,
  startSandboxServer,
} from '../../sandbox/sandbox-server.js';
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

async function start(
  opts: {
    port?: number;
    botBase?: string;
    opsBase?: string;
    panel?: () => Promise<unknown>;
    host?: string;
  } = {},
) {
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
    opsBase: () => opts.opsBase ?? opts.botBase,
    port: opts.port ?? (await freePort()),
    ...(opts.host ? { host: opts.host } : {}),
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
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('listens on 127.0.0.1 only unless told otherwise', async () => {
    const { server } = await start();
    expect(server.host).toBe('127.0.0.1');
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && !a.internal && a.family === 'IPv4');
    if (external) {
      await expect(fetch(`http://${external.address}:${server.port}/`)).rejects.toThrow();
    }
    await expect(fetch(`http://[::1]:${server.port}/`)).rejects.toThrow();
    expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(200);
  });

  it('names the page by the address it listens on, localhost when it listens on every address', () => {
    expect(pageUrl('127.0.0.1', 3000)).toBe('http://127.0.0.1:3000');
    expect(pageUrl('::1', 3000)).toBe('http://[::1]:3000');
    expect(pageUrl('0.0.0.0', 3000)).toBe('http://localhost:3000');
    expect(pageUrl('::', 3000)).toBe('http://localhost:3000');
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
      headers: { 'content-type': 'application/json; charset=utf-8' },
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
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(300 * 1024),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ ok: false, error: 'the request body is larger than 262144 bytes' });
  });

  it('refuses a change that is not application/json with 415, as a cross-site form post would be', async () => {
    const { server } = await start();
    const url = `http://127.0.0.1:${server.port}/sandbox/api/echo`;
    for (const type of [
      'application/x-www-form-urlencoded',
      'text/plain',
      'multipart/form-data; boundary=x',
      undefined,
    ]) {
      const res = await fetch(url, {
        method: 'POST',
        ...(type ? { headers: { 'content-type': type } } : {}),
        body: '{"a":1}',
      });
      expect(res.status, String(type)).toBe(415);
      expect(await res.json()).toEqual({
        ok: false,
        error: 'the control API only accepts content-type: application/json',
      });
    }
  });

  it("refuses a change whose Origin is not the page's own with 403, and takes one from the page", async () => {
    const { server } = await start();
    const url = `http://127.0.0.1:${server.port}/sandbox/api/echo`;
    const post = (origin: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: '{}',
      });
    for (const origin of [
      'https://evil.example',
      `http://evil.example:${server.port}`, // a name re-pointed at 127.0.0.1 (DNS rebinding)
      `http://127.0.0.1:${server.port + 1}`,
      `https://127.0.0.1:${server.port}`,
      'null',
    ]) {
      const res = await post(origin);
      expect(res.status, origin).toBe(403);
      expect(((await res.json()) as { error: string }).error).toMatch(/^Origin .* is not this page/);
    }
    for (const origin of [`http://127.0.0.1:${server.port}`, `http://localhost:${server.port}`]) {
      expect((await post(origin)).status, origin).toBe(200);
    }
    // Reads are not changes: a GET passes whatever its Origin.
    const read = await fetch(`${url}?user=U1`, { headers: { origin: 'https://evil.example' } });
    expect(read.status).toBe(200);
  });

  it('takes the page itself as origin when it listens on every address', () => {
    const page = { host: '0.0.0.0', port: 3000 };
    expect(isOwnOrigin('http://devbox.local:3000', page, 'devbox.local:3000')).toBe(true);
    expect(isOwnOrigin('http://evil.example:3000', page, 'devbox.local:3000')).toBe(false);
    expect(
      isOwnOrigin('http://evil.example:3000', { host: '127.0.0.1', port: 3000 }, 'evil.example:3000'),
    ).toBe(false);
    expect(isOwnOrigin('http://[::1]:3000', { host: '127.0.0.1', port: 3000 })).toBe(true);
    expect(isOwnOrigin('http://localhost', { host: '127.0.0.1', port: 80 })).toBe(true);
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
