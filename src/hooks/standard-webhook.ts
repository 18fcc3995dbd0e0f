/**
 * One delivery attempt of the events webhook, signed with the Standard Webhooks scheme
 * (https://www.standardwebhooks.com, spec 1.0.0, "Signature scheme" and "Webhook headers"):
 *
 *   content-type: application/json
 *   user-agent: greenlight
 *   webhook-id: <event id>          (the same on every attempt: the receiver's idempotency key)
 *   webhook-timestamp: <unix seconds of this attempt>
 *   webhook-signature: v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<raw body>")>
 *
 * The key is the secret's bytes: `whsec_<base64>` (the spec's serialisation) is base64-decoded,
 * any other value is used as its UTF-8 bytes (the reference libraries' `format: "raw"`).
 * One attempt, never a sleep: the event delivery job is retried by the queue with capped backoff
 * (which honours an answer's `Retry-After`, read here: RFC 9110, section 10.2.3).
 * Redirects are not followed (the spec counts a 3xx as a failure), so a signed body never travels
 * to a host nobody configured. A refused connection or a timeout is a result, never an exception
 * (an id with a `.` is a bug, and throws).
 */
import { createHmac } from 'node:crypto';
import type { SignedEventAttempt, SignedEventRequest } from '../app/ports/events.js';
import { hookSecretProblem } from '../domain/hook-secret.js';
import { redactUrls } from '../domain/redact.js';
import { retryAfterMs } from './retry-after.js';
import { excerptOf, networkError, readSome } from './webhook.js';

/** The spec's serialisation prefix of a symmetric secret. */
export const WHSEC_PREFIX = 'whsec_';
/** The spec: a symmetric secret is at least 24 bytes (192 bits) and at most 64 (512 bits). */
export const MIN_WHSEC_BYTES = 24;
export const MAX_WHSEC_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MAX_READ_BYTES = 4096;

/**
 * Why the value of the variable `name` cannot sign events, or null. The value is never quoted. A
 * raw (not `whsec_`) secret is held to the hooks' checks (src/domain/hook-secret.ts).
 */
export function eventSecretProblem(name: string, value: string | undefined): string | null {
  if (value?.startsWith(WHSEC_PREFIX)) {
    const where = `the environment variable ${name} (events.secretEnv)`;
    const b64 = value.slice(WHSEC_PREFIX.length);
    if (!BASE64.test(b64) || b64.length % 4 !== 0) return `${where} is not whsec_ followed by base64`;
    const bytes = Buffer.from(b64, 'base64').length;
    if (bytes < MIN_WHSEC_BYTES || bytes > MAX_WHSEC_BYTES) {
      return `${where} holds a key of ${bytes} bytes; Standard Webhooks keys are ${MIN_WHSEC_BYTES} to ${MAX_WHSEC_BYTES} bytes (e.g. whsec_$(openssl rand -base64 32))`;
    }
    return null;
  }
  return hookSecretProblem(name, value, 'events.secretEnv', 'or whsec_<base64>');
}

/** The HMAC key a secret stands for (see the file's comment). */
export function signingKey(secret: string): Buffer {
  return secret.startsWith(WHSEC_PREFIX)
    ? Buffer.from(secret.slice(WHSEC_PREFIX.length), 'base64')
    : Buffer.from(secret, 'utf8');
}

/** `v1,<base64>`: the webhook-signature of `body` sent as `id` at `timestampSeconds`. */
export function standardSignature(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  const mac = createHmac('sha256', signingKey(secret)).update(`${id}.${timestampSeconds}.${body}`);
  return `v1,${mac.digest('base64')}`;
}

/** `id` (webhook-id) must not contain `.`: the spec's delimiter of the signed content. */
export interface StandardWebhookRequest extends SignedEventRequest {
  fetchImpl?: typeof fetch;
  now?: () => number;
}

export async function postStandardWebhook(req: StandardWebhookRequest): Promise<SignedEventAttempt> {
  if (req.id.includes('.')) throw new RangeError(`a webhook-id may not contain ".": ${req.id}`);
  const fetchImpl = req.fetchImpl ?? fetch;
  const now = req.now ?? Date.now;
  const startedAt = now();
  const timestamp = Math.floor(startedAt / 1000);
  const done = (r: Omit<SignedEventAttempt, 'durationMs'>): SignedEventAttempt => ({
    ...r,
    excerpt: excerptOf(redactUrls(r.excerpt)),
    durationMs: Math.max(0, now() - startedAt),
  });
  try {
    const res = await fetchImpl(req.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'greenlight',
        'webhook-id': req.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': standardSignature(req.secret, req.id, timestamp, req.body),
      },
      body: req.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(Math.max(1, req.timeoutMs)),
    });
    const text = await readSome(res, MAX_READ_BYTES).catch(() => '');
    const wait = retryAfterMs(res.headers.get('retry-after'), now());
    return done({
      ok: res.status >= 200 && res.status < 300,
      status: res.status,
      excerpt: text,
      ...(wait !== undefined && { retryAfterMs: wait }),
    });
  } catch (err) {
    return done({ ok: false, status: null, excerpt: networkError(err, req.timeoutMs) });
  }
}
