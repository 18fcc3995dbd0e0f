/** Target groups, listeners and forward actions of load balancer "shop" for the forwards unit tests. */
import type { Action, Listener } from '../../src/domain/load-balancer.js';

export const TG = (name: string): string =>
  `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/0123456789abcdef`;
export const BLUE = TG('checkout-blue');
export const GREEN = TG('checkout-green');
export const OTHER = TG('search-blue');
export const LB =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188';
export const L443 =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
export const L80 =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/0000000000000080';

/** A forward to weighted groups: `fwd([BLUE, 1], [GREEN, 0])`. */
export const fwd = (...groups: [string, number][]): Action => ({
  Type: 'forward',
  ForwardConfig: { TargetGroups: groups.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })) },
});

/** A listener of "shop" with these default actions. */
export const listener = (arn: string, port: number, actions: Action[]): Listener => ({
  ListenerArn: arn,
  LoadBalancerArn: LB,
  Port: port,
  DefaultActions: actions,
});
