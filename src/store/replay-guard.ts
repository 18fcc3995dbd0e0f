/**
 * Drops a replayed Slack request. Bolt checks the signature and that the timestamp is within 5
 * minutes (Slack's window: docs/platform-facts.md, "Slack requests"), but a captured signed
 * request can be sent again inside that window — `/deploy extend … 30d` would extend again each
 * time. Every genuine request differs (Slack gives each its own trigger_id), so a signature seen
 * twice is a replay: the first sighting is kept in Redis a little longer than the window.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Slack's 5-minute window, plus clock skew. */
export const REPLAY_WINDOW_MS = 6 * 60_000;

export class ReplayGuard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** True the first time a signature is seen within the window; false for a replay. */
  async firstSeen(signature: string): Promise<boolean> {
    const digest = createHash('sha256').update(signature).digest('hex');
    const set = await this.redis.set(`${this.prefix}slack-sig:${digest}`, '1', 'PX', REPLAY_WINDOW_MS, 'NX');
    return set === 'OK';
  }
}
