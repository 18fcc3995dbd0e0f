import { describe, expect, it } from 'vitest';
import type { SlotTraffic } from '../../src/domain/evidence.js';
import type { MetricResult } from '../../src/domain/metrics.js';
import { nextPollAt, periodStarts } from '../../src/domain/traffic/periods.js';
import { slotTraffic } from '../../src/domain/traffic/points.js';
import { albDimensions, trafficQueries } from '../../src/domain/traffic/queries.js';
import { evaluateTraffic } from '../../src/domain/traffic/verdict.js';
import { at, MIN, NO_GATES, slot } from '../helpers/traffic-fixtures.js';

const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
const BLUE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-blue/73e2d6bc24d8a067';

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
    const q = trafficQueries({
      loadBalancer: 'app/shop/1',
      oldTargetGroup: 'tg/b',
      newTargetGroup: 'tg/g',
      periodSeconds: 60,
    });
    expect(q.map((x) => [x.id, x.metricName, x.stat, x.targetGroup])).toEqual([
      ['old_req', 'RequestCount', 'Sum', 'tg/b'],
      ['old_5xx', 'HTTPCode_Target_5XX_Count', 'Sum', 'tg/b'],
      ['old_p99', 'TargetResponseTime', 'p99', 'tg/b'],
      ['new_req', 'RequestCount', 'Sum', 'tg/g'],
      ['new_5xx', 'HTTPCode_Target_5XX_Count', 'Sum', 'tg/g'],
      ['new_p99', 'TargetResponseTime', 'p99', 'tg/g'],
      ['new_conn', 'TargetConnectionErrorCount', 'Sum', 'tg/g'],
      ['new_unhealthy', 'UnHealthyHostCount', 'Maximum', 'tg/g'],
      // Published with the LoadBalancer dimension alone: no target group.
      ['lb_5xx', 'HTTPCode_ELB_5XX_Count', 'Sum', undefined],
      ['lb_503', 'HTTPCode_ELB_503_Count', 'Sum', undefined],
      ['lb_req', 'RequestCount', 'Sum', undefined],
    ]);
    expect(new Set(q.map((x) => `${x.loadBalancer}/${x.periodSeconds}`))).toEqual(new Set(['app/shop/1/60']));
  });

  it('leaves the load balancer’s own 5xx out when loadBalancerErrors is off, and the old slot for the soak', () => {
    const q = trafficQueries({
      loadBalancer: 'app/shop/1',
      oldTargetGroup: 'tg/b',
      newTargetGroup: 'tg/g',
      periodSeconds: 60,
      loadBalancerErrors: false,
      newOnly: true,
    });
    expect(q.map((x) => x.id)).toEqual(['new_req', 'new_5xx', 'new_p99', 'new_conn', 'new_unhealthy']);
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
        { at: at(0), requests: 100, errors5xx: 0, p99Ms: 234.5, connectionErrors: 0, unhealthyHosts: null },
        { at: at(1), requests: 80, errors5xx: 3, p99Ms: null, connectionErrors: 0, unhealthyHosts: null },
        { at: at(2), requests: 0, errors5xx: 0, p99Ms: null, connectionErrors: 0, unhealthyHosts: null },
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

describe('nextPollAt', () => {
  it('puts every deployment polling at one interval on the same instants, whenever it started', () => {
    const every = 15_000;
    const base = Date.UTC(2026, 10, 30, 12, 0);
    const starts = [base + 1, base + 3_210, base + 9_999, base + 14_999];
    expect(starts.map((s) => nextPollAt(every, s))).toEqual(starts.map(() => base + every));
    expect(nextPollAt(every, base)).toBe(base + every); // strictly after now
    expect(nextPollAt(every, base + every + 1)).toBe(base + 2 * every);
    expect(nextPollAt(0, base + 5)).toBe(base + 5);
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
      slot('blue', [
        [1, 500],
        [2, 250],
      ]),
      slot('green', [
        [2, 250],
        [3, 500],
        [4, 500],
        [5, 500],
      ]),
      at(6),
      'drained',
      at(3),
    ],
    [
      'a full period that has not ended yet does not count',
      slot('blue', [[2, 250]]),
      slot('green', [
        [2, 250],
        [3, 300],
      ]),
      at(4) - 1,
      'waiting',
      undefined,
    ],
    [
      'a new-slot datapoint alone does not settle a period: the old slot’s may be late',
      slot('blue', [[2, 250]]),
      slot('green', [
        [2, 250],
        [3, 300],
        [4, 300],
      ]),
      at(5),
      'waiting',
      undefined,
    ],
    [
      'a missing old-slot datapoint counts as 0 two periods after the period ended',
      slot('blue', [[2, 250]]),
      slot('green', [
        [2, 250],
        [3, 300],
      ]),
      at(6),
      'drained',
      at(3),
    ],
    [
      'a period with no datapoint at all is not drained: nothing shows traffic reached the new slot',
      slot('blue', [[2, 250]]),
      slot('green', [[2, 250]]),
      at(7),
      'waiting',
      undefined,
    ],
    [
      'an old-slot count of 0 is not drained while the new slot got nothing in that period',
      slot('blue', [[2, 250]]),
      slot('green', [
        [2, 250],
        [4, 300],
      ]),
      at(6),
      'waiting',
      undefined,
    ],
    [
      'requests still on the old slot keep it waiting inside the window',
      slot('blue', [
        [3, 40],
        [4, 38],
      ]),
      slot('green', [
        [3, 460],
        [4, 462],
      ]),
      at(5),
      'waiting',
      undefined,
    ],
    [
      'requests still on the old slot when the window ends fail the verification',
      slot('blue', [
        [3, 40],
        [4, 38],
        [5, 41],
        [6, 39],
        [7, 40],
      ]),
      slot('green', [
        [3, 460],
        [4, 462],
        [5, 459],
        [6, 461],
        [7, 460],
      ]),
      at(8),
      'not_drained',
      undefined,
    ],
    [
      'requests only on the old slot when the window ends are not drained either',
      slot('blue', [
        [3, 500],
        [4, 500],
        [5, 500],
        [6, 500],
        [7, 500],
      ]),
      slot('green', []),
      at(8),
      'not_drained',
      undefined,
    ],
    [
      'drained wins even after the window ended, with the first drained period',
      slot('blue', [
        [3, 40],
        [4, 1],
      ]),
      slot('green', [
        [3, 460],
        [4, 500],
        [5, 500],
      ]),
      at(9),
      'drained',
      at(5),
    ],
  ])('%s', (_name, oldSlot, newSlot, now, verdict, drainedAt) => {
    const report = evaluateTraffic({ ...base, oldSlot, newSlot, now });
    expect(report.verdict).toBe(verdict);
    expect(report.drainedAt).toBe(drainedAt);
    expect(report.error).toBeUndefined();
  });

  describe('a verify window in which no request reached the new slot', () => {
    const idle = {
      ...base,
      oldSlot: slot('blue', [[2, 250]]),
      newSlot: slot('green', [[2, 250]]),
      now: at(8),
    };

    it('is not verified: nothing shows where the traffic goes', () => {
      const report = evaluateTraffic(idle);
      expect(report.verdict).toBe('unreadable');
      expect(report.drainedAt).toBeUndefined();
      expect(report.error).toBe(
        'no requests were observed on green after the switch, so the traffic could not be verified',
      );
      expect(report.unverifiedCause).toBe('no_requests');
      expect(report.note).toBeUndefined();
    });

    it('ends drained with a note when the service may be idle (traffic.allowIdle)', () => {
      const report = evaluateTraffic({ ...idle, allowIdle: true });
      expect(report.verdict).toBe('drained');
      expect(report.drainedAt).toBe(at(3));
      expect(report.error).toBeUndefined();
      expect(report.note).toBe(
        'No requests were observed on green after the switch; counted as drained because traffic.allowIdle is on (blue was quiet in the period from 10:03 UTC).',
      );
    });

    it('with allowIdle, still waits for the window to end', () => {
      expect(evaluateTraffic({ ...idle, allowIdle: true, now: at(7) }).verdict).toBe('waiting');
    });

    it('with allowIdle, is drained only from a quiet period of the old slot', () => {
      const oldSlot = slot('blue', [
        [3, 40],
        [4, 40],
        [5, 40],
        [6, 2],
      ]);
      const report = evaluateTraffic({ ...idle, oldSlot, allowIdle: true, now: at(9), toleranceRequests: 2 });
      expect(report).toMatchObject({ verdict: 'drained', drainedAt: at(6) });
    });

    it('with allowIdle, traffic that stays on the old slot is still not drained', () => {
      const oldSlot = slot('blue', [
        [3, 40],
        [4, 40],
        [5, 40],
        [6, 40],
        [7, 40],
      ]);
      const report = evaluateTraffic({ ...idle, oldSlot, allowIdle: true });
      expect(report.verdict).toBe('not_drained');
      expect(report.note).toBeUndefined();
    });

    it('says so when the window ended before any full period settled', () => {
      const report = evaluateTraffic({
        ...base,
        windowEndsAt: at(5),
        oldSlot: slot('blue', [[2, 250]]),
        newSlot: slot('green', [
          [2, 250],
          [3, 500],
          [4, 500],
        ]),
        now: at(5),
      });
      expect(report.verdict).toBe('unreadable');
      expect(report.error).toBe(
        'no full period after the switch was settled before the verify window ended (CloudWatch publishes late), so the traffic could not be verified',
      );
      expect(report.unverifiedCause).toBe('not_settled');
    });
  });

  it('counts a period at or under the tolerance as drained', () => {
    const oldSlot = slot('blue', [
      [3, 12],
      [4, 3],
    ]);
    const newSlot = slot('green', [
      [3, 488],
      [4, 497],
    ]);
    const input = { ...base, oldSlot, newSlot, now: at(5) };
    expect(evaluateTraffic({ ...input, toleranceRequests: 3 })).toMatchObject({
      verdict: 'drained',
      drainedAt: at(4),
    });
    expect(evaluateTraffic({ ...input, toleranceRequests: 2 }).verdict).toBe('waiting');
  });

  it('reports its inputs back for the thread (slots, window, tolerance)', () => {
    const oldSlot = slot('blue', []);
    const newSlot = slot('green', [[3, 1]]);
    const input = { ...base, oldSlot, newSlot, toleranceRequests: 5 };
    expect(evaluateTraffic({ ...input, now: at(4) })).toEqual({
      oldSlot,
      newSlot,
      verdict: 'waiting',
      windowEndsAt: at(8),
      toleranceRequests: 5,
      firstFullPeriod: at(3),
      breaches: [],
    });
    expect(evaluateTraffic({ ...input, now: at(6) })).toEqual({
      oldSlot,
      newSlot,
      verdict: 'drained',
      drainedAt: at(3),
      windowEndsAt: at(8),
      toleranceRequests: 5,
      firstFullPeriod: at(3),
      breaches: [],
    });
  });

  it('a switch exactly on a period boundary counts that period', () => {
    const report = evaluateTraffic({
      ...base,
      switchedAt: at(3),
      oldSlot: slot('blue', []),
      newSlot: slot('green', [[3, 10]]),
      now: at(6),
    });
    expect(report.drainedAt).toBe(at(3));
  });
});
