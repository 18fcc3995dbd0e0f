/**
 * What a config with mistakes gets back: every problem at once, each at its line:column in the file,
 * worded for the section it is in (the keys that section accepts, "did you mean …?", what a compute
 * entry may be), from parseConfigText and from `npm run check-config`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCheckConfig } from '../../src/check-config.js';
import { parseConfigText } from '../../src/config/load-config.js';
import { RESERVED_WORDS } from '../../src/domain/commands/table.js';

const L1 =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
const BLUE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-blue/73e2d6bc24d8a067';
const GREEN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-green/09966783158cda59';

const COMPUTE_KINDS =
  'a compute entry is one of { ecs: { cluster, service } } for an ECS service, { autoScalingGroup: <name> } for an Auto Scaling group, { webhook: <URL> } for a webhook';

/** Line numbers on the left are the file's: the positions below are read off them. */
const TYPOS = [
  /*  1 */ 'services:',
  /*  2 */ '  checkout:',
  /*  3 */ '    channel: C0DEPLOYS',
  /*  4 */ `    listeners: [${L1}]`,
  /*  5 */ '    slots:',
  /*  6 */ `      blue: ${BLUE}`,
  /*  7 */ `      green: ${GREEN}`,
  /*  8 */ '    approvers: { users: [U0APPROVER] }',
  /*  9 */ '    minHealthyTargets: two',
  /* 10 */ '    traffic:',
  /* 11 */ '      tolarance: 0',
  /* 12 */ '    gates:',
  /* 13 */ '      maxErrorRate: 0.05',
  /* 14 */ '      maxP99latency: 1500ms',
  /* 15 */ '    hooks:',
  /* 16 */ '      secretEnv: CHECKOUT_HOOK_SECRET',
  /* 17 */ '      befoerCutover: https://checkout.internal/hooks/freeze',
  /* 18 */ '    compute:',
  /* 19 */ '      blue: { ecs: { cluster: shop } }',
  /* 20 */ '      green: { autoscalinggroup: checkout-green }',
  '',
].join('\n');

const EXPECTED = [
  '9:24: services.checkout.minHealthyTargets: expected a number, got text',
  '11:7: services.checkout.traffic.tolarance: unknown key; did you mean tolerance? (traffic accepts tolerance, period, pollInterval, allowIdle)',
  '14:7: services.checkout.gates.maxP99latency: unknown key; did you mean maxP99Latency? (gates accepts maxErrorRate, maxP99Latency, minRequests, maxUnhealthyHosts, loadBalancerErrors, alarms, autoRollback, watchInterval)',
  '17:7: services.checkout.hooks.befoerCutover: unknown key; did you mean beforeCutover? (hooks accepts secretEnv, timeout, retries, beforeCutover, afterCutover, beforeTeardown, afterRollback, verificationFailed)',
  '19:15: services.checkout.compute.blue.ecs.service: missing; expected text',
  `20:16: services.checkout.compute.green.autoscalinggroup: unknown kind of compute; did you mean autoScalingGroup? ${COMPUTE_KINDS.replace(/^a/, 'A')}`,
];

/** A valid service's settings, lines 3 to 6 when it is the first service, then `extra` from line 7. */
const serviceBody = (extra = '') =>
  `\n    channel: C0DEPLOYS\n    listeners: [${L1}]\n    slots: { blue: ${BLUE}, green: ${GREEN} }\n    approvers: { users: [U0APPROVER] }\n${extra}`;
const service = (extra = '') => `services:\n  checkout:${serviceBody(extra)}`;

function problems(yaml: string, source?: string): string[] {
  const r = parseConfigText(yaml, source);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.problems;
}

describe('a config with several mistakes', () => {
  it('reports every one at once, in file order, each at its line:column with the right hint', () => {
    expect(problems(TYPOS)).toEqual(EXPECTED);
  });

  it('starts each with the file when it has one', () => {
    expect(problems(TYPOS, 'greenlight.yml')).toEqual(EXPECTED.map((p) => `greenlight.yml:${p}`));
  });

  describe('npm run check-config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'greenlight-typos-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('prints them all with their positions and exits 1', async () => {
      const path = join(dir, 'greenlight.yml');
      writeFileSync(path, TYPOS);
      const out: string[] = [];
      const code = await runCheckConfig([path], { env: {}, print: (line) => out.push(line) });
      expect(code).toBe(1);
      expect(out.join('\n')).toBe(
        [
          `The configuration has ${EXPECTED.length} problems:`,
          ...EXPECTED.map((p) => `  - ${path}:${p}`),
          '',
          `${path}: NOT OK (${EXPECTED.length} problems).`,
        ].join('\n'),
      );
    });
  });
});

