/**
 * Checking a Standard Webhooks 1.0 request as a receiver would: the verification snippet README.md
 * documents (taken out of README.md and run, so that the documentation cannot drift from what is
 * sent), and the signature as the spec defines it, computed here with nothing from src/.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ReceivedRequest } from './webhook-receiver.js';

/** README.md's `verifyGreenlightEvent(rawBody, headers, secret, nowSeconds?)`. */
export type Verify = (
  rawBody: string,
  headers: Record<string, string | undefined>,
  secret: string,
  nowSeconds?: number,
) => boolean;

/** The `verifyGreenlightEvent` code block of README.md, written to a module and imported. */
export async function readmeVerifier(): Promise<Verify> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = [...readme.matchAll(/```js\n([\s\S]*?)```/g)]
    .map((m) => m[1] as string)
    .find((code) => code.includes('function verifyGreenlightEvent'));
  if (!block) throw new Error('README.md has no js block with verifyGreenlightEvent');
  const file = join(mkdtempSync(join(tmpdir(), 'gl-readme-')), 'verify.mjs');
  writeFileSync(file, block);
  const mod = (await import(pathToFileURL(file).href)) as { verifyGreenlightEvent: Verify };
  return mod.verifyGreenlightEvent;
}

/** Received headers as a receiver's framework hands them over: one string each (repeats joined by `,`). */
export const flatHeaders = (h: IncomingHttpHeaders): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));

/** The key of a `whsec_` secret as the spec defines it: the base64 after the prefix, decoded. */
export const whsecKey = (secret: string): Buffer => Buffer.from(secret.slice('whsec_'.length), 'base64');

/** The request's `webhook-signature` is exactly the one the spec defines for its id, timestamp and body under `key`. */
export function signedPerSpec(req: ReceivedRequest, key: Buffer): boolean {
  const id = req.headers['webhook-id'] as string;
  const ts = req.headers['webhook-timestamp'] as string;
  const mac = createHmac('sha256', key).update(`${id}.${ts}.${req.raw}`).digest('base64');
  return req.headers['webhook-signature'] === `v1,${mac}`;
}
