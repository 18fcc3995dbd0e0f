/** The data every Greenlight job carries, validated on both ends. BullMQ ids must not contain `:`. */
import { z } from 'zod';
import { JOB_NAMES } from '../domain/job-ids.js';

export const jobDataSchema = z
  .object({
    deploymentId: z.string().regex(/^[a-z0-9-]{1,80}$/, 'deployment ids are lower-case, digits and dashes'),
    /** The deadline (or record version, for `sync`) the job was scheduled for. */
    at: z.number().int().nonnegative().optional(),
  })
  .strict();

export type JobData = z.infer<typeof jobDataSchema>;
export const jobNameSchema = z.enum(JOB_NAMES);