describe('positions', () => {
  it.each([
    ['a wrong value: the value', '    soak: 3x\n', '7:11: services.checkout.soak: "3x" is not a duration'],
    [
      'an unknown key: the key',
      '    sok: 3h\n',
      '7:5: services.checkout.sok: unknown key; did you mean soak?',
    ],
    [
      'a list item: the item',
      '    gates: { alarms: [ok, ""] }\n',
      '7:27: services.checkout.gates.alarms.1: must have at least 1 character',
    ],
    [
      'a flow mapping key',
      '    deployers: { users: [U0DEV], groups: [S0DEV] }\n',
      '7:34: services.checkout.deployers.groups: unknown key (deployers accepts users, usergroups)',
    ],
    [
      'a slot named nowhere: the key',
      '    hourlyCost: { gren: 1 }\n',
      '7:19: services.checkout.hourlyCost.gren: no slot named gren; did you mean green? (slots are blue, green)',
    ],
    [
      'a value written through an alias: the alias',
      '    soak: &s 3x\n    remindBefore: *s\n',
      '8:19: services.checkout.remindBefore: "3x"',
    ],
  ])('of %s', (_name, extra, expected) => {
    expect(problems(service(extra))).toContainEqual(expect.stringContaining(expected));
  });

  it('of a missing key: the mapping that lacks it', () => {
    expect(problems('services:\n  checkout:\n    channel: C0DEPLOYS\n')).toEqual([
      '2:3: services.checkout.listeners: missing; expected a list',
      '2:3: services.checkout.slots: missing; expected a mapping of keys to values',
      '2:3: services.checkout.approvers: missing; expected a mapping of keys to values (users, usergroups)',
    ]);
  });

  it('of an invalid name and a command word: the key', () => {
    expect(problems(`services:\n  Checkout:${serviceBody()}  status:${serviceBody()}`)).toEqual([
      '2:3: services.Checkout: invalid name: service names are lower-case, digits and dashes',
      `7:3: services.status: "status" is a command word (${RESERVED_WORDS.join(', ')}) and cannot be a service name`,
    ]);
  });
});

describe('hints', () => {
  it('takes a misspelt required key for the key it meant, instead of also calling that one missing', () => {
    expect(problems(`servces:\n  checkout: {}\n`)).toEqual([
      '1:1: servces: unknown key; did you mean services? (the top level accepts defaults, services, events)',
    ]);
  });

  it('gives no "did you mean" for a key close to nothing accepted', () => {
    expect(problems(service('    traffic: { color: blue }\n'))).toEqual([
      '7:16: services.checkout.traffic.color: unknown key (traffic accepts tolerance, period, pollInterval, allowIdle)',
    ]);
  });

  // The entry is on line 8: `    compute: { blue: <entry> }`, so it starts at column 22.
  it.each([
    [
      'a kind no backend has',
      '{ lambda: { functionName: x } }',
      `8:24: services.checkout.compute.blue.lambda: unknown kind of compute; ${COMPUTE_KINDS}`,
    ],
    [
      'text instead of a mapping',
      'checkout-blue',
      `8:22: services.checkout.compute.blue: expected a mapping, got text; ${COMPUTE_KINDS}`,
    ],
    [
      'an empty mapping',
      '{}',
      `8:22: services.checkout.compute.blue: names no kind of compute; ${COMPUTE_KINDS}`,
    ],
    [
      'two kinds at once',
      '{ autoScalingGroup: web, webhook: "https://ops.example.com/scale" }',
      `8:22: services.checkout.compute.blue: names autoScalingGroup and webhook: one kind of compute only; ${COMPUTE_KINDS}`,
    ],
    [
      'a key beside a known kind',
      '{ autoScalingGroup: web, region: eu-west-1 }',
      `8:47: services.checkout.compute.blue.region: unknown key beside autoScalingGroup; ${COMPUTE_KINDS}`,
    ],
    [
      'what the kind it names refuses',
      '{ ecs: { cluster: shop, service: "" } }',
      '8:55: services.checkout.compute.blue.ecs.service: must have at least 1 character',
    ],
  ])('say what is wrong with a compute entry: %s', (_name, entry, expected) => {
    const hooks = '    hooks: { secretEnv: HOOK_SECRET }\n';
    expect(problems(service(`${hooks}    compute: { blue: ${entry} }\n`))).toEqual([expected]);
  });
});

describe('every check runs, whatever else is wrong', () => {
  it('reports the checks across fields and services beside the schema’s problems', () => {
    // Line 7 is a type error in checkout; before, it stopped the checks of checkout's compute and
    // of compute shared across services, and a sub-minute period was only judged in a valid file.
    const search = serviceBody(
      '    compute: { blue: { autoScalingGroup: web-blue } }\n    traffic: { period: 10s }\n',
    ).replace(/checkout-(blue|green)/g, 'search-$1');
    const yaml = service(
      '    allowSelfApproval: sometimes\n    soak: 30m\n    compute: { blue: { autoScalingGroup: web-blue }, purple: { autoScalingGroup: x } }\n',
    ).concat(`  search:${search}`);
    expect(problems(yaml)).toEqual([
      '7:24: services.checkout.allowSelfApproval: expected true or false, got text',
      '8:11: services.checkout.soak: remindBefore (1h) must be shorter than soak (30m)',
      '9:54: services.checkout.compute.purple: no slot named purple (slots are blue, green)',
      "15:22: services.search.compute.blue: the same compute as services.checkout.compute.blue: tearing one service down would scale the other's capacity to zero; give each service its own ECS service or Auto Scaling group",
      "16:24: services.search.traffic.period: 10s is served only by the sandbox's simulated endpoint; real ALB metrics are standard resolution, so the period must be a multiple of 60s",
    ]);
  });
});
