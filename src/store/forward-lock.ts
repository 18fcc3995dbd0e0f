/**
 * The lock held while a job rewrites forwards, with a fencing token. What is locked is what is
 * written: each forward site (a rule, or a listener's default actions; `forwardSiteKey` in
 * src/domain/forwards.ts), not the listener. Services with their own rules on a shared listener
 * switch in parallel; two services whose switches rewrite the same action list serialize (each
 * Modify replaces the whole list, so they would otherwise read-modify-write it at once).
 *
 * The service lock keeps one deployment per service. This lock is owned by a *deployment*, not a
 * process: the same deployment's re-run (a retry after a crash, another
 * replica) takes it over at once, with a new fencing token, while another deployment waits.
 *
 * Fencing: a holder calls `fence.check()` right before every write to the load balancer. It
 * fails (`LockLostError`) when any lock is no longer held with this holder's token — taken over by
 * a newer run of the deployment, or expired while the holder was frozen (GC pause, container
 * pause, partition) and taken by someone else — so a stale holder can never write over newer
 * work. The check also renews the locks, and a timer renews them while the holder works.
 * (AWS has no conditional writes: the window between a check and the call that follows it is what
 * remains; keeping it to one call is what the check before each write does.)
 */
import type { Redis } from 'ioredis';
import type { Fence, ForwardLock } from '../app/ports/store.js';
import { ListenerBusyError, LockLostError } from '../errors.js';
import { DEFAULT_PREFIX } from './keys.js';

/**
 * KEYS: the forward-site locks, then the fence counter. ARGV: owner, ttl ms.
 * All free or owned by `owner` → take them all with a new fence: {1, fence}; else {0, holder}.
 */
const ACQUIRE = `
local n = #KEYS - 1
local prefix = ARGV[1] .. '|'
for i = 1, n do
  local v = redis.call('GET', KEYS[i])
  if v and string.sub(v, 1, #prefix) ~= prefix then return {0, v} end
end
local fence = redis.call('INCR', KEYS[#KEYS])
for i = 1, n do redis.call('SET', KEYS[i], prefix .. fence, 'PX', ARGV[2]) end
return {1, tostring(fence)}
`;

/** KEYS: the locks. ARGV: value, ttl. 1 and renewed when every lock still holds `value`, else 0. */
const CHECK = `
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) ~= ARGV[1] then return 0 end
end
for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
return 1
`;

/** KEYS: the locks. ARGV: value. Deletes those that still hold `value`. */
const RELEASE = `
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
return 1
`;

export interface ForwardLockOptions {
  /**
   * Lock lifetime without renewal (default 10 s; renewed every third of it while held): a holder
   * that died frees the listeners within 10 s.
   */
  ttlMs?: number;
  /**
   * How long to wait for another deployment's hold to end (default 0: a job never waits holding a
   * worker; the worker puts it back as a delayed job that runs again shortly, see worker.ts).
   */
  waitMs?: number;
  retryMs?: number;
}

export class RedisForwardLock implements ForwardLock {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = DEFAULT_PREFIX,
    private readonly opts: ForwardLockOptions = {},
  ) {}

  private keys(sites: readonly string[]): string[] {
    return [...new Set(sites)].sort().map((site) => `${this.prefix}forward-lock:${site}`);
  }

  /**
   * Runs `fn` holding the lock of every forward site for `owner` (a deployment id). Taken all at
   * once (no partial hold, no deadlock); another owner's hold on any of them is ListenerBusyError
   * (after `waitMs`). No sites: `fn` runs with a fence that checks nothing.
   */
  async withSites<T>(sites: readonly string[], owner: string, fn: (fence: Fence) => Promise<T>): Promise<T> {
    const keys = this.keys(sites);
    const ttl = this.opts.ttlMs ?? 10_000;
    const token = await this.acquire(keys, owner, ttl);
    const value = `${owner}|${token}`;
    const check = async () => {
      const held = await this.redis.eval(CHECK, keys.length, ...keys, value, String(ttl));
      if (held !== 1)
        throw new LockLostError(`the lock of ${sites.join(', ')} is no longer held by this run`);
    };
    const renew = setInterval(() => void check().catch(() => {}), Math.max(100, Math.floor(ttl / 3)));
    renew.unref();
    try {
      return await fn({ token, check });
    } finally {
      clearInterval(renew);
      await this.redis.eval(RELEASE, keys.length, ...keys, value).catch(() => 0);
    }
  }

  /** Who holds the lock of a forward site now (`deploymentId|token`), or null. */
  holder(site: string): Promise<string | null> {
    return this.redis.get(`${this.prefix}forward-lock:${site}`);
  }

  private async acquire(keys: string[], owner: string, ttl: number): Promise<number> {
    const deadline = Date.now() + (this.opts.waitMs ?? 0);
    for (;;) {
      const [ok, what] = (await this.redis.eval(
        ACQUIRE,
        keys.length + 1,
        ...keys,
        `${this.prefix}forward-fence`,
        owner,
        String(ttl),
      )) as [number, string];
      if (ok === 1) return Number(what);
      if (Date.now() >= deadline) {
        const holder = what.split('|')[0] ?? what;
        throw new ListenerBusyError(`deployment ${holder} is rewriting the forwards this one must write`);
      }
      await new Promise((r) => setTimeout(r, this.opts.retryMs ?? 100));
    }
  }
}
