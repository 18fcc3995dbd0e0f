/**
 * What the forgotten-environment scan remembers between runs, in Redis: when it first saw each slot
 * idle, which reports it already sent today, and a lease so that one process scans at a time. Lost
 * with the rest of Redis' data — which only makes the next scan report sooner, never later.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DELETE_IF_EQUAL_SCRIPT } from './scripts.js';

export class ScanMarks {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private idleKey(): string {
    return `${this.prefix}scan:idle-since`;
  }

  /** When a scan first saw `service/slot` idle (now, when this is the first time). */
  async idleSince(service: string, slot: string, now: number): Promise<number> {
    const field = `${service}/${slot}`;
    await this.redis.hsetnx(this.idleKey(), field, String(now));
    const seen = Number(await this.redis.hget(this.idleKey(), field));
    return Number.isFinite(seen) ? seen : now;
  }

  /** Forgets the idle time of slots that carry traffic again or no longer run. */
  async clearIdle(service: string, slots: string[]): Promise<void> {
    if (slots.length > 0) await this.redis.hdel(this.idleKey(), ...slots.map((s) => `${service}/${s}`));
  }

  async wasReported(key: string): Promise<boolean> {
    return (await this.redis.exists(`${this.prefix}scan:reported:${key}`)) === 1;
  }

  async markReported(key: string, ttlMs: number): Promise<void> {
    await this.redis.set(`${this.prefix}scan:reported:${key}`, '1', 'PX', ttlMs);
  }

  /** True once for a mark set with markReported (read and deleted at once). */
  async take(key: string): Promise<boolean> {
    return (await this.redis.getdel(`${this.prefix}scan:reported:${key}`)) !== null;
  }

  /** A lease: a token for the one process that gets it (until it expires), else null. */
  async lease(name: string, ttlMs: number): Promise<string | null> {
    const token = randomBytes(8).toString('hex');
    const set = await this.redis.set(`${this.prefix}lease:${name}`, token, 'PX', ttlMs, 'NX');
    return set === 'OK' ? token : null;
  }

  /** Ends the lease — only if it is still this token's (an expired one may be another's now). */
  async release(name: string, token: string): Promise<void> {
    await this.redis.eval(DELETE_IF_EQUAL_SCRIPT, 1, `${this.prefix}lease:${name}`, token);
  }
}
