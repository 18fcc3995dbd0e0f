/**
 * The chaos run's world: one simulated ALB ("shop") carrying `count` services, each with blue and
 * green target groups of two healthy targets and two production forwards — a host rule on :443 and
 * one on :80 — so a switch that stops half-way shows as split traffic. Production rules sit at
 * priorities 10001+ so that the preview rules Greenlight creates (lowest free priority) come first.
 */
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import { FakeElbState, forward } from '../sandbox/fake-elb/state.js';
import { fastServiceYaml } from '../test/helpers/demo-service-yaml.js';

export interface ChaosService {
  name: string;
  channel: string;
  blue: string;
  green: string;
  /** The production forwards (rule ARNs) that must always agree. */
  forwards: string[];
}

export interface ChaosWorld {
  state: FakeElbState;
  services: ChaosService[];
  configYaml: string;
}

export interface ChaosTimings {
  soak: string;
  remindBefore: string;
  verifyWindow: string;
}

const pad = (n: number) => String(n).padStart(3, '0');

export function buildWorld(count: number, timings: ChaosTimings, timeScale: number): ChaosWorld {
  const state = new FakeElbState({ timeScale });
  // 4 rules per service (2 production, 2 preview): the account has asked AWS for a higher quota.
  state.maxRulesPerLoadBalancer = Math.max(100, count * 4 + 10);
  const lb = state.addLoadBalancer('shop');
  const notFound: Action[] = [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }];
  const https = state.addListener({
    loadBalancerArn: lb,
    port: 443,
    protocol: 'HTTPS',
    defaultActions: notFound,
  });
  const http = state.addListener({
    loadBalancerArn: lb,
    port: 80,
    protocol: 'HTTP',
    defaultActions: notFound,
  });
  const services: ChaosService[] = [];
  for (let i = 1; i <= count; i += 1) {
    const name = `svc-${pad(i)}`;
    const tg = (slot: string) => {
      const arn = state.addTargetGroup(`${name}-${slot}`, {
        port: 8080,
        attributes: { 'deregistration_delay.timeout_seconds': '30' },
      });
      for (const n of [1, 2]) state.registerTarget(arn, `i-${slot[0]}${pad(i)}${n}`, 8080, 'healthy');
      return arn;
    };
    const blue = tg('blue');
    const green = tg('green');
    const host = [{ Field: 'host-header', HostHeaderConfig: { Values: [`${name}.shop.example.com`] } }];
    const forwards = [https, http].map((listenerArn) =>
      state.addRule({ listenerArn, priority: 10_000 + i, actions: [forward([blue, 1])], conditions: host }),
    );
    services.push({ name, channel: `C0SVC${pad(i)}`, blue, green, forwards });
  }
  const configYaml = [
    'defaults:',
    `  soak: ${timings.soak}`,
    `  remindBefore: ${timings.remindBefore}`,
    '  approvalTimeout: 30m',
    `  verifyWindow: ${timings.verifyWindow}`,
    'services:',
    ...services.flatMap((s) => fastServiceYaml({ ...s, listeners: [https, http] })),
    '',
  ].join('\n');
  return { state, services, configYaml };
}
