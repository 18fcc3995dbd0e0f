/**
 * Client-side request rate limits for ELBv2, one limiter per account and Region: the same token
 * buckets AWS applies (docs/aws-behaviour.md, "Throttling": `Describe*` 40 tokens at 10 a second,
 * mutating calls 20 at 3 a second, target registration 20 at 4 a second), so Greenlight stays under
 * AWS's limits by design rather than by being throttled. A call without a token waits for one;
 * waiting calls are served by priority (src/ops/call-priority.ts: a rollback, a cutover, a
 * precheck, then background work), then in order, and the last few tokens of a bucket are kept
 * for rollbacks (`rollbackReserve`), and a few more are never taken by background work
 * (`backgroundHeadroom`). Another client in the same account (the console,
 * Terraform) shares AWS's buckets: what throttling remains, the SDK retries, and jobs treat it as
 * transient — it is never shown to users as a failure.
 */
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CALL_PRIORITIES, type CallPriority, callPriority } from '../ops/call-priority.js';

export interface BucketLimit {
  capacity: number;
  refillPerSecond: number;
  /**
   * Tokens only a rollback may take: other work waits while the bucket holds this many or fewer,
   * so a rollback clicked during a release train never queues behind the train for a token.
   */
  rollbackReserve?: number;
  /**
   * Tokens, beyond the rollback reserve, that background work (scans, verification polls,
   * teardown polls) leaves in the bucket: a release train's cutovers and prechecks never find
   * it emptied by a scan of every slot.
   */
  backgroundHeadroom?: number;
}

export interface ElbRateLimits {
  describe: BucketLimit;
  mutate: BucketLimit;
  registration: BucketLimit;
}

/**
 * AWS's ELBv2 buckets (ELB user guide, "Request throttling for the ELB API") at 90 %: a request
 * reaches AWS a little after it leaves, so a burst that left exactly at AWS's rate could arrive
 * faster than it; the margin absorbs that.
 */
export const AWS_ELB_RATE_LIMITS: ElbRateLimits = {
  // A rollback reads its slot's health, its listeners and their rules at once (three calls with
  // one listener) and rewrites one or two forwards: that much of each bucket is kept for it.
  describe: { capacity: 36, refillPerSecond: 9, rollbackReserve: 4, backgroundHeadroom: 8 },
  mutate: { capacity: 18, refillPerSecond: 2.7, rollbackReserve: 2 },
  registration: { capacity: 18, refillPerSecond: 3.6 },
};

const ROLLBACK_RANK = CALL_PRIORITIES.indexOf('rollback');
const BACKGROUND_RANK = CALL_PRIORITIES.indexOf('background');

interface Waiter {
  rank: number;
  seq: number;
  go: () => void;
}

/** True when `a` is served before `b`: by priority, then in order. */
function before(a: Waiter, b: Waiter): boolean {
  return a.rank !== b.rank ? a.rank < b.rank : a.seq < b.seq;
}

/**
 * One token bucket whose waiting callers are served by priority, then in order. Two other orders
 * were measured with bench/many-services.ts and dropped: the oldest job's calls first (most of a
 * train of 50 waited longer: 10.4 s instead of 6 s) and shared reads first (flights ended sooner,
 * fewer cutovers joined each, and 50 needed 3.5 Describe calls each and 19.6 s).
 */
export class PriorityBucket {
  private tokens: number;
  private at: number;
  private readonly waiting: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;
  /** Calls that had to wait for a token. */
  waited = 0;
  /** Tokens taken. */
  taken = 0;

  constructor(
    private readonly limit: BucketLimit,
    private readonly now: () => number = () => Date.now(),
  ) {
    // Background work needs the most tokens in the bucket before it takes one: a bucket that can
    // never hold that many would keep it waiting for ever.
    const most = 1 + (limit.rollbackReserve ?? 0) + (limit.backgroundHeadroom ?? 0);
    if (!(limit.capacity >= most && limit.refillPerSecond > 0))
      throw new RangeError(
        `a bucket of ${limit.capacity} tokens cannot keep ${most - 1} in reserve and still serve background work`,
      );
    this.tokens = limit.capacity;
    this.at = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(
      this.limit.capacity,
      this.tokens + ((t - this.at) / 1000) * this.limit.refillPerSecond,
    );
    this.at = t;
  }

