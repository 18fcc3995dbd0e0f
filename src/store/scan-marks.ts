/**
 * What the forgotten-environment scan remembers between runs, in Redis: when it first saw each slot
 * idle, which reports it already sent today, and a lease so that one process scans at a time. Lost
 * with the rest of Redis' data — which only makes the next scan report sooner, never later.
 */
import type { Redis } from 'ioredis';

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

  /** A lease: true for the one process that gets it until it expires. */
  async lease(name: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}lease:${name}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  async release(name: string): Promise<void> {
    await this.redis.del(`${this.prefix}lease:${name}`);
  }
}
