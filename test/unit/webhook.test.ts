import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Deployment } from '../../src/domain/deployment.js';
import { redactUrls } from '../../src/domain/redact.js';
import { hookPayload } from '../../src/hooks/hook-payload.js';
import { callWebhook, excerptOf } from '../../src/hooks/webhook.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let url: string;
const received: Received[] = [];
/** How the server answers the next requests, in order; the last one repeats. */
let script: ((res: ServerResponse) => void)[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = script.length > 1 ? script.shift() : script[0];
      answer?.(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/greenlight`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
  script = [];
});

const reply =
  (status: number, body = '', headers: Record<string, string> = {}) =>
  (res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'text/plain', ...headers });
    res.end(body);
  };

const deployment: Deployment = {
  id: 'checkout-20240501100000-ab12',
  service: 'checkout',
  channel: 'C0DEPLOYS',
  requester: 'U0DEV',
  fromSlot: 'blue',
  toSlot: 'green',
  state: 'cutting_over',
  version: 4,
  createdAt: 1_714_557_600_000,
  updatedAt: 1_714_557_700_000,
  approvedBy: 'U0APPROVER',
  soakMs: 86_400_000,
  remindBeforeMs: 3_600_000,
  messages: { posted: [] },
  history: [],
};

const NOW = 1_714_557_720_000;
const sleeps: number[] = [];
const base = {
  hook: 'beforeCutover' as const,
  payload: hookPayload('beforeCutover', deployment, { sentAt: NOW }),
  secret: 'hook-secret-value',
  timeoutMs: 2000,
  retries: 2,
  now: () => NOW,
  sleep: async (ms: number) => {
    sleeps.push(ms);
  },
};
beforeEach(() => {
  sleeps.length = 0;
});

/** What a receiver does (as documented in webhook.ts). */
function verify(r: Received, secret: string, nowSeconds: number): boolean {
  const timestamp = Number(r.headers['x-greenlight-timestamp']);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > 300) return false;
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', secret).update(`${timestamp}.${r.body}`).digest('hex')}`,
  );
  const given = Buffer.from(String(r.headers['x-greenlight-signature'] ?? ''));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('signing', () => {
  it('signs "<timestamp>.<body>" so that a receiver can verify it, and names the hook and delivery', async () => {
    script = [reply(200, 'read-only mode on')];
    const result = await callWebhook({ ...base, url });
    expect(result).toMatchObject({ hook: 'beforeCutover', url, ok: true, status: 200, attempts: 1 });
    expect(result.excerpt).toBe('read-only mode on');
    const [r] = received;
    expect(r).toBeDefined();
    if (!r) return;
    expect(verify(r, 'hook-secret-value', NOW / 1000)).toBe(true);
    expect(verify(r, 'another-secret', NOW / 1000)).toBe(false);
    expect(verify(r, 'hook-secret-value', NOW / 1000 + 301)).toBe(false);
    expect(r.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'greenlight',
      'x-greenlight-hook': 'beforeCutover',
      'x-greenlight-timestamp': String(NOW / 1000),
      'x-greenlight-delivery': 'checkout-20240501100000-ab12-beforeCutover',
    });
    expect(JSON.parse(r.body)).toEqual(base.payload);
  });

  it('sends no signature header when the service has no secret', async () => {
    script = [reply(204)];
    const result = await callWebhook({ ...base, url, secret: undefined });
    expect(result.ok).toBe(true);
    expect(received[0]?.headers['x-greenlight-signature']).toBeUndefined();
    expect(received[0]?.headers['x-greenlight-timestamp']).toBe(String(NOW / 1000));
  });

  it('never puts the secret in the request body or the result', async () => {
    script = [reply(200, 'ok')];
    const result = await callWebhook({ ...base, url });
    expect(received[0]?.body).not.toContain('hook-secret-value');
    expect(JSON.stringify(result)).not.toContain('hook-secret-value');
  });
});

