import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { checkEvidence, type EvidenceDeps } from '../../src/aws/check-evidence.js';
import {
  type ConfigResult,
  formatProblems,
  loadConfigFile,
  parseConfigText,
  resolveConfig,
} from '../../src/config/load-config.js';
import { DEFAULTS, type RawConfig } from '../../src/config/schema.js';

const EXAMPLE = fileURLToPath(new URL('../../greenlight.example.yml', import.meta.url));
const L1 =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
const L2 =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/aaaaaaaaaaaaaaaa';
const L_WEST =
  'arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
const BLUE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-blue/73e2d6bc24d8a067';
const GREEN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-green/09966783158cda59';
const GREEN_OTHER_ACCOUNT =
  'arn:aws:elasticloadbalancing:us-east-1:210987654321:targetgroup/checkout-green/09966783158cda59';

function service(extra = ''): string {
  return `
    channel: C0DEPLOYS
    listeners: [${L1}]
    slots: { blue: ${BLUE}, green: ${GREEN} }
    approvers: { users: [U0APPROVER] }${extra}`;
}

/** `12:5: ` at the start of a problem: where it is in the file (config-errors.test.ts checks them). */
const POSITION = /^\d+:\d+: /;

/** The problems of a result, without their line:column. */
function withoutPositions(r: ConfigResult): string[] {
  return (r.ok ? [] : r.problems).map((p) => p.replace(POSITION, ''));
}

/** The problems of a file that does not load, without their line:column. */
function problemsOf(yaml: string): string[] {
  const r = parseConfigText(yaml);
  expect(r.ok).toBe(false);
  return withoutPositions(r);
}

describe('loading a valid configuration', () => {
  it('loads the example file with defaults and overrides applied', () => {
    const r = loadConfigFile(EXAMPLE);
    expect(r).toMatchObject({ ok: true });
    const svc = r.ok ? r.config.services['checkout'] : undefined;
    expect(svc).toEqual({
      name: 'checkout',
      channel: 'C0DEPLOYS',
      listeners: [L1],
      slots: { blue: BLUE, green: GREEN },
      approvers: { users: ['U0APPROVER'], usergroups: ['S0SRE'] },
      allowSelfApproval: false,
      preview: { listenerArn: L1, header: 'X-Greenlight-Slot' },
      soakMs: 24 * 3_600_000,
      remindBeforeMs: 3_600_000,
      approvalTimeoutMs: 30 * 60_000,
      verifyWindowMs: 5 * 60_000,
      minHealthyTargets: 1,
      versionTags: ['version', 'commit'],
      traffic: { toleranceRequests: 0, periodMs: 60_000, pollIntervalMs: 20_000, allowIdle: false },
      gates: {
        minRequests: 20,
        loadBalancerErrors: true,
        alarms: [],
        autoRollback: false,
        watchIntervalMs: 60_000,
      },
      compute: {},
      computeTimeoutMs: 600_000,
      hourlyCost: {},
    });
  });

  it('applies built-in defaults, then the defaults block, then the service’s own values', () => {
    const r = parseConfigText(`
defaults:
  soak: 2h
  verifyWindow: 10m
services:
  checkout:${service('\n    soak: 3h\n    minHealthyTargets: 2\n    allowSelfApproval: true')}
  search:${service()}
`);
    if (!r.ok) throw new Error(formatProblems(r.problems));
    expect(r.config.services['checkout']).toMatchObject({
      soakMs: 3 * 3_600_000,
      verifyWindowMs: 10 * 60_000,
      remindBeforeMs: DEFAULTS.remindBeforeMs,
      approvalTimeoutMs: DEFAULTS.approvalTimeoutMs,
      minHealthyTargets: 2,
      allowSelfApproval: true,
    });
    expect(r.config.services['search']).toMatchObject({
      name: 'search',
      soakMs: 2 * 3_600_000,
      minHealthyTargets: 1,
    });
    expect(r.config.services['search']?.deployers).toBeUndefined();
  });

  it('keeps deployers when configured, with missing lists defaulting to empty', () => {
    const r = parseConfigText(
      `services:\n  checkout:${service('\n    deployers: { usergroups: [S0DEVS] }')}\n`,
    );
    expect(r.ok && r.config.services['checkout']?.deployers).toEqual({ users: [], usergroups: ['S0DEVS'] });
  });

  it('does not resolve Object prototype members as services or slots', () => {
    const r = parseConfigText(`services:\n  checkout:${service()}\n`);
    if (!r.ok) throw new Error(formatProblems(r.problems));
    expect(r.config.services['constructor']).toBeUndefined();
    expect(r.config.services['checkout']?.slots['toString']).toBeUndefined();
  });

  it('resolves a parsed configuration without a defaults block', () => {
    const raw = {
      defaults: {},
      services: {
        checkout: {
          channel: 'C1',
          listeners: [L1],
          slots: { blue: BLUE, green: GREEN },
          approvers: { users: ['U1'], usergroups: [] },
          allowSelfApproval: false,
          remindBefore: 60_000,
        },
      },
    } as RawConfig;
    expect(resolveConfig(raw).services['checkout']).toMatchObject({
      name: 'checkout',
      remindBeforeMs: 60_000,
    });
  });
});

