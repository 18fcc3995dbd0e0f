import { beforeEach, describe, expect, it } from 'vitest';
import { AwsCallError, type ElbPort } from '../../src/aws/elb-port.js';
import { createElbAdapter } from '../../src/aws/elb-sdk-adapter.js';
import {
  readLiveSlot,
  readPrecheck,
  SwitchAbortedError,
  switchForwards,
  verifyConfiguration,
} from '../../src/aws/switch-forwards.js';

import type { ServiceConfig } from '../../src/config/schema.js';
import { fakeElbClient } from '../../src/sandbox/fake-elb/client.js';
import { DEMO, demoState } from '../../src/sandbox/fake-elb/demo.js';
import { FakeElbState, forward } from '../../src/sandbox/fake-elb/state.js';
import { serviceConfig } from '../helpers/service-config.js';

interface World {
  state: FakeElbState;
  port: ElbPort;
  blue: string;
  green: string;
  l443: string;
  l8443: string;
  l80: string;
  rule10: string;
  slots: Record<string, string>;
}

function world(): World {
  const state = new FakeElbState();
  const lb = state.addLoadBalancer('shop');
  const blue = state.addTargetGroup('checkout-blue');
  const green = state.addTargetGroup('checkout-green');
  const l443 = state.addListener({
    loadBalancerArn: lb,
    port: 443,
    defaultActions: [forward([blue, 1], [green, 0])],
  });
  const l8443 = state.addListener({
    loadBalancerArn: lb,
    port: 8443,
    defaultActions: [{ Type: 'forward', TargetGroupArn: blue }],
  });
  const l80 = state.addListener({
    loadBalancerArn: lb,
    port: 80,
    defaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
  });
  const rule10 = state.addRule({
    listenerArn: l443,
    priority: 10,
    actions: [{ Type: 'forward', TargetGroupArn: blue }],
  });
  return {
    state,
    port: createElbAdapter(fakeElbClient(state, { maxAttempts: 1 })),
    blue,
    green,
    l443,
    l8443,
    l80,
    rule10,
    slots: { blue, green },
  };
}

/** Fails the modify calls whose 1-based positions are listed (counting ModifyListener and ModifyRule together). */
function failingModifies(port: ElbPort, positions: number[]): ElbPort {
  let n = 0;
  const gate = (operation: string) => {
    n += 1;
    if (positions.includes(n)) throw new AwsCallError(operation, 'ValidationError', `injected failure #${n}`);
  };
  return {
    ...port,
    modifyListener: async (arn, actions) => {
      gate('ModifyListener');
      return port.modifyListener(arn, actions);
    },
    modifyRule: async (arn, actions) => {
      gate('ModifyRule');
      return port.modifyRule(arn, actions);
    },
  };
}

const modifyCalls = (state: FakeElbState) =>
  state.calls.filter((c) => c.operation.startsWith('Modify')).length;

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

  it('restores the forward already switched when the second modify fails, and says so', async () => {
    const port = failingModifies(w.port, [2]);
    const err = await switchForwards(port, {
      listenerArns: [w.l443, w.l8443],
      slots: w.slots,
      targetSlot: 'green',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SwitchAbortedError);
    const aborted = err as SwitchAbortedError;
    expect(aborted.restored).toBe(1);
    expect(aborted.restoreFailures).toEqual([]);
    expect(aborted.cause).toBeInstanceOf(AwsCallError);
    expect(aborted.message).toMatch(/switched back: the load balancer is back to its previous state/);
    expect(w.state.weightsOf(w.l443)).toEqual({ [w.blue]: 1, [w.green]: 0 });
    expect(w.state.weightsOf(w.rule10)).toEqual({ [w.blue]: 1 });
  });

  it('says plainly that the load balancer is NOT back when restoring fails too', async () => {
    const port = failingModifies(w.port, [2, 3]);
    const err = (await switchForwards(port, {
      listenerArns: [w.l443],
      slots: w.slots,
      targetSlot: 'green',
    }).catch((e: unknown) => e)) as SwitchAbortedError;
    expect(err.restored).toBe(0);
    expect(err.restoreFailures).toEqual([expect.stringContaining(':443 default action')]);
    expect(err.message).toMatch(/NOT back to its previous state/);
    expect(w.state.weightsOf(w.l443)).toEqual({ [w.green]: 1 });
  });

  it('reports that nothing changed when the very first modify fails', async () => {
    w.state.failNext('ModifyListener', 'ListenerNotFound', 'One or more listeners not found');
    const err = (await switchForwards(w.port, {
      listenerArns: [w.l443],
      slots: w.slots,
      targetSlot: 'green',
    }).catch((e: unknown) => e)) as SwitchAbortedError;
    expect(err.restored).toBe(0);
    expect(err.message).toMatch(/ListenerNotFound.*nothing had been changed yet/);
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
      { listenerArn: w.l80, port: 80, priority: '7', ruleArn: offender, weight: 3 },
      { listenerArn: w.l8443, port: 8443, priority: 'default', weight: 1 },
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
});

const checkout: ServiceConfig = serviceConfig({
  listeners: [DEMO.checkout.listenerArn],
  slots: { blue: DEMO.checkout.blueArn, green: DEMO.checkout.greenArn },
  minHealthyTargets: 2,
});

describe('readPrecheck and readLiveSlot', () => {
  it('reads blue as live on the demo and passes the precheck for green', async () => {
    const state = demoState();
    const port = createElbAdapter(fakeElbClient(state));
    expect(await readLiveSlot(port, checkout)).toBe('blue');
    const report = await readPrecheck(port, checkout, 'green');
    expect(report).toMatchObject({ liveSlot: 'blue', targetSlot: 'green', problems: [], warnings: [] });
    expect(report.health).toMatchObject({ slot: 'green', healthy: 2, total: 2 });
    expect(report.forwards).toHaveLength(1);
    expect(report.stickiness.map((s) => [s.slot, s.deregistrationDelaySeconds])).toEqual([
      ['blue', 30],
      ['green', 30],
    ]);
  });

  it('blocks with the unhealthy target named and warns about blue’s stickiness', async () => {
    const state = demoState();
    const [first] = state.targetsOf(DEMO.checkout.greenArn);
    state.setTargetHealth(DEMO.checkout.greenArn, first?.id ?? '', 'unhealthy', 'Target.Timeout');
    state.setTargetGroupAttributes(DEMO.checkout.blueArn, { 'stickiness.enabled': 'true' });
    const report = await readPrecheck(createElbAdapter(fakeElbClient(state)), checkout, 'green');
    expect(report.problems).toEqual([
      `green target ${first?.id}:8080 is unhealthy (Target.Timeout).`,
      'green has 1 healthy target; at least 2 required.',
    ]);
    expect(report.warnings.join(' ')).toMatch(/stickiness is on for blue/);
  });

  it('refuses a slot the service does not have', async () => {
    const report = await readPrecheck(createElbAdapter(fakeElbClient(demoState())), checkout, 'purple');
    expect(report.problems).toEqual(['purple is not a slot of checkout (slots: blue, green).']);
  });
});
