/**
 * Health gates (error rate, p99, alarms) of src/domain/traffic/gates.ts, unreadable metrics
 * (traffic/verdict.ts) and the sparkline of src/messages/sparkline.ts.
 */
import { describe, expect, it } from 'vitest';
import type { SlotTraffic } from '../../src/domain/evidence.js';
import type { GateSettings } from '../../src/domain/service.js';
import { evaluateGates } from '../../src/domain/traffic/gates.js';
import { evaluateTraffic, unreadableTraffic } from '../../src/domain/traffic/verdict.js';
import { sparkline } from '../../src/messages/sparkline.js';
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
        key: `error_rate@${at(3)}`,
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
        key: `p99_latency@${at(3)}`,
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
        key: 'alarm@checkout-5xx@Threshold Crossed: 1 datapoint [42.0] > 10.0',
      },
      {
        kind: 'alarm',
        detail: 'CloudWatch alarm checkout-composite is in ALARM while green is live.',
        key: 'alarm@checkout-composite@',
      },
    ]);
  });

  it('judges only periods with at least gates.minRequests requests on the new slot (default 20)', () => {
    const noisy = slot('green', [
      [3, 19, 19, 9000],
      [4, 5, 5, 9000],
    ]);
    expect(gate(noisy)).toEqual([]);
    const enough = slot('green', [[3, 20, 2, 600]]);
    expect(gate(enough).map((b) => b.kind)).toEqual(['error_rate', 'p99_latency']);
    const strict = { ...gates, minRequests: 100 };
    expect(
      evaluateGates({ slot: enough, since: at(3), now: at(6), periodMs: MIN, gates: strict, alarms: [] }),
    ).toEqual([]);
    const every = { ...gates, minRequests: 0 };
    expect(
      evaluateGates({ slot: noisy, since: at(3), now: at(6), periodMs: MIN, gates: every, alarms: [] }).map(
        (b) => b.kind,
      ),
    ).toEqual(['error_rate', 'p99_latency']);
  });

  it('never lets minRequests judge a period without requests', () => {
    const every = { ...gates, minRequests: 0 };
    expect(
      evaluateGates({
        slot: slot('green', [[3, 0, 3, 900]]),
        since: at(3),
        now: at(6),
        periodMs: MIN,
        gates: every,
        alarms: [],
      }),
    ).toEqual([]);
  });

  describe('breach keys (alerts are de-duplicated on them)', () => {
    const history = (rows: [number, number, number?, (number | null)?][], since: number, now: number) =>
      evaluateGates({
        slot: slot('green', rows),
        since,
        now,
        periodMs: MIN,
        gates,
        alarms: [],
        runsFrom: at(0),
      });

    it('name where the run of over-limit periods began, looking back before the judged window', () => {
      const rows: [number, number, number][] = [
        [0, 400, 0],
        [1, 400, 40],
        [2, 5, 5],
        [3, 400, 30],
        [4, 400, 24],
      ];
      const [b] = history(rows, at(3), at(5));
      expect(b?.key).toBe(`error_rate@${at(1)}`);
      // Only the judged window is described.
      expect(b?.detail).toBe(
        'green answered 7.5% of 400 requests with a target 5xx (limit 5%) in the period from 10:03 UTC; 2 periods were over the limit.',
      );
    });

    it('stay the same while the breach goes on, whatever its values', () => {
      const first = history(
        [
          [3, 400, 30],
          [4, 400, 24],
        ],
        at(3),
        at(5),
      );
      const later = history(
        [
          [3, 400, 30],
          [4, 400, 24],
          [5, 400, 200],
        ],
        at(4),
        at(6),
      );
      expect(later[0]?.detail).not.toBe(first[0]?.detail);
      expect(later[0]?.key).toBe(first[0]?.key);
    });

    it('change when a period within the limit ended the run and a new one began', () => {
      const rows: [number, number, number][] = [
        [3, 400, 30],
        [4, 400, 0],
        [5, 400, 30],
      ];
      expect(history(rows, at(3), at(5))[0]?.key).toBe(`error_rate@${at(3)}`);
      expect(history(rows, at(3), at(6))[0]?.key).toBe(`error_rate@${at(5)}`);
    });

    it('default to the judged window when no lookback is given', () => {
      const rows: [number, number, number][] = [
        [3, 400, 30],
        [4, 400, 30],
      ];
      const [b] = evaluateGates({
        slot: slot('green', rows),
        since: at(4),
        now: at(5),
        periodMs: MIN,
        gates,
        alarms: [],
      });
      expect(b?.key).toBe(`error_rate@${at(4)}`);
    });
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

describe('a breach that lasts longer than the lookback', () => {
  it('keeps one key from one watch to the next, so it is announced once, not every period', () => {
    const rows: [number, number, number][] = Array.from({ length: 200 }, (_, m) => [m, 400, 40]);
    const green = slot('green', rows);
    const gates = { ...NO_GATES, maxErrorRate: 0.05 };
    const keyAt = (minute: number) =>
      evaluateGates({
        slot: green,
        since: at(minute - 5),
        now: at(minute),
        periodMs: MIN,
        gates,
        alarms: [],
        runsFrom: at(minute - 60),
        lookbackCut: true,
      })[0]?.key;
    expect(keyAt(120)).toBeDefined();
    expect(keyAt(121)).toBe(keyAt(120));
    expect(keyAt(180)).toBe(keyAt(120));
  });
});
