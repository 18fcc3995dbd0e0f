/**
 * Deployment records, the per-service lock and the audit trail, on Redis.
 *
 * Concurrency: `update` is optimistic. It reads the record and the service lock, lets the caller
 * compute the next record, then commits through a compare-and-set script that writes only if both
 * are still byte-for-byte what was read (the same guarantee as WATCH + MULTI/EXEC, but safe on a
 * connection shared by concurrent callers, where WATCH is not). On conflict it re-reads and calls
 * the caller's function again. The lock, the active set, the audit stream and (with the events
 * webhook on) the event outbox change in the same atomic step as the record, so they can never
 * disagree with it.
 */
import type { Redis } from 'ioredis';
import type { CreateResult, DeploymentRepository, UpdateOutcome } from '../app/ports/store.js';
import { type AuditEntry, type Deployment, isTerminal } from '../domain/deployment.js';
import { CorruptRecordError, StoreConflictError, StoreMisuseError } from '../errors.js';
import { AUDIT_MAXLEN, auditFields, auditFromHistory, creationAudit, readAuditStream } from './audit-log.js';
import { deploymentSchema, issueLines, parseDeployment } from './deployment-schema.js';
import { type OutboxAppend, outboxAppends } from './event-outbox.js';
import { DEFAULT_PREFIX, type StoreKeys, storeKeys } from './keys.js';
import { CREATE_SCRIPT, UPDATE_SCRIPT } from './scripts.js';

export interface DeploymentStoreOptions {
  /** Key prefix (default `gl:`). */
  prefix?: string;
  /** How many times `update` tries before giving up with `StoreConflictError` (default 20). */
  maxAttempts?: number;
  /** Called for each corrupt record skipped by the list methods (`get`/`update` throw instead). */
  onCorrupt?: (err: CorruptRecordError) => void;
  /**
   * The events webhook is on: every transition is also appended to the event outbox
   * (src/store/event-outbox.ts) in the same atomic step, and `recorded` is called after the write
   * with the events it added (to enqueue their delivery). Its failure never fails the write: the
   * events wait in the outbox, and the sweep enqueues them.
   */
  events?: { recorded?: (events: RecordedEvent[]) => Promise<void> };
}

