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
export const reasonObjectSchema: z.ZodType<DeploymentReason> = z.discriminatedUnion('code', [
  z.looseObject({ code: z.literal('cancelled'), params: z.looseObject({ user: z.string() }) }),
  z.looseObject({ code: z.literal('rollback_requested'), params: z.looseObject({ user: z.string() }) }),
  z.looseObject({
    code: z.literal('unlocked'),
    params: z.looseObject({ user: z.string(), state: z.enum(STATES) }),
  }),
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

/** A stored reason: a reason object, or the plain string an earlier version wrote (legacy `text`). */
export const storedReasonSchema: z.ZodType<DeploymentReason, unknown> = z.union([
  reasonObjectSchema,
  z.string().transform((text): DeploymentReason => ({ code: 'text', params: { text } })),
]);