  /** Tokens a call of this rank needs in the bucket before it may take one. */
  private need(rank: number): number {
    if (rank === ROLLBACK_RANK) return 1;
    const reserved = 1 + (this.limit.rollbackReserve ?? 0);
    return rank === BACKGROUND_RANK ? reserved + (this.limit.backgroundHeadroom ?? 0) : reserved;
  }

  /** Resolves when the caller holds a token. */
  take(priority: CallPriority): Promise<void> {
    this.taken += 1;
    this.refill();
    const rank = CALL_PRIORITIES.indexOf(priority);
    const w: Waiter = { rank, seq: this.seq++, go: () => undefined };
    if (!this.waiting.some((o) => !before(w, o)) && this.tokens >= this.need(rank)) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    this.waited += 1;
    return new Promise<void>((go) => {
      w.go = go;
      const i = this.waiting.findIndex((o) => before(w, o));
      this.waiting.splice(i < 0 ? this.waiting.length : i, 0, w);
      // A new head may need fewer tokens than the one the timer was set for (a cutover ahead of
      // a scan that waits for the headroom): time it again.
      if (i === 0 && this.timer !== undefined) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
      this.schedule();
    });
  }

  private schedule(): void {
    const head = this.waiting[0];
    if (this.timer !== undefined || head === undefined) return;
    const ms = Math.max(0, ((this.need(head.rank) - this.tokens) / this.limit.refillPerSecond) * 1000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      for (let next = this.waiting[0]; next && this.tokens >= this.need(next.rank); next = this.waiting[0]) {
        this.tokens -= 1;
        this.waiting.shift()?.go();
      }
      this.schedule();
    }, Math.ceil(ms));
    this.timer.unref?.();
  }
}

/** The kind of AWS bucket an ELBv2 command draws from. */
function bucketOf(command: string): keyof ElbRateLimits {
  if (command.startsWith('Describe')) return 'describe';
  return command === 'RegisterTargetsCommand' || command === 'DeregisterTargetsCommand'
    ? 'registration'
    : 'mutate';
}

/** What a client's limiter has done so far (for benchmarks and logs). */
export interface RateLimitStats {
  /** Requests that waited for a token, by bucket. */
  waited: Record<keyof ElbRateLimits, number>;
  /** Requests made (one token each), by bucket. */
  taken: Record<keyof ElbRateLimits, number>;
}

/** The buckets of one account and Region: every client that acts there takes its tokens here. */
export interface ElbLimiter {
  /** Resolves when the caller holds a token for `command` (`DescribeRulesCommand`). */
  take(command: string): Promise<void>;
  readonly stats: RateLimitStats;
}

export function createElbLimiter(
  limits: ElbRateLimits = AWS_ELB_RATE_LIMITS,
  now?: () => number,
): ElbLimiter {
  const buckets = {
    describe: new PriorityBucket(limits.describe, now),
    mutate: new PriorityBucket(limits.mutate, now),
    registration: new PriorityBucket(limits.registration, now),
  };
  return {
    take: (command) => buckets[bucketOf(command)].take(callPriority()),
    stats: {
      get taken() {
        return {
          describe: buckets.describe.taken,
          mutate: buckets.mutate.taken,
          registration: buckets.registration.taken,
        };
      },
      get waited() {
        return {
          describe: buckets.describe.waited,
          mutate: buckets.mutate.waited,
          registration: buckets.registration.waited,
        };
      },
    },
  };
}

/**
 * Makes every request of an ELBv2 SDK client (each page of a paged describe included) take a
 * token of its kind first, waiting by priority. One limiter per account and Region: clients of
 * the same account and Region (two roles there) are given the same `ElbLimiter`.
 */
export function rateLimitClient(
  client: ElasticLoadBalancingV2Client,
  limits: ElbRateLimits | ElbLimiter = AWS_ELB_RATE_LIMITS,
  now?: () => number,
): RateLimitStats {
  const limiter = 'take' in limits ? limits : createElbLimiter(limits, now);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      await limiter.take(context.commandName ?? '');
      return next(args);
    },
    { step: 'initialize', name: 'greenlightRateLimit' },
  );
  return limiter.stats;
}
