/**
 * AWS's request throttling of the ELBv2 API, as the ELB user guide documents it ("Request
 * throttling for the ELB API"): a token bucket per account and Region; every request takes one
 * token; the non-mutating actions (`Describe*`) share a bucket of 40 tokens refilled at 10 tokens
 * a second; the mutating actions (CreateRule, ModifyListener, ModifyRule, DeleteRule, …) one of 20
 * refilled at 3 a second; RegisterTargets and DeregisterTargets one of 20 refilled at 4 a second
 * (docs/aws-behaviour.md, "Throttling"). A request that finds no token fails with
 * `ThrottlingException` ("Rate exceeded", HTTP 400).
 *
 * Off unless set (`FakeElbState.apiLimits`): tests about other behaviour keep AWS's rate limits
 * out of their way; the many-services benchmark turns them on, with AWS-like latency per call.
 */

export interface BucketSettings {
  /** Most tokens the bucket holds (and holds at the start). */
  capacity: number;
  /** Tokens added per second, up to the capacity. */
  refillPerSecond: number;
}

/** The Describe* bucket of the ELB user guide: 40 tokens, 10 a second. */
export const AWS_DESCRIBE_BUCKET: BucketSettings = { capacity: 40, refillPerSecond: 10 };
/** The mutating actions' bucket: 20 tokens, 3 a second. */
export const AWS_MUTATE_BUCKET: BucketSettings = { capacity: 20, refillPerSecond: 3 };
/** RegisterTargets and DeregisterTargets: 20 tokens, 4 a second. */
export const AWS_REGISTRATION_BUCKET: BucketSettings = { capacity: 20, refillPerSecond: 4 };

/** AWS's three ELBv2 buckets. */
export const AWS_API_LIMITS: ApiLimits = {
  describe: AWS_DESCRIBE_BUCKET,
  mutate: AWS_MUTATE_BUCKET,
  registration: AWS_REGISTRATION_BUCKET,
};

export interface ApiLimits {
  /** The non-mutating actions (Describe*); absent: not throttled. */
  describe?: BucketSettings;
  /** The mutating actions but target registration; absent: not throttled. */
  mutate?: BucketSettings;
  /** RegisterTargets, DeregisterTargets; absent: not throttled. */
  registration?: BucketSettings;
}

export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly settings: BucketSettings,
    now: number,
  ) {
    this.tokens = settings.capacity;
    this.at = now;
  }

  /** Takes a token at `now` (ms); false when there is none (the request is throttled). */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.at) / 1000;
    this.tokens = Math.min(this.settings.capacity, this.tokens + elapsed * this.settings.refillPerSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The buckets of one account and Region, by kind of action. */
export class ApiThrottle {
  private readonly describe: TokenBucket | undefined;
  private readonly mutate: TokenBucket | undefined;
  private readonly registration: TokenBucket | undefined;
  /** Requests refused, by operation. */
  readonly throttled = new Map<string, number>();

  constructor(limits: ApiLimits, now: number) {
    this.describe = limits.describe ? new TokenBucket(limits.describe, now) : undefined;
    this.mutate = limits.mutate ? new TokenBucket(limits.mutate, now) : undefined;
    this.registration = limits.registration ? new TokenBucket(limits.registration, now) : undefined;
  }

  /** True when the request may run now; false (and counted) when it is throttled. */
  admit(operation: string, now: number): boolean {
    const bucket = operation.startsWith('Describe')
      ? this.describe
      : operation === 'RegisterTargets' || operation === 'DeregisterTargets'
        ? this.registration
        : this.mutate;
    if (!bucket || bucket.take(now)) return true;
    this.throttled.set(operation, (this.throttled.get(operation) ?? 0) + 1);
    return false;
  }
}
