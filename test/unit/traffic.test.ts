import { describe, expect, it } from 'vitest';
import type { MetricResult } from '../../src/aws/metrics-port.js';
import type { GateSettings } from '../../src/config/evidence-schema.js';
import type { SlotTraffic, TrafficPoint } from '../../src/domain/evidence.js';
import {
  albDimensions,
  evaluateGates,
  evaluateTraffic,
  periodStarts,
  slotTraffic,
  sparkline,
  trafficQueries,
  unreadableTraffic,
} from '../../src/domain/traffic.js';

const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
const BLUE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-blue/73e2d6bc24d8a067';
const MIN = 60_000;
const T0 = Date.UTC(2025, 2, 14, 10, 0);
const at = (minutes: number) => T0 + minutes * MIN;
const NO_GATES: GateSettings = { alarms: [], autoRollback: false, watchIntervalMs: MIN };

/** Points at whole minutes from T0: [minute, requests, 5xx?, p99Ms?]. */
function slot(name: string, rows: [number, number, number?, number?][]): SlotTraffic {
  return {
    slot: name,
    points: rows.map<TrafficPoint>(([m, requests, errors5xx = 0, p99Ms = null]) => ({
      at: at(m),
      requests,
      errors5xx,
      p99Ms,
    })),
  };
}

describe('albDimensions', () => {
  it('takes the load balancer from the listener ARN and the target group tail', () => {
    expect(albDimensions(LISTENER, BLUE)).toEqual({
      loadBalancer: 'app/shop/50dc6c495c0c9188',
      targetGroup: 'targetgroup/checkout-blue/73e2d6bc24d8a067',
    });
  });

  it('refuses ARNs that are not a listener and a target group', () => {
    expect(() => albDimensions(BLUE, BLUE)).toThrow(/not an ALB listener ARN/);
    expect(() => albDimensions(LISTENER, LISTENER)).toThrow(/not a target group ARN/);
  });
});

describe('trafficQueries', () => {
  it('asks for requests, target 5xx and p99 latency of both slots with stable ids', () => {
    const q = trafficQueries({ loadBalancer: 'app/shop/1', oldTargetGroup: 'tg/b', newTargetGroup: 'tg/g', periodSeconds: 60 });
    expect(q.map((x) => [x.id, x.metricName, x.stat, x.targetGroup])).toEqual([
      ['old_req', 'RequestCount', 'Sum', 'tg/b'],
      ['old_5xx', 'HTTPCode_Target_5XX_Count', 'Sum', 'tg/b'],
      ['old_p99', 'TargetResponseTime', 'p99', 'tg/b'],
      ['new_req', 'RequestCount', 'Sum', 'tg/g'],
      ['new_5xx', 'HTTPCode_Target_5XX_Count', 'Sum', 'tg/g'],
      ['new_p99', 'TargetResponseTime', 'p99', 'tg/g'],
    ]);
    expect(new Set(q.map((x) => `${x.loadBalancer}/${x.periodSeconds}`))).toEqual(new Set(['app/shop/1/60']));
  });
});

describe('slotTraffic', () => {
  const results: MetricResult[] = [
    { id: 'new_req', timestamps: [at(0), at(1)], values: [100, 80] },
    { id: 'new_5xx', timestamps: [at(1)], values: [3] },
    { id: 'new_p99', timestamps: [at(0)], values: [0.2345] },
    { id: 'old_req', timestamps: [at(0), at(1), at(2)], values: [9, 9, 9] },
  ];

  it('gives one point per period: missing counts are 0, a missing p99 is null, seconds become ms', () => {
    expect(slotTraffic('green', results, 'new', [at(0), at(1), at(2)])).toEqual({
      slot: 'green',
      points: [
        { at: at(0), requests: 100, errors5xx: 0, p99Ms: 234.5 },
        { at: at(1), requests: 80, errors5xx: 3, p99Ms: null },
        { at: at(2), requests: 0, errors5xx: 0, p99Ms: null },
      ],
    });
  });

  it('reads only the series of its own prefix', () => {
    expect(slotTraffic('blue', results, 'old', [at(1)]).points).toEqual([
      { at: at(1), requests: 9, errors5xx: 0, p99Ms: null },
    ]);
  });
});

describe('periodStarts', () => {
  it.each<[string, number, number, number[]]>([
    ['whole minutes', at(0), at(3), [at(0), at(1), at(2)]],
    ['a partial first and last minute are included', at(0) + 30_000, at(2) + 1, [at(0), at(1), at(2)]],
    ['an empty range has no period', at(2), at(2), []],
    ['a reversed range has no period', at(3), at(1), []],
  ])('%s', (_name, from, to, expected) => {
    expect(periodStarts(from, to, MIN)).toEqual(expected);
  });
});

