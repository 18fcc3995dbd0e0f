/**
 * What the use cases need from storage: deployment records with the per-service lock (written in
 * one atomic step, src/store/deployment-store.ts) and the fenced lock on the forwards a switch
 * rewrites (src/store/forward-lock.ts).
 */
import type { AuditEntry, Deployment } from '../../domain/deployment.js';

export type CreateResult = { ok: true } | { ok: false; holder: Deployment | null; holderId: string };

export type UpdateOutcome<T> =
  | { found: false }
  | { found: true; written: boolean; deployment: Deployment; result: T; lockedBy?: string };

export interface DeploymentRepository {
  /** Takes the service lock for `d` (only if free) and stores the record, atomically. */
  createWithLock(d: Deployment): Promise<CreateResult>;
  get(id: string): Promise<Deployment | null>;
  /**
   * Reads the record, calls `fn` (pure; called again if someone else wrote in between) and commits
   * its `next` record with the lock, active-set and audit changes the state change implies.
   */
  update<T>(
    id: string,
    fn: (current: Deployment) => { next: Deployment | null; result: T },
  ): Promise<UpdateOutcome<T>>;
  /** Id of the deployment holding the service's lock, or null when the service is free. */
  lockHolder(service: string): Promise<string | null>;
  /** The service's newest `limit` deployments, newest first. */
  listByService(service: string, limit: number): Promise<Deployment[]>;
  /** Every deployment not in a terminal state, oldest first. */
  listActive(): Promise<Deployment[]>;
  /** The service's newest `limit` audit entries, newest first. */
  readAudit(service: string, limit: number): Promise<AuditEntry[]>;
}

export interface Fence {
  /** The fencing token of this hold (increases with every take). */
  readonly token: number;
  /** Throws LockLostError unless every lock is still held with this token; renews them. */
  check(): Promise<void>;
}

export interface ForwardLock {
  /**
   * Runs `fn` holding the lock of every listed forward site (a rule, or a listener's default
   * actions: `forwardSiteKey`) for `owner` (a deployment id), taken all at once; throws
   * ListenerBusyError when another owner holds any of them.
   */
  withSites<T>(sites: readonly string[], owner: string, fn: (fence: Fence) => Promise<T>): Promise<T>;
}
