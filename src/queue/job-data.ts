/** The data every Greenlight job carries, validated on both ends. BullMQ ids must not contain `:`. */
import { z } from 'zod';
import { JOB_NAMES } from '../domain/job-ids.js';

/** A queued Slack message (`notify` jobs): see src/jobs/outbox.ts. */
const outgoingSchema = z
  .object({
    key: z.string().min(1).max(200),
    message: z.object({ text: z.string(), blocks: z.array(z.record(z.string(), z.unknown())) }).strict(),
    inThread: z.boolean().optional(),
    slot: z.enum(['card', 'prompt', 'reminder']).optional(),
  })
  .strict();

export const jobDataSchema = z
  .object({
    deploymentId: z.string().regex(/^[a-z0-9-]{1,80}$/, 'deployment ids are lower-case, digits and dashes'),
    /** The deadline (or record version, for `sync`) the job was scheduled for. */
    at: z.number().int().nonnegative().optional(),
    notify: outgoingSchema.optional(),
    /** How many times reconcile retried it after it failed for good. */
    repairs: z.number().int().nonnegative().optional(),
  })
  .strict();

export type JobData = z.infer<typeof jobDataSchema>;

/** Which run of a job this is, as BullMQ counts them (for jobs whose retries are their own). */
export interface JobAttempt {
  /** Runs that failed before this one (BullMQ's attemptsMade): 0 on the first. */
  made: number;
  /** Runs the job is allowed in all (its `attempts` option). */
  allowed: number;
}
export const jobNameSchema = z.enum(JOB_NAMES);
