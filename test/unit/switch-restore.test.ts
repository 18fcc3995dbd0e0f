import { beforeEach, describe, expect, it } from 'vitest';
import { forward } from '../../sandbox/fake-elb/state.js';
import type { ElbPort } from '../../src/app/ports/elb.js';
import { type SwitchRequest, switchForwards } from '../../src/aws/switch-forwards.js';
import { sameActions } from '../../src/aws/switch-restore.js';
import { AwsCallError, SwitchAbortedError } from '../../src/errors.js';
import { failingModifies, operations, type World, world } from '../helpers/elb-world.js';

const abort = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('the switch did not abort');
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(SwitchAbortedError);
      return e as SwitchAbortedError;
    },
  );

describe('switchForwards when a modify fails', () => {
  let w: World;
  let both: SwitchRequest;
  let slept: number[];
  beforeEach(() => {
    w = world();
    slept = [];
    // The put-back's backoff is recorded, not waited for.
    const sleep = async (ms: number) => {
      slept.push(ms);
    };
    both = { listenerArns: [w.l443], slots: w.slots, targetSlot: 'green', restore: { sleep } };
  });

  it('restores both forwards when the second modify is applied and then fails, and confirms it by reading back', async () => {
    w.state.failNext('ModifyRule', 'InternalFailure', 'timed out after the change', { afterApply: true });
    const err = await abort(switchForwards(w.port, both));
    expect(err.cause).toMatchObject({ operation: 'ModifyRule', code: 'InternalFailure' });
    expect(w.state.weightsOf(w.l443)).toEqual({ [w.blue]: 1, [w.green]: 0 });
    expect(w.state.weightsOf(w.rule10)).toEqual({ [w.blue]: 1 });
    expect(err).toMatchObject({
      touched: true,
      touchedSites: [':443 default action', ':443 rule 10'],
      confirmedRestored: true,
      unconfirmed: [],
      restored: 2,
      restoreFailures: [],
    });
    expect(err.message).toMatch(/the load balancer is back to its previous state \(read back\)/);
    const afterFailure = operations(w.state).slice(operations(w.state).lastIndexOf('ModifyListener') + 1);
    expect(operations(w.state, 'Modify')).toEqual([
      'ModifyListener',
      'ModifyRule',
      'ModifyRule',
      'ModifyListener',
    ]);
    expect(afterFailure).toEqual(['DescribeListeners', 'DescribeRules']);
  });

  it('puts a throttled forward back with doubling backoff until it reads back as before', async () => {
    w.state.failNext('ModifyRule', 'InternalFailure', 'timed out after the change', { afterApply: true });
    w.state.failNext('ModifyRule', 'Throttling', 'Rate exceeded');
    w.state.failNext('ModifyRule', 'Throttling', 'Rate exceeded');
    const err = await abort(switchForwards(w.port, both));
    expect(w.state.weightsOf(w.rule10)).toEqual({ [w.blue]: 1 });
    expect(w.state.weightsOf(w.l443)).toEqual({ [w.blue]: 1, [w.green]: 0 });
    expect(err).toMatchObject({ confirmedRestored: true, unconfirmed: [], restoreFailures: [] });
    expect(slept).toEqual([250, 500]);
    // Only the forward that was not back is written again.
    expect(operations(w.state, 'Modify')).toEqual([
      'ModifyListener',
      'ModifyRule',
      'ModifyRule',
      'ModifyListener',
      'ModifyRule',
      'ModifyRule',
    ]);
  });

  it('says the load balancer may be partly switched, naming the forward, when restoring the applied one keeps failing', async () => {
    w.state.failNext('ModifyRule', 'InternalFailure', 'timed out after the change', { afterApply: true });
    for (let i = 0; i < 6; i += 1) w.state.failNext('ModifyRule', 'Throttling', 'Rate exceeded');
    const err = await abort(switchForwards(w.port, both));
    expect(w.state.weightsOf(w.rule10)).toEqual({ [w.green]: 1 });
    expect(w.state.weightsOf(w.l443)).toEqual({ [w.blue]: 1, [w.green]: 0 });
    expect(err).toMatchObject({ touched: true, confirmedRestored: false, unconfirmed: [':443 rule 10'] });
    expect(err.restoreFailures).toEqual([expect.stringMatching(/^:443 rule 10: .*Throttling/)]);
    expect(err.message).toMatch(/the load balancer may be partly switched: :443 rule 10 /);
    expect(err.message).not.toMatch(/back to its previous state/);
  });

  it('restores the switched forward when the next modify fails without applying, and says so', async () => {
    const err = await abort(switchForwards(failingModifies(w.port, [2]), both));
    expect(err.cause).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ confirmedRestored: true, restored: 2, restoreFailures: [] });
    expect(err.message).toMatch(
      /switched back: the load balancer is back to its previous state \(read back\)/,
    );
    expect(w.state.weightsOf(w.l443)).toEqual({ [w.blue]: 1, [w.green]: 0 });
    expect(w.state.weightsOf(w.rule10)).toEqual({ [w.blue]: 1 });
  });

  it('does not count a failed restore write as a failure when the forward reads back unchanged', async () => {
    const err = await abort(switchForwards(failingModifies(w.port, [2, 3]), both));
    expect(err).toMatchObject({ confirmedRestored: true, restored: 1, restoreFailures: [], unconfirmed: [] });
    expect(w.state.weightsOf(w.rule10)).toEqual({ [w.blue]: 1 });
  });

  it('names the forward left switched when its restore write fails', async () => {
    const err = await abort(switchForwards(failingModifies(w.port, [2, 3, 4, 5, 6, 7, 8, 9]), both));
    expect(err).toMatchObject({ confirmedRestored: false, unconfirmed: [':443 default action'] });
    expect(slept).toEqual([250, 500, 1000, 2000, 4000]);
    expect(err.restoreFailures).toEqual([expect.stringContaining(':443 default action: ')]);
    expect(err.message).toMatch(/may be partly switched: :443 default action .*fix by hand/);
    expect(w.state.weightsOf(w.l443)).toEqual({ [w.green]: 1 });
  });

  it('does not claim restoration when the read-back itself fails', async () => {
    let rulesReads = 0;
    const blind: ElbPort = {
      ...failingModifies(w.port, [2]),
      describeRules: async (arn) => {
        rulesReads += 1;
        if (rulesReads > 1) throw new AwsCallError('DescribeRules', 'Throttling', 'Rate exceeded');
        return w.port.describeRules(arn);
      },
    };
    const err = await abort(switchForwards(blind, both));
    expect(w.state.weightsOf(w.rule10)).toEqual({ [w.blue]: 1 });
    expect(err).toMatchObject({
      confirmedRestored: false,
      unconfirmed: [':443 rule 10'],
      restoreFailures: [],
    });
    expect(err.message).toMatch(/may be partly switched: :443 rule 10 /);
  });

  it('treats the very first modify as touched: it is written back and read back', async () => {
    w.state.failNext('ModifyListener', 'ListenerNotFound', 'One or more listeners not found');
    const err = await abort(switchForwards(w.port, both));
    expect(err).toMatchObject({
      touched: true,
      touchedSites: [':443 default action'],
      confirmedRestored: true,
    });
    expect(err.message).toMatch(/ListenerNotFound.*back to its previous state \(read back\)/);
    expect(operations(w.state, 'Modify')).toEqual(['ModifyListener', 'ModifyListener']);
  });

  it('lets an error before any modify through unchanged: nothing was touched', async () => {
    w.state.failNext('DescribeRules', 'Throttling', 'Rate exceeded');
    const err = await switchForwards(w.port, both).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(SwitchAbortedError);
    expect(err).toMatchObject({ code: 'Throttling' });
    expect(operations(w.state, 'Modify')).toEqual([]);
  });
});

describe('sameActions', () => {
  const tg = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/0123456789abcdef';
  const other = tg.replace('/blue/', '/green/');

  it('reads a plain forward and AWS’s described form of it as the same', () => {
    const described = {
      ...forward([tg, 1]),
      TargetGroupArn: tg,
      ForwardConfig: {
        TargetGroups: [{ TargetGroupArn: tg, Weight: 1 }],
        TargetGroupStickinessConfig: { Enabled: false },
      },
    };
    expect(sameActions([{ Type: 'forward', TargetGroupArn: tg }], [described])).toBe(true);
  });

  it('tells a different weight or group stickiness apart', () => {
    const sticky = forward([tg, 1], [other, 1]);
    sticky.ForwardConfig = {
      ...sticky.ForwardConfig,
      TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 },
    };
    expect(sameActions([forward([tg, 1], [other, 0])], [forward([tg, 1], [other, 1])])).toBe(false);
    expect(sameActions([forward([tg, 1], [other, 1])], [sticky])).toBe(false);
  });
});
