/**
 * Redis key layout of the store. Everything lives under one prefix (default `gl:`), so several
 * installations (or tests) can share a Redis without seeing each other.
 */

export const DEFAULT_PREFIX = 'gl:';

export interface StoreKeys {
  prefix: string;
  /** JSON string: one deployment record. */
  deployment(id: string): string;
  /** String: id of the deployment holding the service (absent when the service is free). */
  lock(service: string): string;
  /** Sorted set: deployment ids of a service, scored by `createdAt`. */
  serviceDeployments(service: string): string;
  /** Set: ids of deployments that are not in a terminal state. */
  active(): string;
  /** Stream: audit trail of a service (one entry per state transition). */
  audit(service: string): string;
  /** Hash: event id → outbox entry (JSON) of every transition not yet sent to the events webhook. */
  eventOutbox(): string;
  /** Sorted set: a deployment's waiting event ids, scored by record version. */
  eventPending(deploymentId: string): string;
  /** Set: ids of deployments with events waiting (what the sweep walks). */
  eventDeployments(): string;
  /**
   * Sorted set: dead letters (JSON), scored by when each was given up: events the webhook gave up
   * on, kept for people, capped by count and age (src/store/event-outbox.ts).
   */
  eventDead(): string;
  /** String (with a TTL): the delivery job sending a deployment's events now. */
  eventLease(deploymentId: string): string;
  /** String (JSON): the events endpoint answered 410 Gone; no delivery until its URL changes or this goes. */
  eventDisabled(): string;
}

export function storeKeys(prefix: string = DEFAULT_PREFIX): StoreKeys {
  return {
    prefix,
    deployment: (id) => `${prefix}deployment:${id}`,
    lock: (service) => `${prefix}lock:${service}`,
    serviceDeployments: (service) => `${prefix}service:${service}:deployments`,
    active: () => `${prefix}active`,
    audit: (service) => `${prefix}audit:${service}`,
    eventOutbox: () => `${prefix}events:outbox`,
    eventPending: (deploymentId) => `${prefix}events:pending:${deploymentId}`,
    eventDeployments: () => `${prefix}events:deployments`,
    eventDead: () => `${prefix}events:dead-letters`,
    eventLease: (deploymentId) => `${prefix}events:lease:${deploymentId}`,
    eventDisabled: () => `${prefix}events:disabled`,
  };
}
