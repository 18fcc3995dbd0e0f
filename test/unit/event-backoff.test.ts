/**
 * The wait before an events-webhook delivery is tried again: the capped doubling every job has,
 * jittered down to 50–100 % of it, and never sooner than a Retry-After asked, up to the cap.
 */
import { describe, expect, it } from 'vitest';
import { EventNotDeliveredError } from '../../src/errors.js';
import { eventBackoff, eventJobAttempts } from '../../src/queue/event-jobs.js';
import { cappedBackoff, NOTIFY_MAX_BACKOFF_MS } from '../../src/queue/queue.js';

const failed = (retryAfterMs?: number) => new EventNotDeliveredError('not delivered', retryAfterMs);

describe('eventBackoff', () => {
  it('is 50 to 100 % of the capped doubling, as the random draw says', () => {
    for (const attempts of [1, 2, 5, 7, 30]) {
      const full = cappedBackoff(attempts);
      expect(eventBackoff(attempts, failed(), () => 0)).toBe(full / 2);
      expect(eventBackoff(attempts, failed(), () => 0.5)).toBe(Math.round(full * 0.75));
      expect(eventBackoff(attempts, failed(), () => 0.999_999)).toBeLessThanOrEqual(full);
    }
    expect(eventBackoff(30, failed(), () => 1)).toBe(NOTIFY_MAX_BACKOFF_MS);
  });

  it('waits at least what Retry-After asked, never past the cap', () => {
    expect(eventBackoff(1, failed(40_000), () => 0)).toBe(40_000);
    expect(eventBackoff(1, failed(3_600_000), () => 0)).toBe(NOTIFY_MAX_BACKOFF_MS);
    // Asked for less than the backoff: the backoff.
    expect(eventBackoff(6, failed(1_000), () => 1)).toBe(cappedBackoff(6));
    // Only our error carries a Retry-After.
    expect(eventBackoff(1, Object.assign(new Error('x'), { retryAfterMs: 40_000 }), () => 0)).toBe(500);
    expect(eventBackoff(1, undefined, () => 0)).toBe(500);
  });

  it('leaves attempts enough to retry for retryFor even when every wait is jittered to half', () => {
    for (const retryForMs of [60_000, 3_600_000, 24 * 3_600_000, 7 * 24 * 3_600_000]) {
      let spent = 0;
      const attempts = eventJobAttempts(retryForMs);
      for (let n = 1; n < attempts; n++) spent += eventBackoff(n, failed(), () => 0);
      expect(spent).toBeGreaterThanOrEqual(retryForMs);
    }
  });
});
