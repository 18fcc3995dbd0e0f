import { beforeEach, describe, expect, it } from 'vitest';
import { type FakeElbState, forward } from '../../sandbox/fake-elb/state.js';
import { switchForwards, verifyConfiguration } from '../../src/aws/switch-forwards.js';
import { operations, type World, world } from '../helpers/elb-world.js';

const modifyCalls = (state: FakeElbState) => operations(state, 'Modify').length;

describe('switchForwards', () => {
  let w: World;
  beforeEach(() => {
    w = world();
  });

  it('points every default action and rule of the configured listeners at the target slot', async () => {
    const report = await switchForwards(w.port, {
      listenerArns: [w.l443, w.l8443],
      slots: w.slots,
      targetSlot: 'green',
    });
    expect(report.changed.map((s) => `${s.port} ${s.priority}`)).toEqual([
      '443 default',
      '443 10',
      '8443 default',
    ]);
    expect(report.changed.every((s) => s.groups.every((g) => g.name === 'green'))).toBe(true);
    expect(w.state.weightsOf(w.l443)).toEqual({ [w.green]: 1 });
    expect(w.state.weightsOf(w.rule10)).toEqual({ [w.green]: 1 });
    expect(w.state.weightsOf(w.l8443)).toEqual({ [w.green]: 1 });
  });

  it('calls beforeFirstModify once before the first Modify call, and not at all when nothing changes', async () => {
    const seen: string[] = [];
    const beforeFirstModify = async () => {
      seen.push(
        `before (${w.state.calls.filter((c) => c.operation.startsWith('Modify')).length} modifies so far)`,
      );
    };
    const req = { listenerArns: [w.l443, w.l8443], slots: w.slots, targetSlot: 'green', beforeFirstModify };
    await switchForwards(w.port, req);
    expect(seen).toEqual(['before (0 modifies so far)']);
    await switchForwards(w.port, req);
    expect(seen).toHaveLength(1);
  });

  it('changes nothing when run again after success', async () => {
    const req = { listenerArns: [w.l443, w.l8443], slots: w.slots, targetSlot: 'green' };
    await switchForwards(w.port, req);
    const before = modifyCalls(w.state);
    const again = await switchForwards(w.port, req);
    expect(again.changed).toEqual([]);
    expect(modifyCalls(w.state)).toBe(before);
  });

  it('leaves listeners that are not configured alone', async () => {
    await switchForwards(w.port, { listenerArns: [w.l443], slots: w.slots, targetSlot: 'green' });
    expect(w.state.weightsOf(w.l8443)).toEqual({ [w.blue]: 1 });
  });

  it('gives a rewritten forward that keeps another group beside a sticky green group stickiness', async () => {
    const search = w.state.addTargetGroup('search-blue');
    const rule = w.state.addRule({
      listenerArn: w.l443,
      priority: 20,
      actions: [forward([w.blue, 5], [search, 5])],
    });
    w.state.setTargetGroupAttributes(w.green, { 'stickiness.enabled': 'true' });
    await switchForwards(w.port, { listenerArns: [w.l443], slots: w.slots, targetSlot: 'green' });
    expect(w.state.weightsOf(rule)).toEqual({ [w.green]: 5, [search]: 5 });
    expect(w.state.rules.get(rule)?.actions[0]?.ForwardConfig?.TargetGroupStickinessConfig).toEqual({
      Enabled: true,
      DurationSeconds: 3600,
    });
    expect(operations(w.state, 'DescribeTargetGroupAttributes')).toHaveLength(1);
  });

  it('leaves group stickiness off beside a green group without stickiness', async () => {
    const search = w.state.addTargetGroup('search-blue');
    const rule = w.state.addRule({
      listenerArn: w.l443,
      priority: 20,
      actions: [forward([w.blue, 5], [search, 5])],
    });
    await switchForwards(w.port, { listenerArns: [w.l443], slots: w.slots, targetSlot: 'green' });
    expect(w.state.weightsOf(rule)).toEqual({ [w.green]: 5, [search]: 5 });
    expect(
      w.state.rules.get(rule)?.actions[0]?.ForwardConfig?.TargetGroupStickinessConfig?.Enabled ?? false,
    ).toBe(false);
    expect(operations(w.state, 'DescribeTargetGroupAttributes')).toHaveLength(1);
  });

  it('reads no target group attributes when every rewritten forward ends with green alone', async () => {
    w.state.setTargetGroupAttributes(w.green, { 'stickiness.enabled': 'true' });
    await switchForwards(w.port, { listenerArns: [w.l443, w.l8443], slots: w.slots, targetSlot: 'green' });
    expect(operations(w.state, 'DescribeTargetGroupAttributes')).toEqual([]);
    expect(w.state.weightsOf(w.l443)).toEqual({ [w.green]: 1 });
  });
});

describe('verifyConfiguration', () => {
  it('reads back the switch and names a rule on another listener that still forwards to blue', async () => {
    const w = world();
    const offender = w.state.addRule({
      listenerArn: w.l80,
      priority: 7,
      actions: [forward([w.blue, 3], [w.green, 1])],
    });
    await switchForwards(w.port, { listenerArns: [w.l443], slots: w.slots, targetSlot: 'green' });
    const report = await verifyConfiguration(w.port, {
      listenerArns: [w.l443],
      slots: w.slots,
      targetSlot: 'green',
      oldSlot: 'blue',
    });
    expect(report.readBackOk).toBe(true);
    expect(report.offenders).toEqual([
      { listenerArn: w.l80, port: 80, priority: '7', ruleArn: offender, weight: 3, reason: 'weight' },
      { listenerArn: w.l8443, port: 8443, priority: 'default', weight: 1, reason: 'weight' },
    ]);
    expect(report.listenersScanned).toBe(3);
    expect(report.rulesScanned).toBe(2);
  });

  it('fails the read-back when a configured forward still sends traffic to blue', async () => {
    const w = world();
    const report = await verifyConfiguration(w.port, {
      listenerArns: [w.l443],
      slots: w.slots,
      targetSlot: 'green',
      oldSlot: 'blue',
    });
    expect(report.readBackOk).toBe(false);
    expect(report.offenders.map((o) => o.priority)).toEqual(['default', '10', 'default']);
  });

  it('treats every other slot as old when the previous slot was mixed', async () => {
    const w = world();
    await switchForwards(w.port, { listenerArns: [w.l443, w.l8443], slots: w.slots, targetSlot: 'green' });
    const report = await verifyConfiguration(w.port, {
      listenerArns: [w.l443],
      slots: w.slots,
      targetSlot: 'green',
      oldSlot: 'mixed',
    });
    expect(report).toMatchObject({ readBackOk: true, offenders: [] });
  });

  it('names a rule that keeps blue at weight 0 under group stickiness: AWSALBTG still pins clients', async () => {
    const w = world();
    const sticky = forward([w.green, 1], [w.blue, 0]);
    sticky.ForwardConfig = {
      ...sticky.ForwardConfig,
      TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 600 },
    };
    const rule = w.state.addRule({ listenerArn: w.l80, priority: 7, actions: [sticky] });
    await switchForwards(w.port, { listenerArns: [w.l443, w.l8443], slots: w.slots, targetSlot: 'green' });
    const report = await verifyConfiguration(w.port, {
      listenerArns: [w.l443, w.l8443],
      slots: w.slots,
      targetSlot: 'green',
      oldSlot: 'blue',
    });
    expect(report.offenders).toEqual([
      { listenerArn: w.l80, port: 80, priority: '7', ruleArn: rule, weight: 0, reason: 'stickiness' },
    ]);
  });
});
