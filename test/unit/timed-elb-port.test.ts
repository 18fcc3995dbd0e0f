import { describe, expect, it } from 'vitest';
import type { ElbPort } from '../../src/app/ports/elb.js';
import { timeElbPort } from '../../src/aws/timed-elb-port.js';

function slowPort(clock: { t: number }, costMs: number): ElbPort {
  const spend = async <T>(value: T): Promise<T> => {
    clock.t += costMs;
    return value;
  };
  return {
    describeListeners: () => spend([]),
    describeRules: () => spend([]),
    modifyListener: () => spend(undefined),
    createRule: () => spend({ RuleArn: 'r', Priority: '1', IsDefault: false, Actions: [] }),
    deleteRule: () => spend(undefined),
    modifyRule: async () => {
      clock.t += costMs;
      throw new Error('rejected');
    },
    describeTargetHealth: () => spend([]),
    describeTargetGroupAttributes: () => spend({}),
    describeTargetGroups: () => spend([]),
    deregisterTargets: () => spend(undefined),
    describeTags: () => spend({}),
  };
}

describe('timeElbPort', () => {
  it('adds up the time spent inside port calls, failed ones included', async () => {
    const clock = { t: 0 };
    const timed = timeElbPort(slowPort(clock, 40), () => clock.t);
    await timed.port.describeListeners({ listenerArns: ['a'] });
    clock.t += 1000; // our own overhead: not counted
    await timed.port.modifyListener('a', []);
    await expect(timed.port.modifyRule('r', [])).rejects.toThrow('rejected');
    expect(timed.awsMs()).toBe(120);
  });

  it('starts again from zero after reset', async () => {
    const clock = { t: 0 };
    const timed = timeElbPort(slowPort(clock, 7), () => clock.t);
    await timed.port.describeRules('l');
    timed.reset();
    await timed.port.describeTargetHealth('tg');
    expect(timed.awsMs()).toBe(7);
  });
});
