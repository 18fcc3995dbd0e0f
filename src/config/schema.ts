/**
 * The `greenlight.yml` schema (see README "Configuration"). Durations are parsed to
 * milliseconds here, so the rest of the code only sees numbers.
 */
import { z } from 'zod';
import { computeIdentity, exclusiveComputeLabels, toComputeTarget } from '../compute/registry.js';
import { duration } from './durations.js';
import { evidenceKeys, slotName } from './evidence-schema.js';

export const TARGET_GROUP_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;
export const LISTENER_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener\/app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}\/[0-9a-f]{16}$/;

const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'not a Slack user id (U… or W…)');
const slackGroupId = z.string().regex(/^S[A-Z0-9]{2,}$/, 'not a Slack user group id (S…)');
const slackChannelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'not a Slack channel id (C…, G… or D…)');

const people = z
  .object({
    users: z.array(slackUserId).default([]),
    usergroups: z.array(slackGroupId).default([]),
  })
  .strict();

/** An HTTP header name as ALB rules take it: RFC 7230 token characters, at most 40. */
const headerName = z
  .string()
  .regex(
    /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}$/,
    'an HTTP header name of at most 40 characters, such as X-Greenlight-Slot',
  );

/** Where a slot's preview rule matches: a header (value `<service>/<slot>`) or a host per slot. */
export const previewSchema = z
  .object({
    /** The listener that holds the preview rules (default: the service's first listener). */
    listener: z.string().regex(LISTENER_ARN, 'not an ALB listener ARN').optional(),
    header: headerName.optional(),
    host: z
      .string()
      .max(128)
      .refine(
        (h) => h.includes('{slot}'),
        'the host must contain {slot}, e.g. {slot}.checkout.preview.example.com',
      )
      .refine(
        (h) => /^[a-z0-9.{}-]+$/i.test(h) && h.replaceAll(/\{(slot|service)\}/g, 'x').includes('.'),
        'a host name such as {slot}.checkout.preview.example.com (letters, digits, dashes and dots)',
      )
      .optional(),
    /** Priority of the first slot's rule; the next slots take the next numbers. Default: the lowest free. */
    priority: z.number().int().min(1).max(50_000).optional(),
    /** Shown to approvers with a curl command, e.g. https://shop.example.com/checkout. */
    url: z
      .string()
      .url('not a URL')
      .refine((u) => /^https?:\/\//.test(u), 'an http:// or https:// URL')
      .optional(),
  })
  .strict()
  .refine((p) => !(p.header && p.host), 'give either header or host, not both');

const timing = {
  soak: duration.optional(),
  remindBefore: duration.optional(),
  approvalTimeout: duration.optional(),
  verifyWindow: duration.optional(),
  minHealthyTargets: z.number().int().min(1).max(1000).optional(),
};

export const serviceSchema = z
  .object({
    channel: slackChannelId,
    listeners: z
      .array(z.string().regex(LISTENER_ARN, 'not an ALB listener ARN'))
      .min(1, 'name at least one listener ARN'),
    slots: z
      .record(slotName, z.string().regex(TARGET_GROUP_ARN, 'not a target group ARN'))
      .refine((s) => Object.keys(s).length >= 2, 'a service needs at least two slots (e.g. blue and green)')
      .refine(
        (s) => new Set(Object.values(s)).size === Object.keys(s).length,
        'two slots use the same target group',
      ),
    approvers: people.refine((p) => p.users.length + p.usergroups.length > 0, 'name at least one approver'),
    /** Who may request a deployment; absent means anyone in the channel. */
    deployers: people.optional(),
    allowSelfApproval: z.boolean().default(false),
    /** The preview rules that keep every slot health-checked and reachable by test requests. */
    preview: previewSchema.optional(),
    /**
     * How long the precheck waits for a slot's targets to pass their health checks (after attaching
     * it, or while they read `initial`). Default: from the group's health-check settings.
     */
    healthWait: duration.optional(),
    ...timing,
    ...evidenceKeys,
  })
  .strict()
  .superRefine((svc, ctx) => {
    for (const key of ['compute', 'hourlyCost'] as const) {
      for (const slot of Object.keys(svc[key] ?? {})) {
        if (!Object.hasOwn(svc.slots, slot)) {
          ctx.addIssue({
            code: 'custom',
            path: [key, slot],
            message: `no slot named ${slot}; slots are ${Object.keys(svc.slots).join(', ')}`,
          });
        }
      }
    }
    // Two slots on one ECS service or Auto Scaling group: tearing the old one down would scale
    // the live one to zero.
    const seen = new Map<string, string>();
    for (const [slot, target] of Object.entries(svc.compute ?? {})) {
      const id = JSON.stringify(target);
      const other = seen.get(id);
      if (other) {
        ctx.addIssue({
          code: 'custom',
          path: ['compute', slot],
          message: `the same compute as slot ${other}: tearing one slot down would scale the other to zero`,
        });
      }
      seen.set(id, slot);
    }
  });

export const configSchema = z
  .object({
    defaults: z.object(timing).strict().default({}),
    services: z
      .record(
        z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'service names are lower-case, digits and dashes'),
        serviceSchema,
      )
      .refine((s) => Object.keys(s).length > 0, 'define at least one service')
      .superRefine((services, ctx) => {
        // One ECS service or Auto Scaling group behind two services: tearing one service's old slot
        // down would scale the other service's capacity to zero. (A webhook may serve several.)
        const owner = new Map<string, string>();
        for (const [name, svc] of Object.entries(services)) {
          for (const [slot, target] of Object.entries(svc.compute ?? {})) {
            const id = computeIdentity(toComputeTarget(target));
            if (id === null) continue;
            const first = owner.get(id);
            if (first && !first.startsWith(`${name}.`)) {
              ctx.addIssue({
                code: 'custom',
                path: [name, 'compute', slot],
                message: `the same compute as services.${first}: tearing one service down would scale the other's capacity to zero; give each service its own ${exclusiveComputeLabels()}`,
              });
            } else if (!first) owner.set(id, `${name}.compute.${slot}`);
          }
        }
      }),
  })
  .strict();

export type RawConfig = z.infer<typeof configSchema>;

export const DEFAULTS = {
  soakMs: 24 * 3_600_000,
  remindBeforeMs: 3_600_000,
  approvalTimeoutMs: 30 * 60_000,
  verifyWindowMs: 5 * 60_000,
  minHealthyTargets: 1,
} as const;