describe('retries', () => {
  it('retries a 500 and succeeds on the next attempt with the same delivery id and body', async () => {
    script = [reply(500, 'try again'), reply(200, 'done')];
    const result = await callWebhook({ ...base, url });
    expect(result).toMatchObject({ ok: true, status: 200, attempts: 2, excerpt: 'done' });
    expect(received).toHaveLength(2);
    expect(received[1]?.body).toBe(received[0]?.body);
    expect(received[1]?.headers['x-greenlight-delivery']).toBe(received[0]?.headers['x-greenlight-delivery']);
    expect(sleeps).toEqual([250]);
  });

  it('does not retry a 400 and reports its status and body', async () => {
    script = [reply(400, 'bad request: unknown service')];
    const result = await callWebhook({ ...base, url });
    expect(result).toMatchObject({
      ok: false,
      status: 400,
      attempts: 1,
      excerpt: 'bad request: unknown service',
    });
    expect(received).toHaveLength(1);
  });

  it('retries a 429 after the Retry-After it was given', async () => {
    script = [reply(429, 'slow down', { 'retry-after': '1' }), reply(202)];
    const result = await callWebhook({ ...base, url });
    expect(result).toMatchObject({ ok: true, status: 202, attempts: 2 });
    expect(sleeps).toEqual([1000]);
  });

  it('gives up after 1 + retries attempts and reports the last answer', async () => {
    script = [reply(503, 'unavailable')];
    const result = await callWebhook({ ...base, url, retries: 2 });
    expect(result).toMatchObject({ ok: false, status: 503, attempts: 3, excerpt: 'unavailable' });
    expect(sleeps).toEqual([250, 500]);
  });

  it('does not follow a redirect: a 3xx is a final, failed answer', async () => {
    script = [reply(302, '', { location: 'http://127.0.0.1:1/elsewhere' })];
    const result = await callWebhook({ ...base, url });
    expect(result).toMatchObject({ ok: false, status: 302, attempts: 1 });
  });
});

describe('no answer', () => {
  it('reports a timeout as status null with the reason', async () => {
    script = [() => {}];
    const result = await callWebhook({ ...base, url, timeoutMs: 100, retries: 0 });
    expect(result).toMatchObject({ ok: false, status: null, attempts: 1 });
    expect(result.excerpt).toBe('no answer within 100 ms');
  });

  it('reports a refused connection as status null after retrying it', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await callWebhook({ ...base, url: `http://127.0.0.1:${port}/`, retries: 1 });
    expect(result).toMatchObject({ ok: false, status: null, attempts: 2 });
    expect(result.excerpt).toMatch(/ECONNREFUSED/);
  });
});

describe('excerpts', () => {
  it('strips control characters and keeps at most 300 characters', async () => {
    script = [reply(500, `line one\r\n\tline two\u0000\u001b[31m${'x'.repeat(400)}`)];
    const result = await callWebhook({ ...base, url, retries: 0 });
    expect(result.excerpt.startsWith('line one line two [31mxxx')).toBe(true);
    expect(result.excerpt).toHaveLength(300);
    expect(result.excerpt).not.toMatch(/\p{Cc}/u);
  });

  it.each([
    ['', ''],
    ['  ok  ', 'ok'],
    ['a\nb', 'a b'],
  ])('turns %j into %j', (input, output) => {
    expect(excerptOf(input)).toBe(output);
  });
});

describe('hookPayload', () => {
  it('names the deployment and the people involved, and nothing from the configuration', () => {
    expect(hookPayload('afterCutover', deployment, { sentAt: NOW })).toEqual({
      hook: 'afterCutover',
      deliveryId: 'checkout-20240501100000-ab12-afterCutover',
      deployment: {
        id: 'checkout-20240501100000-ab12',
        service: 'checkout',
        fromSlot: 'blue',
        toSlot: 'green',
        requester: 'U0DEV',
        requestReason: null,
        approvedBy: 'U0APPROVER',
        state: 'cutting_over',
        slots: {},
      },
      sentAt: '2024-05-01T10:02:00.000Z',
    });
  });

  it('carries the reason the requester gave', () => {
    const payload = hookPayload('beforeCutover', { ...deployment, requestReason: 'JIRA-123 new pricing' });
    expect(payload.deployment.requestReason).toBe('JIRA-123 new pricing');
  });

  it('reports a missing approver as null and lets extras add but not replace fields', () => {
    const { approvedBy: _, ...unapproved } = deployment;
    const payload = hookPayload('beforeTeardown', unapproved, {
      sentAt: NOW,
      reason: 'soak ended',
      hook: 'afterCutover',
      deliveryId: 'forged',
    });
    expect(payload.deployment.approvedBy).toBeNull();
    expect(payload).toMatchObject({
      hook: 'beforeTeardown',
      deliveryId: 'checkout-20240501100000-ab12-beforeTeardown',
      reason: 'soak ended',
    });
  });
});

describe('redactUrls', () => {
  it('reduces every URL in an error text to its host, whatever token its path or query holds', () => {
    const text = 'fetch failed: https://user:pw@hooks.example.com/services/T0/B0/secret?token=abc refused';
    expect(redactUrls(text)).toBe('fetch failed: https://hooks.example.com/… refused');
  });
});
