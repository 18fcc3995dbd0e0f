/**
 * Fast-forward for the sandbox page: the bot's durable delays are BullMQ delayed jobs (reminder,
 * teardown, approval expiry, verification polls). Skipping ahead moves the sandbox clock to the
 * job's time (the bot checks its deadlines against that clock) and then `job.promote()`s it: the
 * job runs now and, being level-triggered, does exactly what it would have done at its time.
 * "Skip to next deadline" skips only the soak's deadlines (reminder, teardown): skipping to an
 * open approval prompt's expiry would expire the deployment someone is about to approve.
 */
import type { Job, Queue } from 'bullmq';
import type { ScheduledJob, ScheduledJobs } from './sandbox-api.js';

/** The soak's deadlines, what a person waits for; polls (verify, watch) and the approval expiry are never skipped to. */
export const SOAK_DEADLINES: ReadonlySet<string> = new Set(['remind', 'teardown']);

/** The deadline a timed job was scheduled for (its `at`), on the bot's clock. */
function deadlineOf(job: Job): number | undefined {
  const at = (job.data as { at?: unknown } | undefined)?.at;
  return typeof at === 'number' && job.name !== 'sync' ? at : undefined;
}

function describe(job: Job): ScheduledJob {
  const data = (job.data ?? {}) as { deploymentId?: unknown };
  return {
    id: String(job.id),
    name: job.name,
    ...(typeof data.deploymentId === 'string' ? { deploymentId: data.deploymentId } : {}),
    dueAt: job.timestamp + (job.opts.delay ?? job.delay ?? 0),
  };
}

export function delayedJobs(
  queue: Pick<Queue, 'getDelayed'>,
  clock?: { advanceTo(at: number): void },
): ScheduledJobs {
  const load = async () =>
    (await queue.getDelayed())
      .filter((j): j is Job => j !== undefined && j !== null)
      .map((job) => ({ job, info: describe(job) }))
      .sort((a, b) => a.info.dueAt - b.info.dueAt);
  return {
    async list() {
      return (await load()).map((j) => j.info);
    },
    async promote({ all }) {
      const jobs = await load();
      const next = jobs.find((j) => SOAK_DEADLINES.has(j.info.name));
      const chosen = all ? jobs : next ? [next] : [];
      const done: ScheduledJob[] = [];
      for (const { job, info } of chosen) {
        const at = deadlineOf(job);
        if (clock && at !== undefined) clock.advanceTo(at);
        try {
          await job.promote();
          done.push(info);
        } catch {
          // it started or was removed meanwhile: nothing to skip
        }
      }
      return done;
    },
  };
}
