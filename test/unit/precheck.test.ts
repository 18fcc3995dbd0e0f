import { describe, expect, it } from 'vitest';
import { findForwardSites } from '../../src/domain/forwards.js';
import type { Action } from '../../src/domain/load-balancer.js';
import { evaluatePrecheck, type PrecheckInput, stickinessOf } from '../../src/domain/precheck.js';

const BLUE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-blue/0123456789abcdef';
const GREEN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-green/0123456789abcdef';
const slots = { blue: BLUE, green: GREEN };
const L443 =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
const blueForward: Action = {
  Type: 'forward',
  ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE, Weight: 1 }] },
};
const listener = {
  ListenerArn: L443,
  LoadBalancerArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
  Port: 443,
  DefaultActions: [blueForward],
};

describe('stickinessOf', () => {
  it.each<[string, Record<string, string>, unknown]>([
    [
      'defaults the deregistration delay to 300 s',
      {},
      { slot: 'blue', enabled: false, deregistrationDelaySeconds: 300 },
    ],
    [
      'reads lb_cookie stickiness',
      {
        'stickiness.enabled': 'true',
        'stickiness.type': 'lb_cookie',
        'stickiness.lb_cookie.duration_seconds': '86400',
        'deregistration_delay.timeout_seconds': '30',
      },
      {
        slot: 'blue',
        enabled: true,
        type: 'lb_cookie',
        durationSeconds: 86400,
        deregistrationDelaySeconds: 30,
      },
    ],
    [
      'reads app_cookie stickiness',
      {
        'stickiness.enabled': 'true',
        'stickiness.type': 'app_cookie',
        'stickiness.app_cookie.duration_seconds': '60',
        'stickiness.lb_cookie.duration_seconds': '86400',
      },
      {
        slot: 'blue',
        enabled: true,
        type: 'app_cookie',
        durationSeconds: 60,
        deregistrationDelaySeconds: 300,
      },
    ],
  ])('%s', (_name, attributes, expected) => {
    expect(stickinessOf('blue', attributes)).toEqual(expected);
  });
});

