/**
 * The events webhook as the jobs see it: the outbox of transitions the store records in the same
 * atomic step as each state change (src/store/event-outbox.ts), the queue jobs that deliver them
 * (src/queue/event-jobs.ts), and one signed POST (src/hooks/standard-webhook.ts).
 */

/** A transition waiting in the outbox. */
export interface OutboxEvent {
  /** `<deploymentId>-v<version>`: the webhook-id. */
  id: string;
  deploymentId: string;
  /** The record version the transition produced: the order of a deployment's events. */
  version: number;
  /** When the transition happened (epoch ms): the retry bound counts from here. */
  at: number;
  /** The JSON body, sent as stored. */
  body: string;
}

/** The receiver answered 410 Gone: delivery to its URL stays off until the URL changes or the mark is removed. */
export interface EndpointDisabled {
  /** When the 410 came (epoch ms). */
  at: number;
  status: number;
  /** The start of its answer. */
  excerpt: string;
}

export interface EventOutbox {
  /** A deployment's events not yet delivered nor dead-lettered, oldest first. */
  pending(deploymentId: string): Promise<OutboxEvent[]>;
  /** Whether the event is still waiting (not delivered by another job meanwhile). */
  isPending(event: OutboxEvent): Promise<boolean>;
  /** Removes a delivered event. */
  delivered(event: OutboxEvent): Promise<void>;
  /** Moves an event to the dead letters, with why it was given up (kept capped by count and age). */
  deadLetter(event: OutboxEvent, error: string, at: number): Promise<void>;
  /** Drops the dead letters past their kept age (each new dead letter does too). */
  trimDeadLetters(now: number): Promise<void>;
  /** Deployments that have events waiting. */
  deploymentsWithPending(): Promise<string[]>;
  /**
   * Takes (or renews) the right to send a deployment's events for `ttlMs`, for `holder`: one
   * sender at a time per deployment, so its events go out in order and once. False: another holds it.
   */
  lease(deploymentId: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the right up (only when `holder` still has it). */
  release(deploymentId: string, holder: string): Promise<void>;
  /** Marks delivery to `url` off: it answered 410 Gone. */
  disableEndpoint(url: string, why: EndpointDisabled): Promise<void>;
  /**
   * Why delivery to `url` is off, or null. A mark left for another URL is removed: the configured
   * URL changed, and the new one gets the events.
   */
  endpointDisabled(url: string): Promise<EndpointDisabled | null>;
}

export interface EventJobs {
  /** Adds the delivery job of an event (a no-op when its job exists). */
  enqueue(deploymentId: string, version: number): Promise<void>;
  /** As `enqueue`, and brings back a job that failed or finished while its event still waits. */
  ensure(deploymentId: string, version: number): Promise<void>;
}

export interface SignedEventRequest {
  url: string;
  id: string;
  body: string;
  secret: string;
  timeoutMs: number;
}

export interface SignedEventAttempt {
  ok: boolean;
  /** HTTP status, or null when no answer came. */
  status: number | null;
  /** The start of the answer, or the network error. */
  excerpt: string;
  durationMs: number;
  /** How long the answer's `Retry-After` asks to wait (ms from now), when it has a valid one. */
  retryAfterMs?: number;
}

export interface EventDelivery {
  outbox: EventOutbox;
  jobs: EventJobs;
  /** One attempt, signed (Standard Webhooks); never throws. */
  post(req: SignedEventRequest): Promise<SignedEventAttempt>;
}
