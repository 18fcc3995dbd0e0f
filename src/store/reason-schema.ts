/**
 * Validation of the reasons stored on deployment records and in the audit trail
 * (src/domain/reasons.ts). Records written before reasons were data hold a string: it reads back
 * as the legacy code `text`, shown as it was.
 */
import { z } from 'zod';
import { type DeploymentReason, FAILURE_STEPS } from '../domain/reasons.js';
import { STATES } from '../domain/states.js';

const step = z.enum(FAILURE_STEPS);

/** One reason object, by its code; parameters added by a later version are kept. */
const knownReasons = z.discriminatedUnion('code', [
  z.looseObject({ code: z.literal('cancelled'), params: z.looseObject({ user: z.string() }) }),
  z.looseObject({ code: z.literal('rollback_requested'), params: z.looseObject({ user: z.string() }) }),
  z.looseObject({
    code: z.literal('unlocked'),
    params: z.looseObject({ user: z.string(), state: z.enum(STATES) }),
  }),
  // No parameters today: any a later version adds are dropped (nothing here would show them).
  z.looseObject({ code: z.literal('approval_expired'), params: z.object({}) }),
  z.looseObject({ code: z.literal('failure'), params: z.looseObject({ step, detail: z.string() }) }),
  z.looseObject({ code: z.literal('stopped'), params: z.looseObject({ step, detail: z.string() }) }),
  z.looseObject({
    code: z.literal('gave_up'),
    params: z.looseObject({ job: z.string(), why: z.string() }),
  }),
  z.looseObject({
    code: z.literal('gate_breached'),
    params: z.looseObject({
      summary: z.string(),
      rollback: z.enum(['verification', 'soak']).optional(),
    }),
  }),
  z.looseObject({ code: z.literal('text'), params: z.looseObject({ text: z.string() }) }),
]);

const reasonObjectSchema: z.ZodType<DeploymentReason> = knownReasons;

const KNOWN_CODES: ReadonlySet<string> = new Set(knownReasons.options.map((o) => o.shape.code.value));

/**
 * A reason whose code this version does not know: a record written by a newer version (or read
 * by an older one after a rollback of Greenlight itself). The record stays readable; the reason
 * renders as its code (src/messages/reasons.ts), never a crash and never a record skipped.
 */
const unknownReasonSchema = z
  .looseObject({
    // A known code with parameters that do not fit is a corrupt record, not an unknown reason.
    code: z
      .string()
      .min(1)
      .max(100)
      .refine((code) => !KNOWN_CODES.has(code)),
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .transform((r) => r as unknown as DeploymentReason);

/**
 * A stored reason: a reason object, the plain string an earlier version wrote (legacy `text`), or
 * a reason of a code this version does not know.
 */
export const storedReasonSchema: z.ZodType<DeploymentReason, unknown> = z.union([
  reasonObjectSchema,
  z.string().transform((text): DeploymentReason => ({ code: 'text', params: { text } })),
  unknownReasonSchema,
]);
