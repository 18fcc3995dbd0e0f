/**
 * A short Redis lock per listener, held while a job rewrites its forwards. The service lock keeps
 * one deployment per service; two services whose forwards live on the same listener (its
 * default action and rules) would otherwise read-modify-write the same action list at once.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DEFAULT_PREFIX } from './keys.js';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class ListenerBusyError extends Error {
  override name = 'ListenerBusyError';
}

export class ListenerLock {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = DEFAULT_PREFIX,
    private readonly opts: { ttlMs?: number; waitMs?: number; retryMs?: number } = {},
  ) {}

  /** Runs `fn` holding every listener's lock (taken in sorted order, so two callers never deadlock). */
  async withListeners<T>(listenerArns: readonly string[], fn: () => Promise<T>): Promise<T> {
    const keys = [...new Set(listenerArns)].sort().map((arn) => `${this.prefix}listener-lock:${arn}`);
    const token = randomBytes(8).toString('hex');
    const held: string[] = [];
    try {
      for (const key of keys) {
        await this.acquire(key, token);
        held.push(key);
      }
      return await fn();
    } finally {
      for (const key of held.reverse()) await this.redis.eval(RELEASE, 1, key, token).catch(() => 0);
    }
  }

  private async acquire(key: string, token: string): Promise<void> {
    const ttl = this.opts.ttlMs ?? 120_000;
    const deadline = Date.now() + (this.opts.waitMs ?? 30_000);
    for (;;) {
      if ((await this.redis.set(key, token, 'PX', ttl, 'NX')) === 'OK') return;
      if (Date.now() > deadline) {
        throw new ListenerBusyError(
          `another deployment is rewriting the forwards of ${key.split('listener-lock:')[1]}`,
        );
      }
      await new Promise((r) => setTimeout(r, this.opts.retryMs ?? 100));
    }
  }
}
