/**
 * The `greenlight.yml` schema (see README "Configuration"). Durations are parsed to
 * milliseconds here, so the rest of the code only sees numbers. The descriptions are what editors
 * show (the JSON Schema, `npm run schema`). Checks across fields and services (the same compute
 * twice, a reminder longer than the soak, …) are in cross-checks.ts, run on the raw data so that
 * they are reported alongside these.
 */
import { z } from 'zod';
import { formatDuration } from '../domain/duration.js';
import { DEFAULT_PREVIEW_HEADER } from '../domain/preview.js';
import { awsSchema } from './aws-schema.js';
import { duration } from './durations.js';
import { eventsSchema } from './events-schema.js';
import { evidenceKeys, slotName } from './evidence-schema.js';

export const TARGET_GROUP_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;
export const LISTENER_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener\/app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}\/[0-9a-f]{16}$/;

export const DEFAULTS = {
  soakMs: 24 * 3_600_000,
  remindBeforeMs: 3_600_000,
  approvalTimeoutMs: 30 * 60_000,
  verifyWindowMs: 5 * 60_000,
  minHealthyTargets: 1,
} as const;

const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'not a Slack user id (U… or W…)');
const slackGroupId = z.string().regex(/^S[A-Z0-9]{2,}$/, 'not a Slack user group id (S…)');
const slackChannelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'not a Slack channel id (C…, G… or D…)');
const listenerArn = z.string().regex(LISTENER_ARN, 'not an ALB listener ARN');

const people = z
  .object({
    users: z.array(slackUserId).default([]).describe('Slack user ids (U… or W…).'),
    usergroups: z
      .array(slackGroupId)
      .default([])
      .describe('Slack user group ids (S…); members are resolved with usergroups.users.list.'),
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
    listener: listenerArn
      .optional()
      .describe("The listener that holds the preview rules. Default: the service's first listener."),
    header: headerName
      .optional()
      .describe(
        `The header a preview request carries, with the value <service>/<slot>. Default: ${DEFAULT_PREVIEW_HEADER}.`,
      ),
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
      .optional()
      .describe(
        'Instead of header: a host per slot, containing {slot} (and maybe {service}), e.g. {slot}.checkout.preview.example.com.',
      ),
    priority: z
      .number()
      .int()
      .min(1)
      .max(50_000)
      .optional()
      .describe(
        "Priority of the first slot's rule; the next slots take the next numbers. Default: the lowest free.",
      ),
    url: z
      .string()
      .url('not a URL')
      .refine((u) => /^https?:\/\//.test(u), 'an http:// or https:// URL')
      .optional()
      .describe('Shown to approvers with a curl command, e.g. https://shop.example.com/checkout.'),
  })
  .strict()
  .refine((p) => !(p.header && p.host), 'give either header or host, not both');

const timing = {
  soak: duration
    .optional()
    .describe(
      `How long the previous slot is kept for rollback before it is torn down. Default: ${formatDuration(DEFAULTS.soakMs)}.`,
    ),
  remindBefore: duration
    .optional()
    .describe(
      `The teardown reminder is posted in the channel this long before teardown; shorter than soak. Default: ${formatDuration(DEFAULTS.remindBeforeMs)}.`,
    ),
  approvalTimeout: duration
    .optional()
    .describe(
      `An unanswered approval prompt expires after this long. Default: ${formatDuration(DEFAULTS.approvalTimeoutMs)}.`,
    ),
  verifyWindow: duration
    .optional()
    .describe(
      `How long traffic verification may take after the switch. Default: ${formatDuration(DEFAULTS.verifyWindowMs)}.`,
    ),
  minHealthyTargets: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe(
      `The target slot needs at least this many healthy targets. Default: ${DEFAULTS.minHealthyTargets}.`,
    ),
};

export const serviceSchema = z
  .object({
    channel: slackChannelId.describe(
      'Slack channel id (C…, G… or D…) where /deploy runs for this service and the status card is posted.',
    ),
    listeners: z
      .array(listenerArn)
      .min(1, 'name at least one listener ARN')
      .describe(
        'ALB listener ARNs whose default actions and rules forward to the slots; all in one region and account.',
      ),
    slots: z
      .record(slotName, z.string().regex(TARGET_GROUP_ARN, 'not a target group ARN'))
      .refine((s) => Object.keys(s).length >= 2, 'a service needs at least two slots (e.g. blue and green)')
      .refine(
        (s) => new Set(Object.values(s)).size === Object.keys(s).length,
        'two slots use the same target group',
      )
      .meta({ minProperties: 2 })
      .describe('Slot name → target group ARN; at least two slots, each its own target group.'),
    approvers: people
      .refine((p) => p.users.length + p.usergroups.length > 0, 'name at least one approver')
      .describe(
        'Who may approve (and extend, tear down early, cancel or roll back); at least one user or user group.',
      ),
    deployers: people
      .optional()
      .describe('Who may request a deployment. Absent: anyone in the channel (approvers always may).'),
    allowSelfApproval: z
      .boolean()
      .default(false)
      .describe('Whether the requester may approve their own deployment.'),
    preview: previewSchema
      .optional()
      .describe('The preview rules that keep every slot health-checked and reachable by test requests.'),
    healthWait: duration
      .optional()
      .describe(
        "How long the precheck waits for a slot's targets to pass their health checks. Default: (HealthyThresholdCount + 2) × HealthCheckIntervalSeconds of its target group.",
      ),
    versionTags: z
      .array(z.string().min(1).max(128))
      .max(10)
      .optional()
      .describe(
        "Tag keys on each slot's target group that say what runs there, shown with the slot (the first as the version, the rest in brackets). Default: [version, commit].",
      ),
    aws: awsSchema
      .optional()
      .describe(
        "The service's AWS Region and the IAM role Greenlight assumes for it (each key over defaults.aws). Absent: the process's own Region and credentials.",
      ),
    ...timing,
    ...evidenceKeys,
  })
  .strict();

export const configSchema = z
  .object({
    defaults: z
      .object({
        ...timing,
        aws: awsSchema
          .optional()
          .describe('AWS Region, role and external ID for every service; a service may override each key.'),
      })
      .strict()
      .default({})
      .describe('Defaults for every service; a service may override any of them.'),
    services: z
      .record(
        z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'service names are lower-case, digits and dashes'),
        serviceSchema,
      )
      .refine((s) => Object.keys(s).length > 0, 'define at least one service')
      .meta({ minProperties: 1 })
      .describe('Service name (lower-case letters, digits and dashes; not a command word) → its settings.'),
    events: eventsSchema.optional(),
  })
  .strict()
  .describe('Greenlight configuration (greenlight.yml): blue-green cutovers on AWS ALBs, driven from Slack.');

export type RawConfig = z.infer<typeof configSchema>;