describe('traffic and gate settings', () => {
  const svcOf = (extra: string, opts: { simulatedMetrics?: boolean } = {}) => {
    const r = parseConfigText(`services:\n  checkout:${service(extra)}\n`, undefined, opts);
    if (!r.ok) throw new Error(formatProblems(r.problems));
    return r.config.services['checkout'];
  };

  it('defaults allowIdle to false and minRequests to 20', () => {
    const svc = svcOf('');
    expect(svc?.traffic.allowIdle).toBe(false);
    expect(svc?.gates.minRequests).toBe(20);
  });

  it('takes allowIdle and minRequests from the service', () => {
    const svc = svcOf(
      '\n    traffic: { allowIdle: true }\n    gates: { maxErrorRate: 0.01, minRequests: 200 }',
    );
    expect(svc?.traffic.allowIdle).toBe(true);
    expect(svc?.gates).toMatchObject({ maxErrorRate: 0.01, minRequests: 200 });
  });

  it.each(['60s', '2m', '300s'])('accepts the ALB period %s', (period) => {
    expect(
      svcOf(`\n    verifyWindow: 1h\n    traffic: { period: ${period} }`)?.traffic.periodMs,
    ).toBeGreaterThan(0);
  });

  it.each(['1s', '5s', '10s', '30s', '1000ms'])(
    'accepts the sub-minute period %s for the simulated endpoint only, and says why elsewhere',
    (period) => {
      const extra = `\n    verifyWindow: 1h\n    traffic: { period: ${period} }`;
      expect(svcOf(extra, { simulatedMetrics: true })?.traffic.periodMs).toBeGreaterThan(0);
      expect(problemsOf(`services:\n  checkout:${service(extra)}\n`)).toEqual([
        expect.stringMatching(
          /^services\.checkout\.traffic\.period: \d+s is served only by the sandbox's simulated endpoint; real ALB metrics are standard resolution/,
        ),
      ]);
    },
  );

  it.each(['45s', '90s', '2s', '1500ms', '61s'])(
    'refuses the period %s, which CloudWatch does not serve',
    (period) => {
      expect(
        problemsOf(`services:\n  checkout:${service(`\n    traffic: { period: ${period} }`)}\n`),
      ).toEqual([
        'services.checkout.traffic.period: the period must be a multiple of 60s (ALB metrics), or 1s, 5s, 10s or 30s (sandbox only)',
      ]);
    },
  );

  it('refuses a negative or fractional minRequests and a non-boolean allowIdle', () => {
    const problems = problemsOf(
      `services:\n  checkout:${service('\n    traffic: { allowIdle: sometimes }\n    gates: { minRequests: -1 }')}\n`,
    );
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toMatch(/services\.checkout\.traffic\.allowIdle/);
    expect(problems.join('\n')).toMatch(/services\.checkout\.gates\.minRequests/);
  });
});

