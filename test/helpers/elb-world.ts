/** A small fake-ELB world for the switch tests: load balancer "shop", checkout blue/green. */

import { fakeElbClient } from '../../sandbox/fake-elb/client.js';
import { FakeElbState, forward } from '../../sandbox/fake-elb/state.js';
import type { ElbPort } from '../../src/app/ports/elb.js';
import { createElbAdapter } from '../../src/aws/elb-sdk-adapter.js';
import { AwsCallError } from '../../src/errors.js';

export interface World {
  state: FakeElbState;
  port: ElbPort;
  lb: string;
  blue: string;
  green: string;
  /** :443, default action forward(blue 1, green 0), rule 10 → blue. */
  l443: string;
  /** :8443, default action → blue (plain TargetGroupArn). */
  l8443: string;
  /** :80, default action fixed-response. */
  l80: string;
  rule10: string;
  slots: Record<string, string>;
}

export function world(): World {
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
    lb,
    blue,
    green,
    l443,
    l8443,
    l80,
    rule10,
    slots: { blue, green },
  };
}

/**
 * Fails the modify calls whose 1-based positions are listed (counting ModifyListener and
 * ModifyRule together), before they reach the load balancer: such a call changes nothing.
 */
export function failingModifies(port: ElbPort, positions: number[]): ElbPort {
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

export const operations = (state: FakeElbState, prefix = '') =>
  state.calls.map((c) => c.operation).filter((op) => op.startsWith(prefix));
