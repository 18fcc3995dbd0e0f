/**
 * The event outbox of the events webhook, on Redis. The store appends every transition to it in
 * the same Lua script that writes the state change (src/store/scripts.ts), so a process that
 * dies right after the write loses nothing: the event waits here until a delivery job sends it
 * (enqueued after the write, and again by the sweep, src/jobs/event-delivery-job.ts).
 *
 *   events:outbox              hash   event id → entry JSON {deploymentId, version, at, body}
 *   events:pending:<deployment> zset  its waiting event ids, scored by record version (the order)
 *   events:deployments         set    deployments with events waiting (what the sweep walks)
 *   events:dead                hash   event id → dead letter JSON (entry + error + deadAt)
 *   events:lease:<deployment>  string the delivery job sending that deployment's events (TTL)
 *
 * Delivered events are removed; dead letters are kept until someone deletes them.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { EventOutbox, OutboxEvent } from '../app/ports/events.js';
import type { Deployment, HistoryEntry } from '../domain/deployment.js';
import { transitionEvent } from '../hooks/transition-event.js';
import type { StoreKeys } from './keys.js';

/** What the store hands its Lua script per event: [event id, version, entry JSON]. */
export type OutboxAppend = [string, string, string];

/**
 * The outbox entries of the history entries `added` to `d` (the record as written, version
 * `d.version`): each transition bumps the version by one, so the last added entry made
 * `d.version`, the one before `d.version - 1`, and so on.
 */
export function outboxAppends(d: Deployment, added: readonly HistoryEntry[]): OutboxAppend[] {
  return added.map((entry, i) => {
    const version = d.version - (added.length - 1 - i);
    const event = transitionEvent(d, entry, version);
    const stored: Omit<OutboxEvent, 'id'> = {
      deploymentId: d.id,
      version,
      at: entry.at,
      body: JSON.stringify(event),
    };
    return [event.id, String(version), JSON.stringify(stored)];
  });
}

const storedEntry = z.object({
  deploymentId: z.string(),
  version: z.number().int(),
  at: z.number(),
  body: z.string(),
});

/**
 * KEYS: outbox hash, deployment's pending zset, deployments set, dead-letter hash.
 * ARGV: event id, deployment id, dead letter JSON ('' = delivered, nothing kept).
 */
const REMOVE_SCRIPT = `
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('SREM', KEYS[3], ARGV[2]) end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[4], ARGV[1], ARGV[3]) end
return 'ok'
`;

/** KEYS: lease. ARGV: holder, ttl ms. Takes a free lease or renews one's own: 1, else 0. */
const LEASE_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if cur == false or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

/** KEYS: lease. ARGV: holder. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 'ok'
`;

export interface DeadLetter extends OutboxEvent {
  error: string;
  deadAt: number;
}

export class RedisEventOutbox implements EventOutbox {
  constructor(
    private readonly redis: Redis,
    private readonly keys: StoreKeys,
  ) {}

  async pending(deploymentId: string): Promise<OutboxEvent[]> {
    const ids = await this.redis.zrange(this.keys.eventPending(deploymentId), 0, -1);
    if (ids.length === 0) return [];
    const raws = await this.redis.hmget(this.keys.eventOutbox(), ...ids);
    const out: OutboxEvent[] = [];
    raws.forEach((raw, i) => {
      const id = ids[i] as string;
      const entry = raw === null ? null : parseEntry(raw);
      // An entry that cannot be read cannot be sent: kept as a dead letter (as it was), so that it
      // does not hold the deployment's later events back.
      if (entry === null) {
        const dead = { id, deploymentId, error: 'unreadable outbox entry', raw, deadAt: Date.now() };
        this.remove(id, deploymentId, JSON.stringify(dead)).catch(() => undefined);
        return;
      }
      out.push({ id, ...entry });
    });
    return out.sort((a, b) => a.version - b.version);
  }

  async isPending(event: OutboxEvent): Promise<boolean> {
    return (await this.redis.zscore(this.keys.eventPending(event.deploymentId), event.id)) !== null;
  }

  delivered(event: OutboxEvent): Promise<void> {
    return this.remove(event.id, event.deploymentId, '');
  }

  deadLetter(event: OutboxEvent, error: string, at: number): Promise<void> {
    const dead: DeadLetter = { ...event, error, deadAt: at };
    return this.remove(event.id, event.deploymentId, JSON.stringify(dead));
  }

  deploymentsWithPending(): Promise<string[]> {
    return this.redis.smembers(this.keys.eventDeployments());
  }

  async lease(deploymentId: string, holder: string, ttlMs: number): Promise<boolean> {
    const ttl = String(Math.max(1, Math.ceil(ttlMs)));
    return (await this.redis.eval(LEASE_SCRIPT, 1, this.keys.eventLease(deploymentId), holder, ttl)) === 1;
  }

  async release(deploymentId: string, holder: string): Promise<void> {
    await this.redis.eval(RELEASE_SCRIPT, 1, this.keys.eventLease(deploymentId), holder);
  }

  /** How many dead letters are kept. */
  deadLetterCount(): Promise<number> {
    return this.redis.hlen(this.keys.eventDead());
  }

  /** Every dead letter, oldest first. */
  async deadLetters(): Promise<DeadLetter[]> {
    const all = await this.redis.hgetall(this.keys.eventDead());
    return Object.values(all)
      .map((raw) => JSON.parse(raw) as DeadLetter)
      .sort((a, b) => a.deadAt - b.deadAt || a.version - b.version);
  }

  private async remove(id: string, deploymentId: string, dead: string): Promise<void> {
    const k = this.keys;
    await this.redis.eval(
      REMOVE_SCRIPT,
      4,
      k.eventOutbox(),
      k.eventPending(deploymentId),
      k.eventDeployments(),
      k.eventDead(),
      id,
      deploymentId,
      dead,
    );
  }
}

function parseEntry(raw: string): Omit<OutboxEvent, 'id'> | null {
  try {
    const parsed = storedEntry.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
