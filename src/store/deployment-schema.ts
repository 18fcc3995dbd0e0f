/**
 * Validation of what the store reads back from Redis. Objects are "loose": fields added to the
 * record later are kept, not stripped, so an older reader never loses data on write-back.
 */
import { z } from 'zod';
import type { Deployment } from '../domain/deployment.js';
import { STATES } from '../domain/states.js';
import { CorruptRecordError } from '../errors.js';
import { storedReasonSchema } from './reason-schema.js';

const state = z.enum(STATES);

const timing = z.looseObject({
  startedAt: z.number(),
  finishedAt: z.number(),
  awsMs: z.number(),
  changed: z.number(),
  sites: z.array(z.string()).optional(),
});

const historyEntry = z.looseObject({
  at: z.number(),
  event: z.string(),
  from: state,
  to: state,
  by: z.string().optional(),
  detail: z.string().optional(),
  reason: storedReasonSchema.optional(),
});

export const deploymentSchema: z.ZodType<Deployment> = z.looseObject({
  id: z.string().min(1),
  service: z.string().min(1),
  channel: z.string(),
  requester: z.string(),
  requestReason: z.string().optional(),
  fromSlot: z.string().nullable(),
  toSlot: z.string(),
  state,
  version: z.number().int(),
  createdAt: z.number(),
  updatedAt: z.number(),
  approvalExpiresAt: z.number().optional(),
  healthWait: z
    .looseObject({ since: z.number(), until: z.number(), attachedAt: z.number().optional() })
    .optional(),
  approvedBy: z.string().optional(),
  slotVersions: z
    .record(
      z.string(),
      z.looseObject({
        tags: z.record(z.string(), z.string()),
        compute: z.array(z.string()),
        problems: z.array(z.string()).optional(),
      }),
    )
    .optional(),
  /** A string from a record written before reasons were data reads back as the legacy code `text`. */
  reason: storedReasonSchema.optional(),
  cutover: timing.optional(),
  rollback: timing.optional(),
  soakMs: z.number(),
  remindBeforeMs: z.number(),
  verifyEndsAt: z.number().optional(),
  soakStartedAt: z.number().optional(),
  teardownAt: z.number().optional(),
  remindAt: z.number().optional(),
  teardownStartedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  messages: z.looseObject({
    card: z.string().optional(),
    prompt: z.string().optional(),
    reminder: z.string().optional(),
    posted: z.array(z.string()),
  }),
  history: z.array(historyEntry),
});

/** A schema failure as one `path: message` line per issue. */
export function issueLines(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}

/** Parses a stored JSON record; throws `CorruptRecordError` naming the key and every problem. */
export function parseDeployment(raw: string, key: string): Deployment {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (err) {
    throw new CorruptRecordError(key, [`not JSON (${(err as Error).message})`]);
  }
  const parsed = deploymentSchema.safeParse(data);
  if (!parsed.success) {
    throw new CorruptRecordError(key, issueLines(parsed.error));
  }
  return parsed.data;
}
