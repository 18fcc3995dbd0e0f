/**
 * Per-service settings for proving a cutover and tearing the old slot down for real:
 * traffic evidence (CloudWatch), health gates, webhooks, compute scale-down and cost.
 */
import { z } from 'zod';
import { computeEntrySchema } from '../compute/registry.js';
import { webhookUrl } from '../compute/webhook.js';
import { formatDuration } from '../domain/duration.js';
import { DEFAULT_MIN_REQUESTS } from '../domain/traffic/gates.js';
import { computeShapesText } from './compute-shapes.js';
import { duration } from './durations.js';

export const slotName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,19}$/, 'slot names are lower-case words such as blue, green');

/** Periods CloudWatch serves below a minute, for high-resolution metrics only (ms). */
export const HIGH_RESOLUTION_PERIODS_MS: readonly number[] = [1_000, 5_000, 10_000, 30_000];

/** Whether CloudWatch serves metrics in periods of `ms`: 1, 5, 10 or 30 s, or a multiple of 60 s. */
export function isCloudWatchPeriod(ms: number): boolean {
  return ms > 0 && (ms % 60_000 === 0 || HIGH_RESOLUTION_PERIODS_MS.includes(ms));
}

/**
 * Whether ALB metrics can be read in periods of `ms`: they are standard resolution, so only
 * multiples of 60 s. The shorter CloudWatch periods are for the sandbox's simulated endpoint.
 */
export function isAlbPeriod(ms: number): boolean {
  return ms > 0 && ms % 60_000 === 0;
}

export const EVIDENCE_DEFAULTS = {
  periodMs: 60_000,
  pollIntervalMs: 20_000,
  watchIntervalMs: 60_000,
  minRequests: DEFAULT_MIN_REQUESTS,
  hookTimeoutMs: 5_000,
  computeTimeoutMs: 10 * 60_000,
} as const;

const defaultText = (ms: number) => `Default: ${formatDuration(ms)}.`;

export const trafficSchema = z
  .object({
    tolerance: z
      .number()
      .int()
      .min(0)
      .max(1_000_000)
      .default(0)
      .describe('Requests per period still allowed on the old slot for it to count as drained.'),
    period: duration
      .refine(
        isCloudWatchPeriod,
        'the period must be a multiple of 60s (ALB metrics), or 1s, 5s, 10s or 30s (sandbox only)',
      )
      .optional()
      .describe(
        `CloudWatch period: a multiple of 60s for real ALB metrics (standard resolution); 1s, 5s, 10s and 30s only against the sandbox's simulated endpoint. ${defaultText(EVIDENCE_DEFAULTS.periodMs)}`,
      ),
    pollInterval: duration
      .optional()
      .describe(`How often verification reads the metrics. ${defaultText(EVIDENCE_DEFAULTS.pollIntervalMs)}`),
    allowIdle: z
      .boolean()
      .default(false)
      .describe(
        'The service may see no traffic at all: a verify window with no request on the new slot ends drained (with a note) instead of not verified.',
      ),
  })
  .strict()
  .describe('Traffic evidence from CloudWatch after the switch: the old slot must drain.');

export const gatesSchema = z
  .object({
    maxErrorRate: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe(
        "Largest allowed share (0–1) of the new slot's requests answered with a 5xx users saw (its targets' and the load balancer's own), per period.",
      ),
    maxP99Latency: duration.optional().describe("Largest allowed p99 of the new slot's TargetResponseTime."),
    minRequests: z
      .number()
      .int()
      .min(0)
      .max(1_000_000)
      .optional()
      .describe(
        `Requests the new slot needs in a period before its error rate and p99 are judged. Default: ${EVIDENCE_DEFAULTS.minRequests}.`,
      ),
    maxUnhealthyHosts: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .optional()
      .describe('Largest UnHealthyHostCount (Maximum) allowed on the new slot in a period.'),
    loadBalancerErrors: z
      .boolean()
      .default(true)
      .describe(
        "Count the load balancer's own 5xx (HTTPCode_ELB_5XX_Count, published per load balancer only) against the new slot once it holds all the service's traffic. Turn off on a load balancer shared with services whose errors would be blamed on this one.",
      ),
    alarms: z
      .array(z.string().min(1).max(255))
      .max(100)
      .default([])
      .describe('CloudWatch alarm names; any in ALARM is a breach.'),
    autoRollback: z
      .boolean()
      .default(false)
      .describe('Roll back by itself on a breach (and say why) instead of only alerting.'),
    watchInterval: duration
      .optional()
      .describe(
        `How often the gates are checked during the soak. ${defaultText(EVIDENCE_DEFAULTS.watchIntervalMs)}`,
      ),
  })
  .strict()
  .describe('Health gates on the new slot, during verification and the soak.');

export const hooksSchema = z
  .object({
    secretEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'an environment variable name such as HOOK_SECRET')
      .describe("Name of the environment variable holding the HMAC-SHA256 secret of this service's hooks."),
    timeout: duration
      .optional()
      .describe(`How long a hook may take to answer. ${defaultText(EVIDENCE_DEFAULTS.hookTimeoutMs)}`),
    retries: z.number().int().min(0).max(5).default(2).describe('Retries on network errors, 5xx and 429.'),
    beforeCutover: webhookUrl
      .optional()
      .describe('Called before the switch; a non-2xx answer aborts it with the load balancer untouched.'),
    afterCutover: webhookUrl.optional().describe('Called once the cutover attempt ended, switched or not.'),
    beforeTeardown: webhookUrl
      .optional()
      .describe(
        'Called before the old slot is drained and scaled down; a non-2xx answer stops the teardown.',
      ),
    afterRollback: webhookUrl
      .optional()
      .describe(
        'Notification, once traffic is back on the previous slot (a manual or automatic rollback); its payload says the cause. Its failure undoes and blocks nothing.',
      ),
    verificationFailed: webhookUrl
      .optional()
      .describe(
        'Notification, when verification fails (the deployment failed, or rolls back by itself); its payload lists the failing checks. Its failure undoes and blocks nothing.',
      ),
  })
  .strict()
  .describe('Signed webhooks: JSON POSTs with an HMAC-SHA256 signature.');

/** One `compute.<slot>` entry: the key of one compute backend (src/compute/registry.ts). */
export const computeTargetSchema = computeEntrySchema().describe(
  `What to scale to zero behind this slot at teardown, one of: ${computeShapesText()}.`,
);

export const evidenceKeys = {
  traffic: trafficSchema.optional(),
  gates: gatesSchema.optional(),
  hooks: hooksSchema.optional(),
  compute: z
    .record(slotName, computeTargetSchema)
    .optional()
    .describe('Per slot: what to scale to zero after the slot is drained at teardown.'),
  computeTimeout: duration
    .optional()
    .describe(
      `How long teardown waits for the compute to reach zero. ${defaultText(EVIDENCE_DEFAULTS.computeTimeoutMs)}`,
    ),
  hourlyCost: z
    .record(slotName, z.number().min(0).max(1_000_000))
    .optional()
    .describe('Per slot: what running it costs per hour (any currency, shown as-is).'),
};
