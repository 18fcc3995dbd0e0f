/**
 * The event outbox of the events webhook, on Redis. The store appends every transition to it in
 * the same Lua script that writes the state change (src/store/scripts.ts), so a process that
 * dies right after the write loses nothing: the event waits here until a delivery job sends it
 * (enqueued after the write, and again by the sweep, src/jobs/event-delivery-job.ts).
 *
 *   events:outbox               hash   event id → entry JSON {deploymentId, version, at, body}
 *   events:pending:<deployment> zset   its waiting event ids, scored by record version (the order)
 *   events:deployments          set    deployments with events waiting (what the sweep walks)
 *   events:dead-letters         zset   dead letter JSON (entry + error + deadAt), scored by deadAt
 *   events:lease:<deployment>   string the delivery job sending that deployment's events (TTL)
 *   events:disabled             string the 410 Gone that turned delivery off (JSON, with the
 *                                      SHA-256 of the URL it came from; never the URL itself)
 *
 * Delivered events are removed. Dead letters are capped: the newest `DEAD_LETTER_MAX` (10 000) are
 * kept, none older than `DEAD_LETTER_MAX_AGE_MS` (30 days), trimmed in the step that adds one and
 * at every sweep.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { EndpointDisabled, EventOutbox, OutboxEvent } from '../app/ports/events.js';
import type { Deployment, HistoryEntry } from '../domain/deployment.js';
import { transitionEvent } from '../domain/transition-event.js';
import type { StoreKeys } from './keys.js';
import { DELETE_IF_EQUAL_SCRIPT } from './scripts.js';

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

/** Dead letters kept at most: the newest. */
export const DEAD_LETTER_MAX = 10_000;
/** Dead letters older than this are dropped. */
export const DEAD_LETTER_MAX_AGE_MS = 30 * 24 * 3_600_000;

/**
 * KEYS: outbox hash, deployment's pending zset, deployments set, dead-letter zset.
 * ARGV: event id, deployment id, dead letter JSON ('' = delivered, nothing kept), deadAt, the most
 * dead letters kept, the oldest deadAt kept. A dead letter is added only when this step removed
 * the entry: an event two jobs gave up on is kept once.
 */
const REMOVE_SCRIPT = `
local removed = redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('SREM', KEYS[3], ARGV[2]) end
if ARGV[3] ~= '' and removed == 1 then
  redis.call('ZADD', KEYS[4], ARGV[4], ARGV[3])
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. ARGV[6])
  redis.call('ZREMRANGEBYRANK', KEYS[4], 0, -(tonumber(ARGV[5]) + 1))
end
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

export interface DeadLetter extends OutboxEvent {
  error: string;
  deadAt: number;
}

const storedMark = z.object({
  urlSha256: z.string(),
  at: z.number(),
  status: z.number().int(),
  excerpt: z.string(),
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export interface EventOutboxOptions {
  /** The clock dead letters are dated by (the job context's). */
  now: () => number;
  maxDeadLetters?: number;
  deadLetterMaxAgeMs?: number;
}

export class RedisEventOutbox implements EventOutbox {
  private readonly now: () => number;
  private readonly maxDead: number;
  private readonly maxDeadAge: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: StoreKeys,
    opts: EventOutboxOptions,
  ) {
    this.now = opts.now;
    this.maxDead = opts.maxDeadLetters ?? DEAD_LETTER_MAX;
    this.maxDeadAge = opts.deadLetterMaxAgeMs ?? DEAD_LETTER_MAX_AGE_MS;
  }

  async pending(deploymentId: string): Promise<OutboxEvent[]> {
    const ids = await this.redis.zrange(this.keys.eventPending(deploymentId), 0, -1);
    if (ids.length === 0) return [];
    const raws = await this.redis.hmget(this.keys.eventOutbox(), ...ids);
    const out: OutboxEvent[] = [];
    for (const [i, raw] of raws.entries()) {
      const id = ids[i] as string;
      const entry = raw === null ? null : parseEntry(raw);
      // An entry that cannot be read cannot be sent: kept as a dead letter (as it was), so that it
      // does not hold the deployment's later events back.
      if (entry === null) {
        const deadAt = this.now();
        const dead = { id, deploymentId, error: 'unreadable outbox entry', raw, deadAt };
        await this.remove(id, deploymentId, JSON.stringify(dead), deadAt);
        continue;
      }
      out.push({ id, ...entry });
    }
    return out.sort((a, b) => a.version - b.version);
  }

  async isPending(event: OutboxEvent): Promise<boolean> {
    return (await this.redis.zscore(this.keys.eventPending(event.deploymentId), event.id)) !== null;
  }

  delivered(event: OutboxEvent): Promise<void> {
    return this.remove(event.id, event.deploymentId, '', 0);
  }

  deadLetter(event: OutboxEvent, error: string, at: number): Promise<void> {
    const dead: DeadLetter = { ...event, error, deadAt: at };
    return this.remove(event.id, event.deploymentId, JSON.stringify(dead), at);
  }

  async trimDeadLetters(now: number): Promise<void> {
    await this.redis.zremrangebyscore(this.keys.eventDead(), '-inf', `(${now - this.maxDeadAge}`);
  }

  deploymentsWithPending(): Promise<string[]> {
    return this.redis.smembers(this.keys.eventDeployments());
  }

  async lease(deploymentId: string, holder: string, ttlMs: number): Promise<boolean> {
    const ttl = String(Math.max(1, Math.ceil(ttlMs)));
    return (await this.redis.eval(LEASE_SCRIPT, 1, this.keys.eventLease(deploymentId), holder, ttl)) === 1;
  }

  async release(deploymentId: string, holder: string): Promise<void> {
    // Only the holder's: an expired lease may be another job's now.
    await this.redis.eval(DELETE_IF_EQUAL_SCRIPT, 1, this.keys.eventLease(deploymentId), holder);
  }

  async disableEndpoint(url: string, why: EndpointDisabled): Promise<void> {
    const mark = { urlSha256: sha256(url), at: why.at, status: why.status, excerpt: why.excerpt };
    await this.redis.set(this.keys.eventDisabled(), JSON.stringify(mark));
  }

  async endpointDisabled(url: string): Promise<EndpointDisabled | null> {
    const raw = await this.redis.get(this.keys.eventDisabled());
    if (raw === null) return null;
    const mark = parseMark(raw);
    if (mark !== null && mark.urlSha256 === sha256(url)) {
      return { at: mark.at, status: mark.status, excerpt: mark.excerpt };
    }
    // Left for another URL (events.url changed), or unreadable: the configured URL gets the events.
    // Removed only if nobody changed the mark since it was read.
    await this.redis.eval(DELETE_IF_EQUAL_SCRIPT, 1, this.keys.eventDisabled(), raw);
    return null;
  }

  /** How many dead letters are kept. */
  deadLetterCount(): Promise<number> {
    return this.redis.zcard(this.keys.eventDead());
  }

  /** Every dead letter kept, oldest first. */
  async deadLetters(): Promise<DeadLetter[]> {
    const raws = await this.redis.zrange(this.keys.eventDead(), 0, -1);
    return raws.map((raw) => JSON.parse(raw) as DeadLetter);
  }

  private async remove(id: string, deploymentId: string, dead: string, deadAt: number): Promise<void> {
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
      String(deadAt),
      String(this.maxDead),
      String(deadAt - this.maxDeadAge),
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

function parseMark(raw: string): z.infer<typeof storedMark> | null {
  try {
    const parsed = storedMark.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
