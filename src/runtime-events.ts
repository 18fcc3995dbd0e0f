/**
 * The events webhook's parts, composed for one process (src/runtime.ts): the outbox on Redis, the
 * delivery jobs on the queue, the signed POST, what the store calls after a write, and what
 * /metrics reads. The outbox and the jobs are built even when `events` is not configured, so that
 * the sweep can dead-letter what was left waiting (src/jobs/event-delivery-job.ts); the store
 * writes to the outbox only when it is.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EventDelivery } from './app/ports/events.js';
import { EVENTS_DEFAULTS } from './config/events-schema.js';
import type { EventsSettings } from './domain/service.js';
import { errorMessage } from './errors.js';
import { postStandardWebhook } from './hooks/standard-webhook.js';
import type { Logger } from './ops/logger.js';
import type { MetricsCollectors } from './ops/metrics.js';
import { eventJobAttempts, QueueEventJobs } from './queue/event-jobs.js';
import type { DeploymentStoreOptions } from './store/deployment-store.js';
import { RedisEventOutbox } from './store/event-outbox.js';
import { storeKeys } from './store/keys.js';

export interface EventsWiring {
  /** The job context's `events`. */
  delivery: EventDelivery;
  /** The store's `events` option: the outbox on, and each write's events enqueued. Absent: `events` not configured. */
  store?: NonNullable<DeploymentStoreOptions['events']>;
  /** The dead-letter count and the 410 Gone gauge. */
  collectors: Pick<MetricsCollectors, 'deadLetters' | 'eventsDisabled'>;
}

/** `prefix`: the store's key prefix without its `:` (as the runtime's `prefix`); `now`: the job context's clock. */
export function eventsWiring(
  redis: Redis,
  prefix: string,
  queue: Queue,
  settings: EventsSettings | undefined,
  log: Logger,
  now: () => number,
): EventsWiring {
  const outbox = new RedisEventOutbox(redis, storeKeys(`${prefix}:`), { now });
  const jobs = new QueueEventJobs(
    queue,
    eventJobAttempts(settings?.retryForMs ?? EVENTS_DEFAULTS.retryForMs),
  );
  return {
    delivery: { outbox, jobs, post: (req) => postStandardWebhook(req) },
    ...(settings && {
      store: {
        recorded: async (events) => {
          for (const e of events) {
            // Not enqueued now: the event waits in the outbox, and the next sweep enqueues it.
            await jobs
              .enqueue(e.deploymentId, e.version)
              .catch((err: unknown) =>
                log.warn(
                  { deployment: e.deploymentId, err: errorMessage(err) },
                  'could not enqueue an event',
                ),
              );
          }
        },
      },
    }),
    collectors: {
      deadLetters: () => outbox.deadLetterCount(),
      eventsDisabled: async () => (settings ? (await outbox.endpointDisabled(settings.url)) !== null : false),
    },
  };
}
