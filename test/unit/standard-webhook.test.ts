/**
 * The events webhook's signature (Standard Webhooks 1.0: `v1,<base64 HMAC-SHA256(key,
 * "<id>.<timestamp>.<body>")>`): a known-answer vector, the key of `whsec_` and raw secrets, and
 * real requests to a real receiver, verified by the Node snippet the README documents — taken out
 * of README.md and run, so that the documentation cannot drift from what is sent.
 */
import { createHmac } from 'node:crypto';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../src/hooks/retry-after.js';
import {
  eventSecretProblem,
  postStandardWebhook,
  signingKey,
  standardSignature,
} from '../../src/hooks/standard-webhook.js';
import { flatHeaders, readmeVerifier, type Verify } from '../helpers/standard-webhook.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/** The signature as the spec defines it, computed here with nothing from src/ or the helpers. */
function specSignature(key: Buffer, id: string, ts: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64')}`;
}

const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OTHER_WHSEC = `whsec_${Buffer.alloc(24, 9).toString('base64')}`;
const RAW = 'a-raw-events-secret-of-at-least-32-characters';

describe('the signature', () => {
  it('matches the Standard Webhooks reference libraries’ published vector', () => {
    // libraries/javascript/src/webhook.test.ts ("sign function works") of standard-webhooks.
    const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
    const body = '{"test": 2432232314}';
    expect(standardSignature(WHSEC, id, 1614265330, body)).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
    expect(standardSignature(WHSEC, id, 1614265330, body)).toBe(
      specSignature(Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64'), id, 1614265330, body),
    );
  });

  it('uses a whsec_ secret’s decoded bytes and a raw secret’s UTF-8 bytes as the key', () => {
    expect(signingKey(WHSEC)).toEqual(Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64'));
    expect(signingKey(RAW)).toEqual(Buffer.from(RAW, 'utf8'));
    const id = 'checkout-20261126120001-0001-v3';
    expect(standardSignature(RAW, id, 1_800_000_000, '{}')).toBe(
      specSignature(Buffer.from(RAW, 'utf8'), id, 1_800_000_000, '{}'),
    );
    // Any change to the id, the timestamp or the body changes it.
    const base = standardSignature(RAW, id, 1_800_000_000, '{}');
    expect(standardSignature(RAW, `${id}x`, 1_800_000_000, '{}')).not.toBe(base);
    expect(standardSignature(RAW, id, 1_800_000_001, '{}')).not.toBe(base);
    expect(standardSignature(RAW, id, 1_800_000_000, '{ }')).not.toBe(base);
  });
});

describe('the events secret', () => {
  it.each([
    ['unset', undefined, /is not set/],
    ['empty', '  ', /is empty/],
    ['short raw', 'hunter2', /too short: 7 characters, at least 32/],
    ['whsec_ not base64', 'whsec_not*base64!', /not whsec_ followed by base64/],
    ['whsec_ too short a key', `whsec_${Buffer.alloc(16, 1).toString('base64')}`, /16 bytes; .* 24 to 64/],
    ['whsec_ too long a key', `whsec_${Buffer.alloc(65, 1).toString('base64')}`, /65 bytes/],
  ])('refuses one %s, naming the variable and never the value', (_what, value, why) => {
    const problem = eventSecretProblem('GL_EVENTS', value);
    expect(problem).toMatch(why);
    expect(problem).toContain('GL_EVENTS (events.secretEnv)');
    if (value && value.trim() !== '') expect(problem).not.toContain(value);
  });

  it('takes a whsec_ key of 24 to 64 bytes and a raw secret of 32 characters', () => {
    expect(eventSecretProblem('S', WHSEC)).toBeNull();
    expect(eventSecretProblem('S', `whsec_${Buffer.alloc(64, 7).toString('base64')}`)).toBeNull();
    expect(eventSecretProblem('S', 'x'.repeat(32))).toBeNull();
  });
});

describe('a delivery to a real receiver', () => {
  let receiver: WebhookReceiver;
  let verify: Verify;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    verify = await readmeVerifier();
  });
  afterAll(() => receiver.close());
  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.answer(() => ({ status: 204 }));
  });

  const send = (secret: string, extra: Partial<Parameters<typeof postStandardWebhook>[0]> = {}) =>
    postStandardWebhook({
      url: `${receiver.url}/events`,
      id: 'checkout-20261126120001-0001-v2',
      body: '{"type":"deployment.transition","data":{"event":"precheck_started"}}',
      secret,
      timeoutMs: 2_000,
      ...extra,
    });

  it.each([
    ['a whsec_ secret', WHSEC],
    ['a raw secret', RAW],
  ])('is verified by the README snippet with %s, and by nothing else', async (_what, secret) => {
    const attempt = await send(secret);
    expect(attempt).toMatchObject({ ok: true, status: 204 });
    const [req] = receiver.requests;
    if (!req) throw new Error('nothing received');
    const h = flatHeaders(req.headers);
    expect(h['content-type']).toBe('application/json');
    expect(h['webhook-id']).toBe('checkout-20261126120001-0001-v2');
    expect(h['webhook-timestamp']).toMatch(/^\d+$/);
    expect(Math.abs(Number(h['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(h['webhook-signature']).toBe(
      specSignature(
        signingKey(secret),
        req.headers['webhook-id'] as string,
        Number(h['webhook-timestamp']),
        req.raw,
      ),
    );
    expect(req.raw).toBe('{"type":"deployment.transition","data":{"event":"precheck_started"}}');

    expect(verify(req.raw, h, secret)).toBe(true);
    expect(verify(req.raw, h, secret === WHSEC ? OTHER_WHSEC : `${secret}x`)).toBe(false); // another secret
    expect(verify(req.raw.replace('precheck', 'cutover'), h, secret)).toBe(false); // another body
    expect(verify(req.raw, { ...h, 'webhook-id': 'checkout-x-v2' }, secret)).toBe(false); // another id
    expect(verify(req.raw, h, secret, Number(h['webhook-timestamp']) + 301)).toBe(false); // replayed late
    expect(verify(req.raw, { ...h, 'webhook-signature': undefined }, secret)).toBe(false);
    // Several signatures (a key rotation): any v1 that matches.
    const two = `v1,AAAA ${h['webhook-signature']}`;
    expect(verify(req.raw, { ...h, 'webhook-signature': two }, secret)).toBe(true);
  });

  it('does not follow a redirect: one request, not a success', async () => {
    receiver.answer(() => ({ status: 307, headers: { location: `${receiver.url}/elsewhere` } }));
    const attempt = await send(RAW);
    expect(attempt).toMatchObject({ ok: false, status: 307 });
    expect(receiver.requests.map((r) => r.path)).toEqual(['/events']);
  });

  it('reports a refused connection and no answer within the timeout as status null', async () => {
    const refused = await postStandardWebhook({
      url: 'http://127.0.0.1:9/never',
      id: 'x-v1',
      body: '{}',
      secret: RAW,
      timeoutMs: 500,
    });
    expect(refused).toMatchObject({ ok: false, status: null });
    expect(refused.excerpt).not.toBe('');

    // A server that takes the connection and never answers.
    const sockets: Socket[] = [];
    const silent = createNetServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const slow = await postStandardWebhook({
        url: `http://127.0.0.1:${port}/slow`,
        id: 'x-v1',
        body: '{}',
        secret: RAW,
        timeoutMs: 300,
      });
      expect(slow).toMatchObject({ ok: false, status: null, excerpt: 'no answer within 300 ms' });
    } finally {
      await new Promise<void>((resolve) => {
        silent.close(() => resolve());
        for (const c of sockets) c.destroy();
      });
    }
  });

  it('reads how long a Retry-After asks to wait: seconds, or an HTTP-date', async () => {
    receiver.answer(() => ({ status: 503, headers: { 'retry-after': '120' }, body: 'maintenance' }));
    expect(await send(RAW)).toMatchObject({ ok: false, status: 503, retryAfterMs: 120_000 });
    const now = Date.UTC(2026, 10, 26, 12, 0, 0);
    receiver.answer(() => ({ status: 429, headers: { 'retry-after': 'Thu, 26 Nov 2026 12:00:45 GMT' } }));
    expect(await send(RAW, { now: () => now })).toMatchObject({ status: 429, retryAfterMs: 45_000 });
    receiver.answer(() => ({ status: 503 }));
    expect(await send(RAW)).not.toHaveProperty('retryAfterMs');
  });

  it('refuses an id with a dot, which the spec forbids (it delimits the signed content)', async () => {
    await expect(send(RAW, { id: 'checkout-1.2' })).rejects.toThrow(/may not contain "."/);
    expect(receiver.requests).toEqual([]);
  });
});

describe('Retry-After (RFC 9110, section 10.2.3)', () => {
  const now = Date.UTC(2026, 10, 26, 12, 0, 0);
  it('is delay-seconds or an HTTP-date, as milliseconds from now', () => {
    expect(retryAfterMs('0', now)).toBe(0);
    expect(retryAfterMs(' 30 ', now)).toBe(30_000);
    expect(retryAfterMs('Thu, 26 Nov 2026 12:01:00 GMT', now)).toBe(60_000);
    expect(retryAfterMs('Thursday, 26-Nov-26 12:01:00 GMT', now)).toBe(60_000); // RFC 850
    expect(retryAfterMs('Thu, 26 Nov 2026 11:00:00 GMT', now)).toBe(0); // past: now
  });
  it('is nothing when absent or neither form', () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
    expect(retryAfterMs('1.5', now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
});
