/**
 * The many-services benchmark's world: one simulated ALB ("shop") whose HTTPS listener carries a
 * path rule per service (blue at weight 100, green at 0), other teams' rules up to 100 production
 * rules in all, and, when asked, a few more services (probes) that the benchmark brings to green
 * first and rolls back during the train.
 * Every target group has two healthy targets. The account's rule quota is raised to what the
 * services and their preview rules need (AWS's default is 100 rules per load balancer, adjustable:
 * "Quotas for your Application Load Balancers").
 */
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import { FakeElbState, forward } from '../sandbox/fake-elb/state.js';
import { fastServiceYaml } from '../test/helpers/demo-service-yaml.js';

export interface WorldService {
  name: string;
  channel: string;
  blue: string;
  green: string;
  rule: string;
}

export interface SharedListenerWorld {
  state: FakeElbState;
  /** The services deployed all at once. */
  train: WorldService[];
  /** Services brought to soaking on green first, then rolled back while the train switches. */
  probes: WorldService[];
  configYaml: string;
}

/** Production rules on the listener (services' and other teams'): the 100. */
export const PRODUCTION_RULES = 100;

const pad = (n: number) => String(n).padStart(3, '0');

export function buildSharedListenerWorld(size: number, probes: number): SharedListenerWorld {
  const state = new FakeElbState({ timeScale: 0.01 });
  const services = size + probes;
  state.maxRulesPerLoadBalancer = Math.max(PRODUCTION_RULES, services) + 2 * services + 10;
  const lb = state.addLoadBalancer('shop');
  const notFound: Action[] = [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }];
  const listener = state.addListener({
    loadBalancerArn: lb,
    port: 443,
    protocol: 'HTTPS',
    defaultActions: notFound,
  });
  const group = (name: string, i: number) => {
    const arn = state.addTargetGroup(name, {
      port: 8080,
      attributes: { 'deregistration_delay.timeout_seconds': '30' },
    });
    for (const n of [1, 2])
      state.registerTarget(arn, `i-${name.replace(/[^a-z0-9]/g, '')}${pad(i)}${n}`, 8080, 'healthy');
    return arn;
  };
  const make = (name: string, i: number): WorldService => {
    const blue = group(`${name}-blue`, i);
    const green = group(`${name}-green`, i);
    const rule = state.addRule({
      listenerArn: listener,
      priority: 1_000 + i,
      actions: [forward([blue, 100], [green, 0])],
      conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [`/${name}/*`] } }],
    });
    return { name, channel: `C0${name.toUpperCase().replace(/[^A-Z0-9]/g, '')}`, blue, green, rule };
  };
  const train = Array.from({ length: size }, (_, i) => make(`svc-${pad(i + 1)}`, i + 1));
  const probeServices = Array.from({ length: probes }, (_, i) => make(`probe-${pad(i + 1)}`, 500 + i));
  const others = group('other-team', 999);
  for (let i = services; i < PRODUCTION_RULES; i += 1) {
    state.addRule({
      listenerArn: listener,
      priority: 2_000 + i,
      actions: [forward([others, 1])],
      conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [`/other-${pad(i)}/*`] } }],
    });
  }
  const configYaml = [
    'defaults:',
    '  soak: 30m',
    '  remindBefore: 5m',
    '  approvalTimeout: 30m',
    '  verifyWindow: 2m',
    'services:',
    ...[...train, ...probeServices].flatMap((s) => fastServiceYaml({ ...s, listeners: [listener] })),
    '',
  ].join('\n');
  return { state, train, probes: probeServices, configYaml };
}
