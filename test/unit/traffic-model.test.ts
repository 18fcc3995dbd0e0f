import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO, demoState } from '../../src/sandbox/fake-elb/demo.js';
import { forward } from '../../src/sandbox/fake-elb/state.js';
import { TrafficModel } from '../../src/sandbox/traffic-model.js';
import { at, MIN, T0 } from '../helpers/traffic-fixtures.js';

const { blueArn, greenArn, listenerArn } = DEMO.checkout;

function setup(opts: { publishDelayMs?: number } = {}) {
  let clock = T0;
  const elb = demoState({ now: () => clock });
  const model = new TrafficModel(elb, { now: () => clock, requestsPerSecond: 20, ...opts });
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

  it('answers every request of a group without a healthy target with a 5xx and records no latency', () => {
    const { elb, model, runTo } = setup();
    for (const t of elb.targetGroup(blueArn).targets) elb.setTargetHealth(blueArn, t.id, 'unhealthy');
    runTo(at(1));
    expect(model.series(blueArn, 'HTTPCode_Target_5XX_Count', at(0), at(1))).toEqual([
      { at: at(0), value: 1200 },
    ]);
    expect(model.series(blueArn, 'TargetResponseTime', at(0), at(1))).toEqual([]);
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
    const model = new TrafficModel(demoState(), { requestsPerSecond: 20, tickMs: 1_000 });
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
