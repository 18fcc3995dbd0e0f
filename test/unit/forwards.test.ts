import { describe, expect, it } from 'vitest';
import {
  findForwardSites,
  findOffenders,
  forwardGroups,
  liveSlot,
  rewriteActions,
} from '../../src/domain/forwards.js';
import type { Action, Rule } from '../../src/domain/load-balancer.js';
import { BLUE, fwd, GREEN, L80, L443, listener, OTHER, TG } from '../helpers/forward-fixtures.js';

const CANARY = TG('checkout-canary');
const slots = { blue: BLUE, green: GREEN, canary: CANARY };
const oidc: Action = {
  Type: 'authenticate-oidc',
  Order: 1,
  AuthenticateOidcConfig: { Issuer: 'https://idp.example.com', ClientId: 'abc' },
};

describe('forwardGroups', () => {
  it.each<[string, Action, unknown]>([
    [
      'a plain TargetGroupArn forward counts as one group with weight 1',
      { Type: 'forward', TargetGroupArn: BLUE },
      [{ TargetGroupArn: BLUE, Weight: 1 }],
    ],
    [
      'a weighted forward lists every group with its weight',
      fwd([BLUE, 3], [GREEN, 0]),
      [
        { TargetGroupArn: BLUE, Weight: 3 },
        { TargetGroupArn: GREEN, Weight: 0 },
      ],
    ],
    ['a redirect is not a forward', { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS' } }, null],
    ['an authenticate action is not a forward', oidc, null],
  ])('%s', (_name, action, expected) => {
    expect(forwardGroups(action)).toEqual(expected);
  });
});

describe('rewriteActions', () => {
  const cases: [string, Action[], Action[] | null][] = [
    [
      'a plain forward to blue becomes a plain forward to green',
      [{ Type: 'forward', TargetGroupArn: BLUE }],
      [{ Type: 'forward', TargetGroupArn: GREEN }],
    ],
    [
      'a single-group forward config is pointed at green with the same weight',
      [fwd([BLUE, 1])],
      [fwd([GREEN, 1])],
    ],
    [
      'a 50/50 split between the slots sends the summed weight to green',
      [fwd([BLUE, 50], [GREEN, 50])],
      [fwd([GREEN, 100])],
    ],
    ['the summed weight is capped at 999', [fwd([BLUE, 999], [GREEN, 999])], [fwd([GREEN, 999])]],
    [
      'green at weight 0 beside blue replaces blue with blue’s weight',
      [fwd([GREEN, 0], [BLUE, 10])],
      [fwd([GREEN, 10])],
    ],
    [
      'slots that sum to 0 still give green weight 1',
      [fwd([BLUE, 0], [OTHER, 5])],
      [fwd([GREEN, 1], [OTHER, 5])],
    ],
    ['every other slot is removed, not only the live one', [fwd([BLUE, 1], [CANARY, 1])], [fwd([GREEN, 2])]],
    [
      'a group that is not a slot keeps its place and weight',
      [fwd([OTHER, 10], [BLUE, 90])],
      [fwd([OTHER, 10], [GREEN, 90])],
    ],
    ['an action list already pointing at green needs no change', [fwd([GREEN, 1])], null],
    ['a forward with only other groups needs no change', [fwd([OTHER, 1])], null],
    [
      'a redirect-only list needs no change',
      [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', StatusCode: 'HTTP_301' } }],
      null,
    ],
  ];
  it.each(cases)('%s', (_name, actions, expected) => {
    expect(rewriteActions(actions, slots, 'green')).toEqual(expected);
  });

  it('keeps an authenticate action and the forward’s Order untouched', () => {
    const before: Action[] = [oidc, { ...fwd([BLUE, 1]), Order: 2 }];
    expect(rewriteActions(before, slots, 'green')).toEqual([oidc, { ...fwd([GREEN, 1]), Order: 2 }]);
  });

  it('drops group stickiness when one group remains, so AWSALBTG cannot pin clients to blue', () => {
    const sticky: Action = {
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: BLUE, Weight: 1 },
          { TargetGroupArn: GREEN, Weight: 0 },
        ],
        TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 3600 },
      },
    };
    expect(rewriteActions([sticky], slots, 'green')).toEqual([fwd([GREEN, 1])]);
  });

  it('keeps group stickiness when a group that is not a slot remains beside green', () => {
    const sticky: Action = {
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: BLUE, Weight: 5 },
          { TargetGroupArn: OTHER, Weight: 5 },
        ],
        TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 },
      },
    };
    const [out] = rewriteActions([sticky], slots, 'green') ?? [];
    expect(out?.ForwardConfig?.TargetGroups).toEqual([
      { TargetGroupArn: GREEN, Weight: 5 },
      { TargetGroupArn: OTHER, Weight: 5 },
    ]);
    expect(out?.ForwardConfig?.TargetGroupStickinessConfig).toEqual({ Enabled: true, DurationSeconds: 60 });
  });

  it('points a top-level TargetGroupArn (as AWS describes single forwards) at the one remaining group', () => {
    const described: Action = {
      Type: 'forward',
      TargetGroupArn: BLUE,
      ForwardConfig: {
        TargetGroups: [{ TargetGroupArn: BLUE, Weight: 1 }],
        TargetGroupStickinessConfig: { Enabled: false },
      },
    };
    const [out] = rewriteActions([described], slots, 'green') ?? [];
    expect(out).toEqual({
      Type: 'forward',
      TargetGroupArn: GREEN,
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: GREEN, Weight: 1 }] },
    });
  });

  it('removes a top-level TargetGroupArn when several groups remain', () => {
    const action: Action = { ...fwd([BLUE, 1], [OTHER, 1]), TargetGroupArn: BLUE };
    const [out] = rewriteActions([action], slots, 'green') ?? [];
    expect(out).not.toHaveProperty('TargetGroupArn');
  });

  it.each([
    ['a plain forward', [{ Type: 'forward', TargetGroupArn: BLUE }] as Action[]],
    ['a weighted split', [fwd([BLUE, 30], [GREEN, 70], [OTHER, 5])]],
    [
      'a sticky described forward',
      [
        {
          Type: 'forward',
          TargetGroupArn: BLUE,
          ForwardConfig: {
            TargetGroups: [{ TargetGroupArn: BLUE, Weight: 1 }],
            TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 10 },
          },
        },
      ] as Action[],
    ],
  ])('is idempotent: rewriting %s twice changes nothing the second time', (_name, actions) => {
    const once = rewriteActions(actions, slots, 'green');
    expect(once).not.toBeNull();
    expect(rewriteActions(once ?? [], slots, 'green')).toBeNull();
  });

  it('refuses a target that is not a slot', () => {
    expect(() => rewriteActions([fwd([BLUE, 1])], slots, 'purple')).toThrow(/not one of the slots/);
  });
});

