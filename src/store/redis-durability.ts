/**
 * Is Redis keeping what we write? Two checks, both read-only and both available on managed Redis
 * (ElastiCache and MemoryDB disable CONFIG, not INFO):
 *
 * - Settings (`INFO persistence`, `INFO memory`): append-only persistence on (`aof_enabled:1`), so
 *   a restart replays every write; and `maxmemory_policy:noeviction`, so a full Redis refuses writes
 *   rather than evicting deployment records, locks or BullMQ's delayed jobs (BullMQ requires it:
 *   docs/platform-facts.md, "BullMQ and Redis").
 * - A sentinel key written once per dataset, with a random generation. A process remembers the
 *   generation it saw: the key gone, or a different generation, means the data it stood for is gone
 *   (a restart without persistence, a failover to an empty replica, a FLUSHALL, an eviction).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface RedisSettings {
  /** `aof_enabled` from INFO persistence; null when Redis does not report it. */
  appendOnly: boolean | null;
  /** `maxmemory_policy` from INFO memory; null when Redis does not report it. */
  maxmemoryPolicy: string | null;
}

/** `key:value` lines of an INFO section (comments and blanks skipped). */
export function parseInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.indexOf(':');
    if (at > 0) out.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return out;
}

export async function readRedisSettings(redis: Redis): Promise<RedisSettings> {
  const persistence = parseInfo(await redis.info('persistence'));
  const memory = parseInfo(await redis.info('memory'));
  const aof = persistence.get('aof_enabled');
  return {
    appendOnly: aof === undefined ? null : aof === '1',
    maxmemoryPolicy: memory.get('maxmemory_policy') ?? null,
  };
}

/** What is wrong with these settings, in words an operator can act on (empty: nothing). */
export function settingsProblems(s: RedisSettings, opts: { managedDurability?: boolean } = {}): string[] {
  const problems: string[] = [];
  if (s.appendOnly === false && !opts.managedDurability) {
    problems.push(
      'append-only persistence is off (appendonly no): a Redis restart loses every deployment record, lock and scheduled teardown; set appendonly yes (ElastiCache: see the README, "Redis settings")',
    );
  }
  if (s.maxmemoryPolicy !== null && s.maxmemoryPolicy !== 'noeviction') {
    problems.push(
      `maxmemory-policy is ${s.maxmemoryPolicy}: a full Redis would evict deployment records and scheduled jobs; set maxmemory-policy noeviction`,
    );
  }
  return problems;
}

export type SentinelReading =
  /** The generation this process saw before is still there. */
  | { status: 'ok'; generation: string }
  /** This process saw none before and found or created one (a first start, or data lost before it). */
  | { status: 'first'; generation: string; created: boolean }
  /** The generation this process saw is gone: the data it stood for was lost. */
  | { status: 'lost'; generation: string; previous: string };

export class DataSentinel {
  private seen: string | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly newGeneration: () => string = () => randomBytes(8).toString('hex'),
  ) {}

  /** The generation this process knows (undefined before the first check). */
  get generation(): string | undefined {
    return this.seen;
  }

  async check(): Promise<SentinelReading> {
    let current = await this.redis.get(this.key);
    let created = false;
    if (current === null) {
      // Every process that finds it missing races to write one; they all agree on the winner's.
      created = (await this.redis.set(this.key, this.newGeneration(), 'NX')) === 'OK';
      current = await this.redis.get(this.key);
      if (current === null) throw new Error('the sentinel key vanished right after it was written');
    }
    const previous = this.seen;
    this.seen = current;
    if (previous === undefined) return { status: 'first', generation: current, created };
    if (previous === current) return { status: 'ok', generation: current };
    return { status: 'lost', generation: current, previous };
  }
}