describe('check-config: the traffic period against real AWS', () => {
  // Parsed as for a simulated endpoint: these tests are about check-config's own look at AWS.
  const config = (period: string) => {
    const r = parseConfigText(
      `services:\n  checkout:${service(`\n    verifyWindow: 1h\n    traffic: { period: ${period} }`)}\n`,
      undefined,
      { simulatedMetrics: true },
    );
    if (!r.ok) throw new Error(formatProblems(r.problems));
    return r.config;
  };
  const deps = (cloudwatchEndpoint?: string | null): EvidenceDeps => ({
    cloudwatch: { getMetricData: async () => [], describeAlarms: async () => [] },
    ecs: { describeService: async () => undefined } as unknown as EvidenceDeps['ecs'],
    asg: { describeGroup: async () => undefined } as unknown as EvidenceDeps['asg'],
    secret: () => undefined,
    ...(cloudwatchEndpoint !== undefined ? { cloudwatchEndpoint } : {}),
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('names a period ALB metrics cannot be read in when CloudWatch is AWS itself', async () => {
    const { problems } = await checkEvidence(config('10s'), deps(null));
    expect(problems).toEqual([
      'services.checkout.traffic.period: 10 s is not a multiple of 60 s; ALB metrics are standard resolution and CloudWatch serves them only in multiples of 60 s, so verification would find no traffic. Periods of 1, 5, 10 or 30 s are for the sandbox.',
    ]);
    expect((await checkEvidence(config('2m'), deps(null))).problems).toEqual([]);
  });

  it('accepts a sandbox period against a simulated endpoint', async () => {
    expect((await checkEvidence(config('10s'), deps('http://127.0.0.1:4566'))).problems).toEqual([]);
  });

  it('looks at AWS_ENDPOINT_URL when not told where CloudWatch is', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_CLOUDWATCH', '');
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:4566');
    expect((await checkEvidence(config('1s'), deps())).problems).toEqual([]);
    vi.stubEnv('AWS_ENDPOINT_URL', '');
    expect((await checkEvidence(config('1s'), deps())).problems).toHaveLength(1);
  });
});

describe('reporting problems', () => {
  it('reports every problem at once, each with its dotted path', () => {
    const problems = problemsOf(`
extra: 1
defaults:
  soak: 3x
  sok: 1h
services:
  Checkout:${service()}
  status:${service()}
  search:
    channel: general
    listeners: [${L1}, not-an-arn]
    slots: { blue: ${BLUE}, green: nope, Purple: ${GREEN} }
    approvers: { users: [bob], usergroups: [S0SRE], groups: [] }
    minHealthyTargets: "2"
    verifyWindow: 300
  catalog:
    channel: C0CAT
    listeners: []
    slots: { blue: ${BLUE} }
`);
    const expected = [
      'extra: unknown key (the top level accepts defaults, services, events)',
      'defaults.soak: "3x" is not a duration such as 30s, 5m, 2h, 1d or 1h30m',
      'defaults.sok: unknown key; did you mean soak? (defaults accepts soak, remindBefore, approvalTimeout, verifyWindow, minHealthyTargets, aws)',
      'services.Checkout: invalid name: service names are lower-case, digits and dashes',
      'services.status: "status" is a command word',
      'services.search.channel: not a Slack channel id',
      'services.search.listeners.1: not an ALB listener ARN',
      'services.search.slots.green: not a target group ARN',
      'services.search.slots.Purple: invalid name: slot names are lower-case words',
      'services.search.approvers.users.0: not a Slack user id',
      'services.search.approvers.groups: unknown key (approvers accepts users, usergroups)',
      'services.search.minHealthyTargets: expected a number, got text',
      'services.search.verifyWindow: expected a duration such as',
      'services.catalog.listeners: name at least one listener ARN',
      'services.catalog.slots: a service needs at least two slots',
      'services.catalog.approvers: missing; expected a mapping',
    ];
    for (const e of expected) expect(problems.some((p) => p.startsWith(e))).toBe(true);
    expect(problems).toHaveLength(expected.length);
  });

  it.each([
    [
      'a service value',
      'services:\n  checkout:' + service('\n    soak: 1h\n    remindBefore: 1h'),
      'services.checkout.remindBefore: remindBefore (1h) must be shorter than soak (1h)',
    ],
    [
      'a service soak under the default reminder',
      'services:\n  checkout:' + service('\n    soak: 30m'),
      'services.checkout.soak: remindBefore (1h) must be shorter than soak (30m)',
    ],
    [
      'the defaults block',
      'defaults: { soak: 2h, remindBefore: 3h }\nservices:\n  checkout:' + service(),
      'defaults.remindBefore: remindBefore (3h) must be shorter than soak (2h)',
    ],
  ])('reports a reminder not shorter than the soak from %s at its source', (_name, yaml, expected) => {
    expect(problemsOf(yaml)).toEqual([expected]);
  });

  it('reports listeners of one service in different regions', () => {
    const yaml = `services:\n  checkout:${service().replace(`[${L1}]`, `[${L1}, ${L2}, ${L_WEST}]`)}\n`;
    expect(problemsOf(yaml)).toEqual([
      'services.checkout.listeners.2: in region us-west-2, account 123456789012 but listeners.0 is in region ' +
        'us-east-1, account 123456789012; all listeners of a service must be in one region and account',
    ]);
  });

  it('reports a slot in another account than the listeners', () => {
    const yaml = `services:\n  checkout:${service().replace(`green: ${GREEN}`, `green: ${GREEN_OTHER_ACCOUNT}`)}\n`;
    expect(problemsOf(yaml)).toEqual([
      'services.checkout.slots.green: target group is in region us-east-1, account 210987654321 but the ' +
        'listeners are in region us-east-1, account 123456789012',
    ]);
  });

  it('reports a YAML syntax error once, with line and column', () => {
    const r = parseConfigText('services:\n  checkout: [1\n  search: 2\n', 'greenlight.yml');
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^greenlight\.yml:3:3: YAML syntax error: Flow sequence in block collection/);
  });

  it('reports duplicate keys as a syntax error at the second key', () => {
    const r = parseConfigText(`services:\n  checkout:${service()}\n  checkout:${service()}\n`);
    expect(r.ok === false && r.problems).toEqual([
      expect.stringMatching(/^7:3: YAML syntax error: Map keys must be unique/),
    ]);
  });

  it.each([
    ['an empty file', '', 'the file is empty'],
    ['a comment-only file', '# nothing\n', 'the file is empty'],
    [
      'a list at the top',
      '- a\n- b\n',
      '(top level): expected a mapping of keys to values (defaults, services, events), got a list',
    ],
    ['no services', 'services: {}\n', 'services: define at least one service'],
  ])('reports %s', (_name, yaml, expected) => {
    expect(problemsOf(yaml)[0]).toContain(expected);
  });

  it('reports a missing file with its path and reason', () => {
    const path = join(tmpdir(), 'greenlight-does-not-exist', 'greenlight.yml');
    expect(loadConfigFile(path)).toEqual({
      ok: false,
      problems: [`${path}: cannot read the configuration file (no such file)`],
    });
  });

  describe('with a file on disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'greenlight-config-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('names the file in a syntax error', () => {
      const path = join(dir, 'bad.yml');
      writeFileSync(path, 'services:\n\t- x\n');
      const r = loadConfigFile(path);
      expect(r.ok === false && r.problems[0]).toMatch(
        new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:1: YAML syntax error: Tabs`),
      );
    });

    it('reports a directory as unreadable', () => {
      expect(loadConfigFile(dir)).toEqual({
        ok: false,
        problems: [`${dir}: cannot read the configuration file (it is a directory)`],
      });
    });
  });
});

describe('formatProblems', () => {
  it.each([
    [['a: x'], 'The configuration has 1 problem:\n  - a: x'],
    [['a: x', 'b: y'], 'The configuration has 2 problems:\n  - a: x\n  - b: y'],
  ])('lists %j under a count', (problems, expected) => {
    expect(formatProblems(problems)).toBe(expected);
  });
});

describe('evidence settings that would be dangerous', () => {
  const svc = (extra: string) =>
    `services:\n  checkout:\n    channel: C0DEPLOYS\n    listeners: [arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2]\n    slots:\n      blue: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-blue/73e2d6bc24d8a067\n      green: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-green/09966783158cda59\n    approvers: { users: [U0APPROVER] }\n${extra}`;

  it('refuses two slots on the same ECS service (teardown would scale the live slot to zero)', () => {
    const r = parseConfigText(
      svc(
        '    compute:\n      blue: { ecs: { cluster: shop, service: checkout } }\n      green: { ecs: { cluster: shop, service: checkout } }\n',
      ),
    );
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.problems).toContain(
      '11:14: services.checkout.compute.green: the same compute as slot blue: tearing one slot down would scale the other to zero',
    );
  });

  it('refuses one ECS service or Auto Scaling group behind two services (by name or ARN)', () => {
    const other = (compute: string) =>
      `  search:\n    channel: C0SEARCH\n    listeners: [arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2]\n    slots:\n      blue: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/search-blue/73e2d6bc24d8a068\n      green: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/search-green/09966783158cda5a\n    approvers: { users: [U0APPROVER] }\n    compute:\n${compute}`;
    const ecs = parseConfigText(
      svc('    compute:\n      blue: { ecs: { cluster: shop, service: checkout-blue } }\n') +
        other(
          '      green: { ecs: { cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/shop", service: checkout-blue } }\n',
        ),
    );
    expect(withoutPositions(ecs)).toEqual([
      expect.stringMatching(
        /^services\.search\.compute\.green: the same compute as services\.checkout\.compute\.blue: tearing one service down/,
      ),
    ]);
    const asg = parseConfigText(
      svc('    compute:\n      blue: { autoScalingGroup: web-blue }\n') +
        other('      blue: { autoScalingGroup: web-blue }\n'),
    );
    expect(asg.ok).toBe(false);
    const distinct = parseConfigText(
      svc('    compute:\n      blue: { autoScalingGroup: checkout-blue }\n') +
        other('      blue: { autoScalingGroup: search-blue }\n'),
    );
    expect(distinct.ok ? [] : distinct.problems).toEqual([]);
  });

  it('refuses credentials in a webhook URL', () => {
    const r = parseConfigText(
      svc(
        '    hooks: { secretEnv: HOOK_SECRET, beforeCutover: "https://user:pw@hooks.example.com/freeze" }\n',
      ),
    );
    expect(r.ok).toBe(false);
    expect((r.ok ? [] : r.problems).join('\n')).toMatch(/hooks\.beforeCutover: no credentials in the URL/);
    expect((r.ok ? [] : r.problems).join('\n')).not.toContain('pw@');
  });
});

describe('evidence settings that cannot work together', () => {
  const base = (extra: string) =>
    `services:\n  checkout:\n    channel: C0DEPLOYS\n    listeners: [arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2]\n    slots:\n      blue: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-blue/73e2d6bc24d8a067\n      green: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-green/09966783158cda59\n    approvers: { users: [U0APPROVER] }\n${extra}`;
  const problems = (extra: string) => withoutPositions(parseConfigText(base(extra)));

  it('refuses a verify window too short for any period after the switch to settle', () => {
    expect(problems('    verifyWindow: 3m\n').join('\n')).toMatch(
      /services\.checkout\.verifyWindow: the verify window \(3m\) must be at least 4 traffic periods plus a poll interval \(4m20s\)/,
    );
    expect(problems('    verifyWindow: 5m\n')).toEqual([]);
  });

  it('refuses a scale-down webhook that could not be signed', () => {
    expect(problems('    compute: { blue: { webhook: "https://ops.example.com/scale" } }\n')).toContain(
      'services.checkout.compute.blue: a scale-down webhook needs hooks.secretEnv (it is signed like every hook)',
    );
  });
});

describe('the preview rules', () => {
  it('default to the X-Greenlight-Slot header on the first listener, lowest free priorities', () => {
    const r = parseConfigText(`services:\n  checkout:${service()}\n`);
    expect(r.ok && r.config.services['checkout']?.preview).toEqual({
      listenerArn: L1,
      header: 'X-Greenlight-Slot',
    });
  });

  it('take a header, a host per slot, a base priority and a URL to show', () => {
    const r = parseConfigText(
      `services:\n  checkout:${service('\n    preview: { host: "{slot}.checkout.preview.example.com", priority: 40, url: https://shop.example.com }\n    healthWait: 10m')}\n`,
    );
    if (!r.ok) throw new Error(formatProblems(r.problems));
    expect(r.config.services['checkout']).toMatchObject({
      preview: {
        listenerArn: L1,
        host: '{slot}.checkout.preview.example.com',
        priority: 40,
        url: 'https://shop.example.com',
      },
      healthWaitMs: 600_000,
    });
  });

  it('refuses a bad header name, a host without {slot}, both at once, and a priority out of range', () => {
    expect(problemsOf(`services:\n  checkout:${service('\n    preview: { header: "X Slot" }')}\n`)).toEqual([
      'services.checkout.preview.header: an HTTP header name of at most 40 characters, such as X-Greenlight-Slot',
    ]);
    expect(
      problemsOf(`services:\n  checkout:${service('\n    preview: { host: preview.example.com }')}\n`),
    ).toEqual([
      'services.checkout.preview.host: the host must contain {slot}, e.g. {slot}.checkout.preview.example.com',
    ]);
    expect(
      problemsOf(
        `services:\n  checkout:${service('\n    preview: { header: X-Slot, host: "{slot}.x.example.com" }')}\n`,
      ),
    ).toEqual(['services.checkout.preview: give either header or host, not both']);
    expect(problemsOf(`services:\n  checkout:${service('\n    preview: { priority: 50001 }')}\n`)).toEqual([
      'services.checkout.preview.priority: must be at most 50000',
    ]);
  });

  it('refuses two services whose preview priorities or hosts collide', () => {
    const problems = problemsOf(
      `services:\n  checkout:${service('\n    preview: { priority: 10, host: "{slot}.preview.example.com" }')}\n  search:${service('\n    preview: { priority: 11, host: "{slot}.preview.example.com" }')}\n`,
    );
    expect(problems).toEqual([
      'services.search.preview.priority: priority 11 on that listener is also a preview priority of checkout; each slot takes preview.priority + its index',
      'services.search.preview.host: blue.preview.example.com is also the preview host of checkout/blue',
      'services.search.preview.host: green.preview.example.com is also the preview host of checkout/green',
    ]);
  });
});
