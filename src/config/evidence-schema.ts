/**
 * Per-service settings for proving a cutover and tearing the old slot down for real:
 * traffic evidence (CloudWatch), health gates, webhooks, compute scale-down and cost.
 */
import { z } from 'zod';
import { computeEntrySchema } from '../compute/registry.js';
import { webhookUrl } from '../compute/webhook.js';
import { DEFAULT_MIN_REQUESTS } from '../domain/traffic/gates.js';
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

export const trafficSchema = z
  .object({
    /** Requests per period still allowed on the old slot for it to count as drained. */
    tolerance: z.number().int().min(0).max(1_000_000).default(0),
    /**
     * CloudWatch period. Real ALB metrics need a multiple of 60 s; 1, 5, 10 and 30 s (CloudWatch's
     * high-resolution periods) are accepted for the sandbox's simulated endpoint and tests.
     */
    period: duration
      .refine(
        isCloudWatchPeriod,
        'the period must be a multiple of 60s (ALB metrics), or 1s, 5s, 10s or 30s (sandbox only)',
      )
      .optional(),
    /** How often verification reads the metrics. */
    pollInterval: duration.optional(),
    /**
     * The service may see no traffic at all: a verify window with no request on the new slot
     * ends drained (with a note) instead of not verified.
     */
    allowIdle: z.boolean().default(false),
  })
  .strict();

export const gatesSchema = z
  .object({
    /** Largest allowed share of the new slot's requests answered with a target 5xx (0–1). */
    maxErrorRate: z.number().min(0).max(1).optional(),
    maxP99Latency: duration.optional(),
    /** Requests the new slot needs in a period before its error rate and p99 are judged. */
    minRequests: z.number().int().min(0).max(1_000_000).optional(),
    /** Largest UnHealthyHostCount (Maximum) allowed on the new slot in a period. */
    maxUnhealthyHosts: z.number().int().min(0).max(10_000).optional(),
    /**
     * Count the load balancer's own 5xx (HTTPCode_ELB_5XX_Count, published per load balancer only)
     * against the new slot once it holds all the service's traffic (default true). Turn off on a
     * load balancer shared with services whose errors would be blamed on this one.
     */
    loadBalancerErrors: z.boolean().default(true),
    /** CloudWatch alarm names; any in ALARM is a breach. */
    alarms: z.array(z.string().min(1).max(255)).max(100).default([]),
    /** Roll back by itself on a breach (and say why) instead of only alerting. */
    autoRollback: z.boolean().default(false),
    /** How often the gates are checked during the soak. */
    watchInterval: duration.optional(),
  })
  .strict();

export const hooksSchema = z
  .object({
    /** Name of the environment variable holding the HMAC-SHA256 secret of this service's hooks. */
    secretEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'an environment variable name such as HOOK_SECRET'),
    timeout: duration.optional(),
    retries: z.number().int().min(0).max(5).default(2),
    beforeCutover: webhookUrl.optional(),
    afterCutover: webhookUrl.optional(),
    beforeTeardown: webhookUrl.optional(),
  })
  .strict();

/** One `compute.<slot>` entry: the key of one compute backend (src/compute/registry.ts). */
export const computeTargetSchema = computeEntrySchema();

export const evidenceKeys = {
  traffic: trafficSchema.optional(),
  gates: gatesSchema.optional(),
  hooks: hooksSchema.optional(),
  /** Per slot: what to scale to zero after the slot is drained at teardown. */
  compute: z.record(slotName, computeTargetSchema).optional(),
  /** How long teardown waits for the compute to reach zero. */
  computeTimeout: duration.optional(),
  /** Per slot: what running it costs per hour (any currency, shown as-is). */
  hourlyCost: z.record(slotName, z.number().min(0).max(1_000_000)).optional(),
};

export const EVIDENCE_DEFAULTS = {
  periodMs: 60_000,
  pollIntervalMs: 20_000,
  watchIntervalMs: 60_000,
  minRequests: DEFAULT_MIN_REQUESTS,
  hookTimeoutMs: 5_000,
  computeTimeoutMs: 10 * 60_000,
} as const;
