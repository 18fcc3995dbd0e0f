/**
 * The parts of the events webhook one process needs (src/runtime.ts): the outbox on Redis, the
 * delivery jobs on the queue, the signed POST, what the store calls after a write, and the count
 * of dead letters for /metrics.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EventDelivery } from '../app/ports/events.js';
import type { EventsSettings } from '../domain/service.js';
import { errorMessage } from '../errors.js';
import { postStandardWebhook } from '../hooks/standard-webhook.js';
import type { Logger } from '../ops/logger.js';
import { eventJobAttempts, QueueEventJobs } from '../queue/event-jobs.js';
import type { DeploymentStoreOptions } from '../store/deployment-store.js';
import { RedisEventOutbox } from '../store/event-outbox.js';
import { storeKeys } from '../store/keys.js';

export interface EventsWiring {
  delivery: EventDelivery;
  /** The store's `events` option: the outbox on, and each write's events enqueued. */
  store: NonNullable<DeploymentStoreOptions['events']>;
  deadLetters: () => Promise<number>;
}

/** `prefix`: the store's key prefix without its `:` (as the runtime's `prefix`). */
export function eventsWiring(
  redis: Redis,
  prefix: string,
  queue: Queue,
  settings: EventsSettings,
  log: Logger,
): EventsWiring {
  const outbox = new RedisEventOutbox(redis, storeKeys(`${prefix}:`));
  const jobs = new QueueEventJobs(queue, eventJobAttempts(settings.retryForMs));
  return {
    delivery: { outbox, jobs, post: (req) => postStandardWebhook(req) },
    store: {
      recorded: async (events) => {
        for (const e of events) {
          // Not enqueued now: the event waits in the outbox, and the next sweep enqueues it.
          await jobs
            .enqueue(e.deploymentId, e.version)
            .catch((err: unknown) =>
              log.warn({ deployment: e.deploymentId, err: errorMessage(err) }, 'could not enqueue an event'),
            );
        }
      },
    },
    deadLetters: () => outbox.deadLetterCount(),
  };
}