describe('evaluatePrecheck', () => {
  const healthy = {
    slot: 'green',
    targetGroupArn: GREEN,
    targets: [
      { id: 'i-1', port: 80, state: 'healthy' },
      { id: 'i-2', port: 80, state: 'healthy' },
    ],
    healthy: 2,
    total: 2,
  };
  const site = findForwardSites([listener], new Map(), slots);
  const base: PrecheckInput = {
    targetSlot: 'green',
    liveSlot: 'blue',
    health: healthy,
    sites: site,
    stickiness: [stickinessOf('blue', {}), stickinessOf('green', {})],
    minHealthyTargets: 2,
    soakMs: 3_600_000,
  };

  it('passes with no problem and no warning when green is healthy and blue is live', () => {
    const r = evaluatePrecheck(base);
    expect([r.problems, r.warnings]).toEqual([[], []]);
  });

  it.each<[string, Partial<PrecheckInput>, RegExp]>([
    ['the target is already live', { liveSlot: 'green' }, /green is already live/],
    ['no forward references the slots', { sites: [], liveSlot: null }, /No forward .* references/],
    ['no slot receives traffic', { liveSlot: null }, /No slot receives traffic/],
    [
      'a target is not healthy',
      {
        health: {
          ...healthy,
          healthy: 1,
          targets: [
            healthy.targets[0]!,
            { id: 'i-2', port: 80, state: 'unhealthy', reason: 'Target.FailedHealthChecks' },
          ],
        },
      },
      /green target i-2:80 is unhealthy \(Target\.FailedHealthChecks\)/,
    ],
    ['too few healthy targets', { minHealthyTargets: 3 }, /green has 2 healthy targets; at least 3 required/],
  ])('blocks when %s', (_name, patch, message) => {
    const r = evaluatePrecheck({ ...base, ...patch });
    expect(r.problems.join('\n')).toMatch(message);
  });

  it.each<[string, Partial<PrecheckInput>, RegExp]>([
    ['traffic is split', { liveSlot: 'mixed' }, /split between slots.*all of it to green/],
    [
      'blue has target-group stickiness',
      {
        stickiness: [
          stickinessOf('blue', {
            'stickiness.enabled': 'true',
            'stickiness.type': 'lb_cookie',
            'stickiness.lb_cookie.duration_seconds': '86400',
          }),
          stickinessOf('green', {}),
        ],
      },
      /stickiness is on for blue \(lb_cookie, 1d\).*removes blue from every forward/,
    ],
    [
      'a forward has group stickiness',
      { sites: [{ ...site[0]!, groupStickiness: { enabled: true, durationSeconds: 3600 } }] },
      /Group stickiness \(cookie AWSALBTG, 1h\) is on for the :443 default action.*cannot pin/,
    ],
    [
      'blue drains for longer than the soak',
      { soakMs: 60_000 },
      /blue's deregistration delay \(5m\) is longer than the soak \(1m\)/,
    ],
  ])('warns without blocking when %s', (_name, patch, message) => {
    const r = evaluatePrecheck({ ...base, ...patch });
    expect(r.problems).toEqual([]);
    expect(r.warnings.join('\n')).toMatch(message);
  });

  const sticky = (seconds: string) =>
    stickinessOf('blue', {
      'stickiness.enabled': 'true',
      'stickiness.type': 'lb_cookie',
      'stickiness.lb_cookie.duration_seconds': seconds,
    });
  const outlasts = (r: { warnings: string[] }) => r.warnings.filter((w) => /longer than the soak/.test(w));

  it('warns that clients can stay pinned past teardown when blue’s stickiness outlasts the soak', () => {
    const r = evaluatePrecheck({ ...base, stickiness: [sticky('604800'), stickinessOf('green', {})] });
    expect(r.problems).toEqual([]);
    expect(outlasts(r)).toEqual([
      "blue's stickiness (lb_cookie, 7d) lasts longer than the soak (1h): clients can stay pinned to blue past its teardown.",
    ]);
  });

  it('does not warn about stickiness shorter than the soak, or about the target slot’s own', () => {
    const green = stickinessOf('green', {
      'stickiness.enabled': 'true',
      'stickiness.lb_cookie.duration_seconds': '604800',
    });
    expect(outlasts(evaluatePrecheck({ ...base, stickiness: [sticky('600'), green] }))).toEqual([]);
  });

  it('warns once for every forward whose group stickiness outlasts the soak', () => {
    const long = (i: number) => ({
      ...site[0]!,
      priority: String(i),
      groupStickiness: { enabled: true, durationSeconds: 86_400 * (i + 1) },
    });
    const r = evaluatePrecheck({ ...base, sites: [0, 1, 2, 3, 4].map(long) });
    expect(outlasts(r)).toEqual([
      'Group stickiness on 5 forwards (:443 rule 0, :443 rule 1, :443 rule 2 and 2 more) lasts up to 5d, longer than the soak (1h): clients can stay pinned past teardown.',
    ]);
  });

  it('says when a forward keeps group stickiness across both slots, in its single stickiness warning', () => {
    const both = {
      ...site[0]!,
      groups: [...site[0]!.groups, { name: 'green', arn: GREEN, weight: 0 }],
      groupStickiness: { enabled: true, durationSeconds: 600 },
    };
    const r = evaluatePrecheck({ ...base, sites: [both] });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(
      /^Group stickiness \(cookie AWSALBTG, 10m\) is on for the :443 default action, which forwards to blue and green \(a client holding the cookie stays on its slot whatever the weights\)/,
    );
  });

  it('does not claim a forward spans both slots when it forwards to one', () => {
    const one = { ...site[0]!, groupStickiness: { enabled: true, durationSeconds: 600 } };
    const r = evaluatePrecheck({ ...base, sites: [one] });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).not.toContain('forwards to');
  });
});
