/**
 * The fault-and-load run at the size CI can afford (chaos/small.ts): three Greenlight processes,
 * SIGKILLs, a Redis restart, AWS throttling / 5xx / hung calls and Slack outages while deployments
 * run. Every invariant of chaos/chaos.ts must hold. `npm run chaos` is the full run.
 */
import { describe, expect, it } from 'vitest';
import { formatReport, runChaos } from '../../chaos/chaos.js';
import { SMALL_RUN } from '../../chaos/small.js';

describe('the chaos run (small)', () => {
  it('holds every invariant under crashes, Redis restarts, AWS faults and Slack outages', async () => {
    const report = await runChaos(SMALL_RUN);
    const table = formatReport(report, SMALL_RUN);
    console.log(table);
    expect(report.violations, table).toEqual([]);
    // The faults really happened, and every deployment was driven to its end.
    expect(report.faults['process SIGKILL']).toBeGreaterThan(0);
    expect(report.faults['Redis restart']).toBeGreaterThan(0);
    expect(
      (report.faults['AWS throttling'] ?? 0) +
        (report.faults['AWS 5xx'] ?? 0) +
        (report.faults['AWS hung call'] ?? 0),
    ).toBeGreaterThan(0);
    const ended = Object.values(report.outcomes).reduce((a, b) => a + b, 0);
    expect(ended).toBe(SMALL_RUN.deployments);
  }, 600_000);
});
