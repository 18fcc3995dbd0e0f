/** Health gates (error rate, p99, alarms), unreadable metrics and the sparkline of src/domain/traffic.ts. */
import { describe, expect, it } from 'vitest';
import type { GateSettings } from '../../src/config/evidence-schema.js';
import type { SlotTraffic } from '../../src/domain/evidence.js';
import { evaluateGates, evaluateTraffic, sparkline, unreadableTraffic } from '../../src/domain/traffic.js';
import { at, MIN, NO_GATES, slot } from '../helpers/traffic-fixtures.js';

describe('gates', () => {
  const gates: GateSettings = { ...NO_GATES, maxErrorRate: 0.05, maxP99LatencyMs: 500 };
  const gate = (
    newSlot: SlotTraffic,
    now = at(6),
    alarms: Parameters<typeof evaluateGates>[0]['alarms'] = [],
  ) => evaluateGates({ slot: newSlot, since: at(2) + 30_000, now, periodMs: MIN, gates, alarms });

  it('passes a healthy new slot', () => {
    expect(
      gate(
        slot('green', [
          [3, 400, 4, 120],
          [4, 400, 20, 500],
        ]),
      ),
    ).toEqual([]);
  });

  it('names the slot, rate, limit and period of the worst 5xx breach', () => {
    const breaches = gate(
      slot('green', [
        [3, 400, 24],
        [4, 400, 30],
        [5, 400, 1],
      ]),
    );
    expect(breaches).toEqual([
      {
        kind: 'error_rate',
        detail:
          'green answered 7.5% of 400 requests with a target 5xx (limit 5%) in the period from 10:04 UTC; 2 periods were over the limit.',
      },
    ]);
  });

  it('ignores the error rate of periods without requests and of the switch’s partial minute', () => {
    expect(
      gate(
        slot('green', [
          [2, 10, 10],
          [3, 0, 2],
        ]),
      ),
    ).toEqual([]);
  });

  it('ignores a period that has not ended yet', () => {
    expect(gate(slot('green', [[5, 100, 50]]), at(6) - 1)).toEqual([]);
  });

  it('names the slot, latency, limit and period of a p99 breach', () => {
    expect(
      gate(
        slot('green', [
          [3, 400, 0, 812.4],
          [4, 400, 0, null],
        ]),
      ),
    ).toEqual([
      {
        kind: 'p99_latency',
        detail: 'green answered with a p99 latency of 812.4 ms (limit 500 ms) in the period from 10:03 UTC.',
      },
    ]);
  });

  it('reports every alarm in ALARM with its reason, and only those', () => {
    const breaches = gate(slot('green', []), at(6), [
      { name: 'checkout-5xx', state: 'ALARM', reason: 'Threshold Crossed: 1 datapoint [42.0] > 10.0' },
      { name: 'checkout-latency', state: 'OK' },
      { name: 'checkout-health', state: 'INSUFFICIENT_DATA' },
      { name: 'checkout-composite', state: 'ALARM' },
    ]);
    expect(breaches).toEqual([
      {
        kind: 'alarm',
        detail:
          'CloudWatch alarm checkout-5xx is in ALARM while green is live: Threshold Crossed: 1 datapoint [42.0] > 10.0.',
      },
      { kind: 'alarm', detail: 'CloudWatch alarm checkout-composite is in ALARM while green is live.' },
    ]);
  });

  it('checks nothing for limits that are not set', () => {
    expect(
      evaluateGates({
        slot: slot('green', [[3, 10, 10, 9000]]),
        since: at(3),
        now: at(6),
        periodMs: MIN,
        gates: NO_GATES,
        alarms: [],
      }),
    ).toEqual([]);
  });

  it('evaluateTraffic applies the same gates to the new slot only', () => {
    const report = evaluateTraffic({
      oldSlot: slot('blue', [[3, 100, 100, 5000]]),
      newSlot: slot('green', [[3, 400, 40]]),
      switchedAt: at(2) + 30_000,
      now: at(4),
      windowEndsAt: at(8),
      periodMs: MIN,
      toleranceRequests: 0,
      gates,
      alarms: [],
    });
    expect(report.breaches.map((b) => b.kind)).toEqual(['error_rate']);
    expect(report.breaches[0]?.detail).toMatch(/^green answered 10% /);
  });
});

describe('unreadableTraffic', () => {
  it('never counts unreadable metrics as success and says why', () => {
    const report = unreadableTraffic({
      oldSlot: 'blue',
      newSlot: 'green',
      windowEndsAt: at(8),
      toleranceRequests: 0,
      error: 'GetMetricData failed: AccessDenied',
    });
    expect(report.verdict).toBe('unreadable');
    expect(report.breaches).toEqual([
      {
        kind: 'metrics_unreadable',
        detail:
          'The CloudWatch metrics of blue and green could not be read (GetMetricData failed: AccessDenied), so the traffic is not verified.',
      },
    ]);
  });
});

describe('sparkline', () => {
  it.each<[string, number[], string]>([
    ['all zero is the baseline', [0, 0, 0], '▁▁▁'],
    ['scales to the largest value', [0, 50, 100], '▁▅█'],
    ['a single straggler request stays visible next to a large count', [1000, 1, 0], '█▂▁'],
    ['a drain from full to nothing', [800, 600, 400, 200, 0], '█▇▅▄▁'],
    ['no values, no line', [], ''],
  ])('%s', (_name, values, expected) => {
    expect(sparkline(values)).toBe(expected);
  });
});
