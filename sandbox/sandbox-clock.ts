/**
 * The sandbox's one clock: the bot (through the runtime's injectable clock), the simulated load
 * balancer and the traffic model all read it, so "fast-forward" can move time for the whole
 * simulated world at once — the bot's deadlines (reminder, teardown, approval expiry) then come
 * due exactly as they would have, and the traffic model fills the skipped periods.
 */
import type { Clock } from '../src/app/clock.js';

export class SandboxClock implements Clock {
  /** How far the sandbox runs ahead of the wall clock. */
  offsetMs = 0;

  readonly now = (): number => Date.now() + this.offsetMs;

  /** Moves time forward to `at` (never back). */
  advanceTo(at: number): void {
    const ahead = at - this.now();
    if (ahead > 0) this.offsetMs += ahead;
  }
}