describe('evaluateTraffic: drain verdict', () => {
  const base = {
    switchedAt: at(2) + 30_000,
    windowEndsAt: at(8),
    periodMs: MIN,
    toleranceRequests: 0,
    gates: NO_GATES,
    alarms: [],
  };

  it.each<[string, SlotTraffic, SlotTraffic, number, string, number | undefined]>([
    [
      'the minute of the switch is partial and does not count, the next one does',
      slot('blue', [[1, 500], [2, 250]]),
      slot('green', [[2, 250], [3, 500]]),
      at(4),
      'drained',
      at(3),
    ],
    [
      'a full period that has not ended yet does not count',
      slot('blue', [[2, 250]]),
      slot('green', [[2, 250], [3, 300]]),
      at(4) - 1,
      'waiting',
      undefined,
    ],
    [
      'without any datapoint a just-ended period is not settled: CloudWatch publishes late',
      slot('blue', [[2, 250]]),
      slot('green', [[2, 250]]),
      at(5),
      'waiting',
      undefined,
    ],
    [
      'a period with no datapoint at all is settled two periods after it ended',
      slot('blue', [[2, 250]]),
      slot('green', [[2, 250]]),
      at(6),
      'drained',
      at(3),
    ],
    [
      'requests still on the old slot keep it waiting inside the window',
      slot('blue', [[3, 40], [4, 38]]),
      slot('green', [[3, 460], [4, 462]]),
      at(5),
      'waiting',
      undefined,
    ],
    [
      'requests still on the old slot when the window ends fail the verification',
      slot('blue', [[3, 40], [4, 38], [5, 41], [6, 39], [7, 40]]),
      slot('green', [[3, 460], [4, 462], [5, 459], [6, 461], [7, 460]]),
      at(8),
      'not_drained',
      undefined,
    ],
    [
      'drained wins even after the window ended, with the first drained period',
      slot('blue', [[3, 40], [4, 1]]),
      slot('green', [[3, 460], [4, 500], [5, 500]]),
      at(9),
      'drained',
      at(5),
    ],
  ])('%s', (_name, oldSlot, newSlot, now, verdict, drainedAt) => {
    const report = evaluateTraffic({ ...base, oldSlot, newSlot, now });
    expect(report.verdict).toBe(verdict);
    expect(report.drainedAt).toBe(drainedAt);
  });

  it('counts a period at or under the tolerance as drained', () => {
    const oldSlot = slot('blue', [[3, 12], [4, 3]]);
    const newSlot = slot('green', [[3, 488], [4, 497]]);
    const input = { ...base, oldSlot, newSlot, now: at(5) };
    expect(evaluateTraffic({ ...input, toleranceRequests: 3 })).toMatchObject({ verdict: 'drained', drainedAt: at(4) });
    expect(evaluateTraffic({ ...input, toleranceRequests: 2 }).verdict).toBe('waiting');
  });

  it('reports its inputs back for the thread (slots, window, tolerance)', () => {
    const oldSlot = slot('blue', []);
    const newSlot = slot('green', [[3, 1]]);
    const report = evaluateTraffic({ ...base, oldSlot, newSlot, now: at(4), toleranceRequests: 5 });
    expect(report).toEqual({
      oldSlot,
      newSlot,
      verdict: 'drained',
      drainedAt: at(3),
      windowEndsAt: at(8),
      toleranceRequests: 5,
      breaches: [],
    });
  });

  it('a switch exactly on a period boundary counts that period', () => {
    const report = evaluateTraffic({
      ...base,
      switchedAt: at(3),
      oldSlot: slot('blue', []),
      newSlot: slot('green', [[3, 10]]),
      now: at(4),
    });
    expect(report.drainedAt).toBe(at(3));
  });
});

describe('gates', () => {
  const gates: GateSettings = { ...NO_GATES, maxErrorRate: 0.05, maxP99LatencyMs: 500 };
  const gate = (newSlot: SlotTraffic, now = at(6), alarms: Parameters<typeof evaluateGates>[0]['alarms'] = []) =>
    evaluateGates({ slot: newSlot, since: at(2) + 30_000, now, periodMs: MIN, gates, alarms });

  it('passes a healthy new slot', () => {
    expect(gate(slot('green', [[3, 400, 4, 120], [4, 400, 20, 500]]))).toEqual([]);
  });

  it('names the slot, rate, limit and period of the worst 5xx breach', () => {
    const breaches = gate(slot('green', [[3, 400, 24], [4, 400, 30], [5, 400, 1]]));
    expect(breaches).toEqual([
      {
        kind: 'error_rate',
        detail:
          'green answered 7.5% of 400 requests with a target 5xx (limit 5%) in the period from 10:04 UTC; 2 periods were over the limit.',
      },
    ]);
  });

  it('ignores the error rate of periods without requests and of the switch’s partial minute', () => {
    expect(gate(slot('green', [[2, 10, 10], [3, 0, 2]]))).toEqual([]);
  });

  it('ignores a period that has not ended yet', () => {
    expect(gate(slot('green', [[5, 100, 50]]), at(6) - 1)).toEqual([]);
  });

  it('names the slot, latency, limit and period of a p99 breach', () => {
    expect(gate(slot('green', [[3, 400, 0, 812.4], [4, 400, 0, null]]))).toEqual([
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
        detail: 'CloudWatch alarm checkout-5xx is in ALARM while green is live: Threshold Crossed: 1 datapoint [42.0] > 10.0.',
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
    ['a drain from full to nothing', [800, 600, 400, 200, 0], '█▆▅▄▁'],
    ['no values, no line', [], ''],
  ])('%s', (_name, values, expected) => {
    expect(sparkline(values)).toBe(expected);
  });
});
