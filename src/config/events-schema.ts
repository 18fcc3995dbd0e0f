/**
 * The top-level `events` key: the events webhook, which receives every state transition of every
 * deployment (for audit stores and SIEMs), signed with the Standard Webhooks scheme.
 */
import { z } from 'zod';
import { webhookUrl } from '../compute/webhook.js';
import { formatDuration } from '../domain/duration.js';
import type { EventsSettings } from '../domain/service.js';
import { duration } from './durations.js';

export const EVENTS_DEFAULTS = {
  /** Standard Webhooks recommends 15–30 s for a receiver to answer. */
  timeoutMs: 15_000,
  retryForMs: 24 * 3_600_000,
} as const;

const MAX_TIMEOUT_MS = 60_000;
const MIN_RETRY_FOR_MS = 60_000;
/** The longest `retryFor`; also how long events wait once `events` is removed from the config (src/jobs/event-delivery-job.ts). */
export const MAX_RETRY_FOR_MS = 7 * 24 * 3_600_000;

export const eventsSchema = z
  .object({
    url: webhookUrl.describe(
      'Where every state transition of every deployment is POSTed (http:// or https://; https in production).',
    ),
    secretEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'an environment variable name such as GREENLIGHT_EVENTS_SECRET')
      .describe(
        'Name of the environment variable holding the signing secret: whsec_<base64> (Standard Webhooks, at least 24 bytes) or a raw string of at least 32 characters.',
      ),
    timeout: duration
      .refine((ms) => ms <= MAX_TIMEOUT_MS, `at most ${formatDuration(MAX_TIMEOUT_MS)}`)
      .optional()
      .describe(
        `How long the receiver may take to answer one delivery. Default: ${formatDuration(EVENTS_DEFAULTS.timeoutMs)}.`,
      ),
    retryFor: duration
      .refine(
        (ms) => ms >= MIN_RETRY_FOR_MS && ms <= MAX_RETRY_FOR_MS,
        `between ${formatDuration(MIN_RETRY_FOR_MS)} and ${formatDuration(MAX_RETRY_FOR_MS)}`,
      )
      .optional()
      .describe(
        `How long an event that is not answered 2xx is retried (capped backoff) before it is dead-lettered. Default: ${formatDuration(EVENTS_DEFAULTS.retryForMs)}.`,
      ),
  })
  .strict()
  .describe(
    'The events webhook: every state transition of every deployment, signed (Standard Webhooks), delivered at least once with a stable webhook-id.',
  );

export type RawEvents = z.infer<typeof eventsSchema>;

/** The events settings with their defaults applied. */
export function resolveEvents(raw: RawEvents): EventsSettings {
  return {
    url: raw.url,
    secretEnv: raw.secretEnv,
    timeoutMs: raw.timeout ?? EVENTS_DEFAULTS.timeoutMs,
    retryForMs: raw.retryFor ?? EVENTS_DEFAULTS.retryForMs,
  };
}
