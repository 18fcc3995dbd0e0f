/**
 * The job queue as the use cases see it: schedule, cancel and repair the jobs a deployment's state
 * needs. The implementation is src/queue/queue.ts (BullMQ).
 */
import type { Deployment } from '../../domain/deployment.js';
import type { Effect } from '../../domain/events.js';
import type { JobName } from '../../domain/job-ids.js';
import type { SlackMessage } from './slack.js';

/** Where on the record a message's ts is kept (messages that are edited later). */
export type MessageSlot = 'card' | 'prompt' | 'reminder';

export interface Outgoing {
  key: string;
  message: SlackMessage;
  /** A reply in the deployment's thread (default), or a message in the channel. */
  inThread?: boolean;
  /** Also keep the ts on the record under this name (a message edited later). */
  slot?: MessageSlot;
  /** Further keys to mark posted with it (one alert standing for several breaches). */
  alsoMark?: string[];
}

export interface Scheduler {
  /** Adds the job (delayed until `at` when given); a job with the same id already queued is kept. */
  enqueue(job: JobName, deploymentId: string, at?: number): Promise<void>;
  /** A Slack message for its own retries (src/jobs/outbox.ts); one job per deployment and key. */
  enqueueNotify(deploymentId: string, out: Outgoing): Promise<void>;
  /** Retries a job that failed for good, up to `maxRepairs` times over reconcile runs. */
  repair(
    job: JobName,
    deploymentId: string,
    at: number | undefined,
    maxRepairs: number,
  ): Promise<{ status: 'fine' | 'retried' } | { status: 'exhausted'; reason: string }>;
  /** Removes a pending job (a running one re-reads the record and stops). */
  cancel(job: JobName, deploymentId: string, at?: number): Promise<void>;
  /** Applies the queue effects of a transition. */
  apply(d: Deployment, effects: readonly Effect[]): Promise<void>;
}
