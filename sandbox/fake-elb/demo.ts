/**
 * The demo world of the sandbox: load balancer "shop" with two services, each with blue and
 * green target groups of two healthy targets, tagged with the version and commit they run.
 *   :443 (HTTPS)  default   → checkout-blue (weight 1), checkout-green (weight 0)
 *                 rule 10   host api.shop.example.com, path /search* → search-blue
 *   :80  (HTTP)   default   → redirect to HTTPS
 * ARNs are deterministic, so `DEMO` (and a config written from it) matches every demoState().
 */
import { FakeElbState, forward } from './state.js';

export interface DemoArns {
  loadBalancerArn: string;
  httpsListenerArn: string;
  httpListenerArn: string;
  checkout: { listenerArn: string; blueArn: string; greenArn: string };
  search: { listenerArn: string; ruleArn: string; blueArn: string; greenArn: string };
}

export interface DemoOptions {
  now?: () => number;
  /** Multiplies AWS's durations (health checks, deregistration delay); see FakeElbState. */
  timeScale?: number;
  /** Also add the classic incident: a rule on :80 that still forwards /checkout* to checkout-blue. */
  forgottenRule?: boolean;
}

function build(opts: DemoOptions = {}): { state: FakeElbState; arns: DemoArns } {
  const state = new FakeElbState({
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.timeScale !== undefined ? { timeScale: opts.timeScale } : {}),
  });
  const lb = state.addLoadBalancer('shop');
  // Each group is tagged with what its slot runs, as a deploy pipeline would tag it.
  const tg = (name: string, hosts: string[], tags: Record<string, string>) => {
    const arn = state.addTargetGroup(name, {
      port: 8080,
      attributes: { 'deregistration_delay.timeout_seconds': '30' },
      tags,
    });
    for (const id of hosts) state.registerTarget(arn, id, 8080, 'healthy');
    return arn;
  };
  const checkoutBlue = tg('checkout-blue', ['i-0c0b1e0000000001a', 'i-0c0b1e0000000002a'], {
    version: '1.41.2',
    commit: '9b1d4e07c2a35f8e6d0b7a1c4e2f9d3b8a6c5e10',
  });
  const checkoutGreen = tg('checkout-green', ['i-0c06ee0000000001b', 'i-0c06ee0000000002b'], {
    version: '1.42.0',
    commit: '3f9c2e1d7a4b8c6e0f2a5d9b1c3e7f4a6b8d0c2e',
  });
  const searchBlue = tg('search-blue', ['i-05eb1e0000000001c', 'i-05eb1e0000000002c'], {
    version: '2.7.0',
  });
  const searchGreen = tg('search-green', ['i-05e6ee0000000001d', 'i-05e6ee0000000002d'], {
    version: '2.8.0-rc.1',
  });

  const https = state.addListener({
    loadBalancerArn: lb,
    port: 443,
    protocol: 'HTTPS',
    defaultActions: [forward([checkoutBlue, 1], [checkoutGreen, 0])],
  });
  const http = state.addListener({
    loadBalancerArn: lb,
    port: 80,
    protocol: 'HTTP',
    defaultActions: [
      {
        Type: 'redirect',
        RedirectConfig: {
          Protocol: 'HTTPS',
          Port: '443',
          Host: '#{host}',
          Path: '/#{path}',
          Query: '#{query}',
          StatusCode: 'HTTP_301',
        },
      },
    ],
  });
  const searchRule = state.addRule({
    listenerArn: https,
    priority: 10,
    actions: [{ Type: 'forward', TargetGroupArn: searchBlue }],
    conditions: [
      { Field: 'host-header', HostHeaderConfig: { Values: ['api.shop.example.com'] } },
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/search*'] } },
    ],
  });
  if (opts.forgottenRule) {
    state.addRule({
      listenerArn: http,
      priority: 5,
      actions: [{ Type: 'forward', TargetGroupArn: checkoutBlue }],
      conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/checkout*'] } }],
    });
  }
  return {
    state,
    arns: {
      loadBalancerArn: lb,
      httpsListenerArn: https,
      httpListenerArn: http,
      checkout: { listenerArn: https, blueArn: checkoutBlue, greenArn: checkoutGreen },
      search: { listenerArn: https, ruleArn: searchRule, blueArn: searchBlue, greenArn: searchGreen },
    },
  };
}

/** A fresh demo world (each call is independent). */
export function demoState(opts: DemoOptions = {}): FakeElbState {
  return build(opts).state;
}

/** The demo's ARNs, identical for every demoState(). */
export const DEMO: DemoArns = build().arns;
