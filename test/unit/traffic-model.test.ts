import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO, demoState } from '../../sandbox/fake-elb/demo.js';
import { forward } from '../../sandbox/fake-elb/state.js';
import { TrafficModel } from '../../sandbox/traffic-model.js';
import { at, MIN, T0 } from '../helpers/traffic-fixtures.js';

const { blueArn, greenArn, listenerArn } = DEMO.checkout;

/** A demo world and its traffic on a manual clock; metrics visible at once unless a delay is given. */
function setup(opts: { publishDelayMs?: number } = {}) {
  let clock = T0;
  const elb = demoState({ now: () => clock });
  const model = new TrafficModel(elb, {
    now: () => clock,
    requestsPerSecond: 20,
    publishDelayMs: 0,
    ...opts,
  });
  const runTo = (until: number, every = 10_000) => {
    while (clock < until) {
      clock = Math.min(until, clock + every);
      model.tick(clock);
    }
  };
  return { elb, model, runTo };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('TrafficModel', () => {
  it('sends each forward’s requests by its current weights, and nothing to a weight of 0', () => {
    const { model, runTo } = setup();
    runTo(at(1));
    expect(model.series(blueArn, 'RequestCount', at(0), at(1))).toEqual([{ at: at(0), value: 1200 }]);
    expect(model.series(greenArn, 'RequestCount', at(0), at(1))).toEqual([]);
    expect(model.series(DEMO.search.blueArn, 'RequestCount', at(0), at(1))).toEqual([
      { at: at(0), value: 1200 },
    ]);
  });

  it('splits a minute when the weights change in the middle of it', () => {
    const { elb, model, runTo } = setup();
    runTo(at(0) + 30_000);
    elb.listener(listenerArn).defaultActions = [forward([blueArn, 1], [greenArn, 3])];
    runTo(at(2));
    expect(model.series(blueArn, 'RequestCount', at(0), at(2)).map((p) => p.value)).toEqual([600 + 150, 300]);
    expect(model.series(greenArn, 'RequestCount', at(0), at(2)).map((p) => p.value)).toEqual([450, 900]);
  });

  it('adds pinned traffic whatever the weights say, until the pin is removed', () => {
    const { elb, model, runTo } = setup();
    elb.listener(listenerArn).defaultActions = [forward([greenArn, 1])];
    model.pin(blueArn, 2);
    runTo(at(1));
    model.pin(blueArn, 0);
    runTo(at(2));
    expect(model.series(blueArn, 'RequestCount', at(0), at(2))).toEqual([{ at: at(0), value: 120 }]);
  });

  it('fails open: a group whose targets all answer 5xx still gets its requests, answered with target 5xx', () => {
    const { elb, model, runTo } = setup();
    for (const t of elb.targetGroup(blueArn).targets) elb.setTargetHealth(blueArn, t.id, 'unhealthy');
    runTo(at(1));
    expect(model.series(blueArn, 'RequestCount', at(0), at(1))).toEqual([{ at: at(0), value: 1200 }]);
    expect(model.series(blueArn, 'HTTPCode_Target_5XX_Count', at(0), at(1))).toEqual([
      { at: at(0), value: 1200 },
    ]);
    expect(model.balancerSeries(DEMO.loadBalancerArn, 'HTTPCode_ELB_5XX_Count', at(0), at(1))).toEqual([]);
  });

  it('counts timeouts as the load balancer’s 504s, on the LoadBalancer dimension only', () => {
    const { elb, model, runTo } = setup();
    for (const t of elb.targetGroup(blueArn).targets) elb.setTargetHealth(blueArn, t.id, 'timeout');
    runTo(at(1));
    // A target was chosen: the requests count for the group, but no target answered them.
    expect(model.series(blueArn, 'RequestCount', at(0), at(1))).toEqual([{ at: at(0), value: 1200 }]);
    expect(model.series(blueArn, 'HTTPCode_Target_5XX_Count', at(0), at(1))).toEqual([]);
    expect(model.series(blueArn, 'TargetResponseTime', at(0), at(1))).toEqual([]);
    for (const metric of ['HTTPCode_ELB_5XX_Count', 'HTTPCode_ELB_504_Count'] as const) {
      expect(model.balancerSeries(DEMO.loadBalancerArn, metric, at(0), at(1))).toEqual([
        { at: at(0), value: 1200 },
      ]);
    }
  });

  it('counts refused connections as 502s and target connection errors', () => {
    const { elb, model, runTo } = setup();
    const [first] = elb.targetGroup(blueArn).targets;
    elb.setTargetHealth(blueArn, first?.id ?? '', 'refused');
    runTo(at(1));
    // The refusing target fails its checks, so only the healthy one gets requests.
    expect(model.series(blueArn, 'TargetConnectionErrorCount', at(0), at(1))).toEqual([]);
    for (const t of elb.targetGroup(blueArn).targets) elb.setTargetHealth(blueArn, t.id, 'refused');
    runTo(at(2));
    expect(model.series(blueArn, 'TargetConnectionErrorCount', at(1), at(2))).toEqual([
      { at: at(1), value: 1200 },
    ]);
    expect(model.balancerSeries(DEMO.loadBalancerArn, 'HTTPCode_ELB_502_Count', at(1), at(2))).toEqual([
      { at: at(1), value: 1200 },
    ]);
  });

  it('answers 503 itself for a group with no registered target, outside every RequestCount', () => {
    const { elb, model, runTo } = setup();
    elb.targetGroup(blueArn).targets = [];
    runTo(at(1));
    expect(model.series(blueArn, 'RequestCount', at(0), at(1))).toEqual([]);
    expect(model.balancerSeries(DEMO.loadBalancerArn, 'HTTPCode_ELB_503_Count', at(0), at(1))).toEqual([
      { at: at(0), value: 1200 },
    ]);
    // search-blue's rule still sends it 1200 requests: only those are in the LB's RequestCount.
    expect(model.balancerSeries(DEMO.loadBalancerArn, 'RequestCount', at(0), at(1))).toEqual([
      { at: at(0), value: 1200 },
    ]);
  });

  it('sends production traffic to no rule with an http-header condition (only test requests carry it)', () => {
    const { elb, model, runTo } = setup();
    elb.addRule({
      listenerArn,
      priority: 1,
      actions: [forward([greenArn, 1])],
      conditions: [
        { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Slot', Values: ['green'] } },
      ],
    });
    runTo(at(1));
    expect(model.series(greenArn, 'RequestCount', at(0), at(1))).toEqual([]);
  });

  it('samples healthy and unhealthy host counts of groups a forward names, with or without requests', () => {
    const { elb, model, runTo } = setup();
    const [first] = elb.targetGroup(greenArn).targets;
    elb.setTargetHealth(greenArn, first?.id ?? '', 'unhealthy');
    runTo(at(1));
    expect(model.series(greenArn, 'HealthyHostCount', at(0), at(1), MIN, 'Minimum')).toEqual([
      { at: at(0), value: 1 },
    ]);
    expect(model.series(greenArn, 'UnHealthyHostCount', at(0), at(1), MIN, 'Maximum')).toEqual([
      { at: at(0), value: 1 },
    ]);
    // search-green is named by no forward: not health-checked, no host counts.
    expect(model.series(DEMO.search.greenArn, 'HealthyHostCount', at(0), at(1), MIN, 'Maximum')).toEqual([]);
  });

  it('applies the error rate and the p99 latency set for a group (latency in seconds)', () => {
    const { model, runTo } = setup();
    model.setErrorRate(blueArn, 0.025);
    model.setLatency(blueArn, 812);
    runTo(at(1));
    expect(model.series(blueArn, 'HTTPCode_Target_5XX_Count', at(0), at(1))).toEqual([
      { at: at(0), value: 30 },
    ]);
    expect(model.series(blueArn, 'TargetResponseTime', at(0), at(1))).toEqual([{ at: at(0), value: 0.812 }]);
  });

  it('has no 5xx point for a period without errors', () => {
    const { model, runTo } = setup();
    runTo(at(1));
    expect(model.series(blueArn, 'HTTPCode_Target_5XX_Count', at(0), at(1))).toEqual([]);
  });

  it('publishes a period one period after it ended by default (ALB metrics arrive late)', () => {
    const { model, runTo } = setup({ publishDelayMs: undefined as unknown as number });
    runTo(at(1) + 30_000);
    expect(model.series(blueArn, 'RequestCount', at(0), at(2))).toEqual([]);
    runTo(at(2));
    expect(model.series(blueArn, 'RequestCount', at(0), at(2)).map((p) => p.at)).toEqual([at(0)]);
  });

  it('publishes a period only once it ended, plus the publication delay', () => {
    const { model, runTo } = setup({ publishDelayMs: 90_000 });
    runTo(at(2));
    expect(model.series(blueArn, 'RequestCount', at(0), at(3))).toEqual([]);
    runTo(at(2) + 30_000);
    expect(model.series(blueArn, 'RequestCount', at(0), at(3)).map((p) => p.at)).toEqual([at(0)]);
  });

  it('sums the buckets of a longer requested period', () => {
    const { model, runTo } = setup();
    runTo(at(10));
    expect(model.series(blueArn, 'RequestCount', at(0), at(10), 5 * MIN)).toEqual([
      { at: at(0), value: 6000 },
      { at: at(5), value: 6000 },
    ]);
  });

  it('keeps counts whole and exact over many uneven ticks', () => {
    const { elb, model, runTo } = setup();
    elb.listener(listenerArn).defaultActions = [forward([blueArn, 1], [greenArn, 2])];
    runTo(at(1), 700);
    const blue = model.series(blueArn, 'RequestCount', at(0), at(1))[0]?.value ?? 0;
    const green = model.series(greenArn, 'RequestCount', at(0), at(1))[0]?.value ?? 0;
    expect(Number.isInteger(blue) && Number.isInteger(green)).toBe(true);
    expect(blue + green).toBeGreaterThanOrEqual(1199);
    expect(Math.abs(green - 2 * blue)).toBeLessThanOrEqual(2);
  });

  it('ignores a tick at or before the last one', () => {
    const { model, runTo } = setup();
    runTo(at(1));
    model.tick(at(1));
    model.tick(at(0) + 5_000);
    expect(model.series(blueArn, 'RequestCount', at(0), at(1))).toEqual([{ at: at(0), value: 1200 }]);
  });

  it('ticks by itself between start() and stop()', () => {
    vi.useFakeTimers({ now: T0 });
    const model = new TrafficModel(demoState(), { requestsPerSecond: 20, tickMs: 1_000, publishDelayMs: 0 });
    model.start();
    vi.advanceTimersByTime(MIN);
    model.stop();
    vi.advanceTimersByTime(5 * MIN);
    model.tick(at(1));
    expect(model.series(blueArn, 'RequestCount', at(0), at(6))).toEqual([{ at: at(0), value: 1200 }]);
  });

  it('keeps alarms with their kind, state and reason', () => {
    const { model } = setup();
    model.setAlarm('checkout-health', 'ALARM', 'member in ALARM', 'composite');
    model.setAlarm('checkout-5xx', 'OK');
    expect(model.alarms.get('checkout-health')).toMatchObject({
      state: 'ALARM',
      reason: 'member in ALARM',
      kind: 'composite',
    });
    expect(model.alarms.get('checkout-5xx')).toMatchObject({ state: 'OK', kind: 'metric' });
  });
});