const rule = (n: number, actions: Action[], isDefault = false): Rule => ({
  RuleArn: `${L443.replace(':listener/', ':listener-rule/')}/00000000000000${n}`,
  Priority: isDefault ? 'default' : String(n),
  IsDefault: isDefault,
  Actions: actions,
});

describe('findForwardSites and liveSlot', () => {
  const listeners = [listener(L443, 443, [fwd([BLUE, 1])])];
  const rules = new Map([
    [
      L443,
      [
        rule(20, [fwd([OTHER, 1])]),
        rule(10, [oidc, fwd([BLUE, 80], [GREEN, 20])]),
        rule(99, [fwd([BLUE, 1])], true),
      ],
    ],
  ]);

  it('lists the default action and each slot-referencing rule in priority order, skipping the default rule', () => {
    const sites = findForwardSites(listeners, rules, slots);
    expect(sites.map((s) => [s.port, s.priority])).toEqual([
      [443, 'default'],
      [443, '10'],
    ]);
    expect(sites[1]?.groups).toEqual([
      { name: 'blue', arn: BLUE, weight: 80 },
      { name: 'green', arn: GREEN, weight: 20 },
    ]);
    expect(sites[1]?.ruleArn).toMatch(/listener-rule/);
  });

  it('names groups that are not slots by their target group name', () => {
    const sites = findForwardSites([listener(L443, 443, [fwd([BLUE, 1], [OTHER, 1])])], new Map(), slots);
    expect(sites[0]?.groups.map((g) => g.name)).toEqual(['blue', 'search-blue']);
  });

  it('reports group stickiness of a forward', () => {
    const action: Action = { ...fwd([BLUE, 1], [GREEN, 0]) };
    action.ForwardConfig = {
      ...action.ForwardConfig,
      TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 600 },
    };
    const [site] = findForwardSites([listener(L443, 443, [action])], new Map(), slots);
    expect(site?.groupStickiness).toEqual({ enabled: true, durationSeconds: 600 });
  });

  it.each<[string, Action[], string | null]>([
    ['blue when every slot weight goes to blue', [fwd([BLUE, 1], [GREEN, 0])], 'blue'],
    ['mixed when two slots receive weight', [fwd([BLUE, 1], [GREEN, 1])], 'mixed'],
    ['null when the slots have weight 0', [fwd([BLUE, 0], [OTHER, 1])], null],
  ])('the live slot is %s', (_name, actions, expected) => {
    const sites = findForwardSites([listener(L443, 443, actions)], new Map(), slots);
    expect(liveSlot(sites, slots)).toBe(expected);
  });

  it('is mixed when one site sends everything to blue and another everything to green', () => {
    const sites = findForwardSites(listeners, new Map([[L443, [rule(5, [fwd([GREEN, 1])])]]]), slots);
    expect(liveSlot(sites, slots)).toBe('mixed');
  });
});

describe('findOffenders', () => {
  it('names every default action and rule of any listener still forwarding to the old group', () => {
    const listeners = [listener(L443, 443, [fwd([GREEN, 1])]), listener(L80, 80, [fwd([BLUE, 1])])];
    const rules = new Map([
      [L443, [rule(10, [fwd([GREEN, 1], [BLUE, 0])]), rule(30, [oidc, fwd([BLUE, 7], [OTHER, 1])])]],
      [L80, [rule(1, [fwd([BLUE, 1])], true)]],
    ]);
    expect(findOffenders(listeners, rules, BLUE)).toEqual([
      {
        listenerArn: L443,
        port: 443,
        priority: '30',
        ruleArn: rule(30, []).RuleArn,
        weight: 7,
        reason: 'weight',
      },
      { listenerArn: L80, port: 80, priority: 'default', weight: 1, reason: 'weight' },
    ]);
  });

  it('finds nothing when the old group has weight 0 everywhere', () => {
    expect(findOffenders([listener(L443, 443, [fwd([GREEN, 1], [BLUE, 0])])], new Map(), BLUE)).toEqual([]);
  });
});
