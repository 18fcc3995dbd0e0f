/**
 * POSTs a signed JSON webhook (beforeCutover, afterCutover, beforeTeardown, afterRollback,
 * verificationFailed, scale-down) and reports what came back. Never throws: a refused connection
 * or a timeout is a result with `status: null`.
 *
 * Request headers:
 *   content-type: application/json
 *   user-agent: greenlight
 *   x-greenlight-hook: <hook>
 *   x-greenlight-delivery: <deploymentId>-<hook>   (idempotency key; also `deliveryId` in the body)
 *   x-greenlight-timestamp: <unix seconds>
 *   x-greenlight-signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 *     (only when the service has a secret configured)
 *
 * How a receiver verifies a delivery:
 *   1. Take the raw request body as bytes, before any JSON parsing.
 *   2. Reject when |now - x-greenlight-timestamp| > 300 s (replay window: 5 minutes).
 *   3. Compute hex HMAC-SHA256 over `${timestamp}.${rawBody}` with the shared secret, prefix
 *      `sha256=`, and compare with x-greenlight-signature in constant time
 *      (`crypto.timingSafeEqual` on equal-length buffers; `hmac.compare_digest` in Python).
 *   4. Deduplicate on x-greenlight-delivery: a retry (after a timeout or a 5xx) sends the same
 *      delivery id and body again, with a fresh timestamp and signature.
 *
 * Retries: network errors, timeouts, 5xx and 429 are retried (`retries` more attempts, backoff
 * 250 ms, 500 ms, 1 s, … capped at 2 s; a 429's Retry-After, seconds or an HTTP-date, is honoured
 * up to 5 s). Any other status (2xx, 3xx, 4xx) is final. Redirects are not followed (a 3xx is not
 * ok), so a signed body never travels to a host nobody configured. `ok` is a 2xx.
 */

import { createHmac } from 'node:crypto';
import type { WebhookRequest } from '../app/ports/webhook.js';
import type { HookResult } from '../domain/evidence.js';
import { redactUrls } from '../domain/redact.js';
import type { HookOutcome } from '../ops/metrics.js';
import { retryAfterMs } from './retry-after.js';

export interface WebhookInput extends WebhookRequest {
  fetchImpl?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const EXCERPT_CHARS = 300;
/** How much of a response body is read at most (the rest is discarded). */
const MAX_READ_BYTES = 8192;
const MAX_BACKOFF_MS = 2000;
const MAX_RETRY_AFTER_MS = 5000;

/** `sha256=<hex>` over `${timestamp}.${body}`: what x-greenlight-signature carries. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Control characters (newlines included) become spaces, runs of whitespace collapse, ≤ 300 chars. */
export function excerptOf(text: string): string {
  // \p{Cc}: U+0000–U+001F and U+007F–U+009F.
  const clean = text
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > EXCERPT_CHARS ? `${clean.slice(0, EXCERPT_CHARS - 1)}…` : clean;
}

function deliveryIdOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const id = (payload as { deliveryId?: unknown }).deliveryId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** The start of a response body (at most `max` bytes read), as text; the rest is not read. */
export async function readSome(res: Response, max = MAX_READ_BYTES): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, max);
}

/** How a result's excerpt starts when the last attempt timed out. */
const NO_ANSWER_WITHIN = 'no answer within';

/**
 * How a hook call ended, for greenlight_hook_calls_total: `ok` (a 2xx), `failed` (another
 * status), `timed_out` (the last attempt got no answer within the timeout), `unreachable` (no
 * answer: refused, DNS), `not_called` (nothing was sent).
 */
export function hookOutcome(r: HookResult): HookOutcome {
  if (r.ok) return 'ok';
  if (r.attempts === 0) return 'not_called';
  if (r.status !== null) return 'failed';
  return r.excerpt.startsWith(NO_ANSWER_WITHIN) ? 'timed_out' : 'unreachable';
}

/** Worth another attempt: no answer (refused, timed out), a 5xx or a 429. Nothing sent is not. */
export function retryableResult(r: HookResult): boolean {
  if (r.ok || r.attempts === 0) return false;
  return r.status === null || retryable(r.status);
}

/** What a failed fetch says, for people: a timeout as such, else its cause (with its code). */
export function networkError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `${NO_ANSWER_WITHIN} ${timeoutMs} ms`;
  const cause = e?.cause;
  if (cause?.message)
    return cause.code && !cause.message.includes(cause.code)
      ? `${cause.code}: ${cause.message}`
      : cause.message;
  return e?.message ?? String(err);
}

function retryable(status: number): boolean {
  return status >= 500 || status === 429;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function callWebhook(input: WebhookInput): Promise<HookResult> {
  const fetchImpl = input.fetchImpl ?? fetch;
  const now = input.now ?? Date.now;
  const sleep = input.sleep ?? realSleep;
  const startedAt = now();
  const attemptsAllowed = 1 + Math.max(0, Math.floor(input.retries));
  const deliveryId = deliveryIdOf(input.payload);
  const result = (r: Pick<HookResult, 'ok' | 'status' | 'excerpt'>, attempts: number): HookResult => ({
    hook: input.hook,
    url: input.url,
    ...r,
    // Error texts (fetch's included) may quote the URL, with any token in it: never pass it on.
    excerpt: redactUrls(r.excerpt),
    attempts,
    durationMs: Math.max(0, now() - startedAt),
  });

  let body: string;
  try {
    body = JSON.stringify(input.payload) ?? 'null';
  } catch (err) {
    return result(
      { ok: false, status: null, excerpt: excerptOf(`payload not serialisable: ${String(err)}`) },
      0,
    );
  }

  let last: Pick<HookResult, 'ok' | 'status' | 'excerpt'> = { ok: false, status: null, excerpt: '' };
  for (let attempt = 1; attempt <= attemptsAllowed; attempt++) {
    const timestamp = Math.floor(now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'greenlight',
      'x-greenlight-hook': input.hook,
      'x-greenlight-timestamp': String(timestamp),
    };
    if (deliveryId !== undefined) headers['x-greenlight-delivery'] = deliveryId;
    if (input.secret) headers['x-greenlight-signature'] = signWebhook(input.secret, timestamp, body);
    let wait: number | undefined;
    try {
      const res = await fetchImpl(input.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(Math.max(1, input.timeoutMs)),
      });
      const text = await readSome(res).catch(
        (err: unknown) => `(body unreadable: ${networkError(err, input.timeoutMs)})`,
      );
      last = { ok: res.status >= 200 && res.status < 300, status: res.status, excerpt: excerptOf(text) };
      if (!retryable(res.status)) return result(last, attempt);
      const asked = retryAfterMs(res.headers.get('retry-after'), now());
      if (asked !== undefined) wait = Math.min(asked, MAX_RETRY_AFTER_MS);
    } catch (err) {
      last = { ok: false, status: null, excerpt: excerptOf(networkError(err, input.timeoutMs)) };
    }
    if (attempt === attemptsAllowed) break;
    await sleep(wait ?? Math.min(250 * 2 ** (attempt - 1), MAX_BACKOFF_MS));
  }
  return result(last, attemptsAllowed);
}