/** An event the store appended to the outbox. */
export interface RecordedEvent {
  deploymentId: string;
  version: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class DeploymentStore implements DeploymentRepository {
  readonly keys: StoreKeys;
  private readonly maxAttempts: number;
  private readonly onCorrupt: (err: CorruptRecordError) => void;
  private readonly events: DeploymentStoreOptions['events'];

  constructor(
    private readonly redis: Redis,
    opts: DeploymentStoreOptions = {},
  ) {
    this.keys = storeKeys(opts.prefix ?? DEFAULT_PREFIX);
    this.maxAttempts = opts.maxAttempts ?? 20;
    this.onCorrupt = opts.onCorrupt ?? (() => {});
    this.events = opts.events;
  }

  /** The outbox entries of a write: none unless the events webhook is on. */
  private appends(d: Deployment, added: Deployment['history']): OutboxAppend[] {
    return this.events ? outboxAppends(d, added) : [];
  }

  /** After a write that appended events: hands them on, never failing the write. */
  private async recorded(appends: OutboxAppend[], deploymentId: string): Promise<void> {
    if (appends.length === 0 || !this.events?.recorded) return;
    const events = appends.map(([, version]) => ({ deploymentId, version: Number(version) }));
    await this.events.recorded(events).catch(() => undefined);
  }

  /**
   * Atomically takes the service lock for `d` (only if free) and stores the record, its indexes
   * and a `created` audit entry. When the service is locked, nothing is written and the holder is
   * reported (`holder` is null when the holder's record is missing or unreadable).
   */
  async createWithLock(d: Deployment): Promise<CreateResult> {
    if (isTerminal(d.state))
      throw new StoreMisuseError(`cannot create deployment ${d.id} in terminal state ${d.state}`);
    const json = serialize(d);
    const k = this.keys;
    const entries = creationAudit(d).map(auditFields);
    const appends = this.appends(d, d.history);
    const reply = (await this.redis.eval(
      CREATE_SCRIPT,
      8,
      k.lock(d.service),
      k.deployment(d.id),
      k.serviceDeployments(d.service),
      k.active(),
      k.audit(d.service),
      k.eventOutbox(),
      k.eventPending(d.id),
      k.eventDeployments(),
      d.id,
      json,
      String(d.createdAt),
      String(AUDIT_MAXLEN),
      JSON.stringify(entries),
      JSON.stringify(appends),
    )) as string[];
    if (reply[0] === 'ok') {
      await this.recorded(appends, d.id);
      return { ok: true };
    }
    if (reply[0] === 'exists') throw new StoreMisuseError(`deployment ${d.id} already exists`);
    const holderId = reply[1]!;
    let holder: Deployment | null = null;
    try {
      holder = await this.get(holderId);
    } catch (err) {
      if (!(err instanceof CorruptRecordError)) throw err;
      this.onCorrupt(err);
    }
    return { ok: false, holder, holderId };
  }

  /** The record, or null when absent. Throws `CorruptRecordError` when it cannot be read. */
  async get(id: string): Promise<Deployment | null> {
    const key = this.keys.deployment(id);
    const raw = await this.redis.get(key);
    return raw === null ? null : parseDeployment(raw, key);
  }

  /**
   * Reads the record, calls `fn` (pure; called again if someone else wrote in between) and, when
   * it returns a `next` record, commits it together with the lock, active-set and audit changes
   * implied by the state change. Leaving a terminal state needs the service lock: if another
   * deployment holds it, nothing is written and `lockedBy` names the holder.
   */
  async update<T>(
    id: string,
    fn: (current: Deployment) => { next: Deployment | null; result: T },
  ): Promise<UpdateOutcome<T>> {
    const recordKey = this.keys.deployment(id);
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const raw = await this.redis.get(recordKey);
      if (raw === null) return { found: false };
      const current = parseDeployment(raw, recordKey);
      const lockKey = this.keys.lock(current.service);
      const lock = await this.redis.get(lockKey);

      const { next, result } = fn(current);
      if (next === null) return { found: true, written: false, deployment: current, result };
      if (next.id !== current.id || next.service !== current.service) {
        throw new StoreMisuseError(`update of ${id} may not change the deployment's id or service`);
      }

      let lockOp: 'keep' | 'release' | 'take' = 'keep';
      if (isTerminal(next.state)) lockOp = 'release';
      else if (isTerminal(current.state) && lock !== id) {
        if (lock !== null)
          return { found: true, written: false, deployment: current, result, lockedBy: lock };
        lockOp = 'take';
      }
      const newEntries = next.history.slice(current.history.length);
      const added = newEntries.map((h) => auditFields(auditFromHistory(id, h)));
      const appends = this.appends(next, newEntries);

      const reply = await this.redis.eval(
        UPDATE_SCRIPT,
        7,
        recordKey,
        lockKey,
        this.keys.active(),
        this.keys.audit(current.service),
        this.keys.eventOutbox(),
        this.keys.eventPending(id),
        this.keys.eventDeployments(),
        raw,
        lock ?? '',
        serialize(next),
        lockOp,
        id,
        isTerminal(next.state) ? 'rem' : 'add',
        String(AUDIT_MAXLEN),
        JSON.stringify(added),
        JSON.stringify(appends),
      );
      if (reply === 'ok') {
        await this.recorded(appends, id);
        return { found: true, written: true, deployment: next, result };
      }
      if (attempt < this.maxAttempts) await sleep(Math.random() * Math.min(25, 2 ** attempt));
    }
    throw new StoreConflictError(id, this.maxAttempts);
  }

  /** Id of the deployment holding the service's lock, or null when the service is free. */
  lockHolder(service: string): Promise<string | null> {
    return this.redis.get(this.keys.lock(service));
  }

  /** The service's newest `limit` deployments, newest first (corrupt records are skipped). */
  async listByService(service: string, limit: number): Promise<Deployment[]> {
    if (limit <= 0) return [];
    const ids = await this.redis.zrevrange(this.keys.serviceDeployments(service), 0, limit - 1);
    return this.loadMany(ids);
  }

  /** Every deployment not in a terminal state, oldest first (corrupt records are skipped). */
  async listActive(): Promise<Deployment[]> {
    const ids = await this.redis.smembers(this.keys.active());
    const all = await this.loadMany(ids);
    return all
      .filter((d) => !isTerminal(d.state))
      .sort((a, b) => a.createdAt - b.createdAt || cmp(a.id, b.id));
  }

  /** The service's newest `limit` audit entries, newest first. */
  readAudit(service: string, limit: number): Promise<AuditEntry[]> {
    return readAuditStream(this.redis, this.keys.audit(service), limit);
  }

  private async loadMany(ids: string[]): Promise<Deployment[]> {
    if (ids.length === 0) return [];
    const keys = ids.map((id) => this.keys.deployment(id));
    const raws = await this.redis.mget(...keys);
    const out: Deployment[] = [];
    raws.forEach((raw, i) => {
      if (raw === null) return;
      try {
        out.push(parseDeployment(raw, keys[i]!));
      } catch (err) {
        if (!(err instanceof CorruptRecordError)) throw err;
        this.onCorrupt(err);
      }
    });
    return out;
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** JSON of a record, refusing to store anything the store could not read back. */
function serialize(d: Deployment): string {
  const checked = deploymentSchema.safeParse(d);
  if (!checked.success) {
    throw new StoreMisuseError(
      `refusing to store invalid deployment ${d.id}: ${issueLines(checked.error).join('; ')}`,
    );
  }
  return JSON.stringify(d);
}
