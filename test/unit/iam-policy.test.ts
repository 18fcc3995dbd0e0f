/**
 * docs/iam-policy.json grants exactly the AWS actions src/ calls on a service's resources, each
 * scoped as tightly as AWS allows; docs/iam-policy-assume.json grants exactly what the bot calls as
 * itself to reach them (sts:AssumeRole on the service roles), and docs/iam-trust-policy.json is the
 * trust policy such a role needs; docs/iam-policy-smoke.json adds exactly what the opt-in smoke
 * test (smoke/) calls beyond that. The called actions are derived from the source itself (every `new XCommand(…)` of
 * an `@aws-sdk/client-*` import, test/helpers/sdk-actions.ts); what each action accepts comes
 * from AWS's Service Authorization Reference (test/helpers/iam-reference.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  type ActionFacts,
  DEPENDENT_ACTIONS,
  NEEDS_NO_PERMISSION,
  RESOURCE_TYPES,
  supportsConditionKey,
} from '../helpers/iam-reference.js';
import { type ScanResult, type SdkCall, scanSource, scanTree } from '../helpers/sdk-actions.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const readJson = (path: string) => JSON.parse(readFileSync(resolve(ROOT, path), 'utf8')) as Policy;

interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
  [key: string]: unknown;
}
interface Policy {
  Version: string;
  Statement: Statement[];
}

/** The tag every tag-scoped write of the bot's policy requires on the resource it changes. */
const TAG_KEY = 'greenlight';
const TAG_VALUE = 'managed';

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];
const isRead = (action: string) => /^[a-z0-9-]+:(Describe|Get|List)[A-Z]/.test(action);

/** Problems with the document's shape (IAM JSON policy grammar, restricted to what we use). */
function shapeProblems(policy: Policy): string[] {
  const out: string[] = [];
  if (policy.Version !== '2012-10-17')
    out.push(`Version is ${JSON.stringify(policy.Version)}, not "2012-10-17"`);
  if (!Array.isArray(policy.Statement) || policy.Statement.length === 0)
    return [...out, 'Statement is empty'];
  const sids = new Set<string>();
  policy.Statement.forEach((s, i) => {
    const name = s.Sid ?? `statement ${i}`;
    if (s.Sid === undefined || !/^[A-Za-z0-9]+$/.test(s.Sid)) out.push(`${name}: Sid must be alphanumeric`);
    else if (sids.has(s.Sid)) out.push(`${name}: Sid is repeated`);
    else sids.add(s.Sid);
    if (s.Effect !== 'Allow')
      out.push(`${name}: Effect is ${JSON.stringify(s.Effect)}; only Allow is used here`);
    for (const key of ['NotAction', 'NotResource', 'Principal', 'NotPrincipal'])
      if (key in s) out.push(`${name}: ${key} is not allowed in this policy`);
    const actions = list(s.Action);
    const resources = list(s.Resource);
    if (actions.length === 0) out.push(`${name}: no Action`);
    if (resources.length === 0) out.push(`${name}: no Resource`);
    for (const a of actions) {
      if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(a))
        out.push(`${name}: action ${JSON.stringify(a)} is not one explicit "service:Action" (no wildcards)`);
    }
  });
  return out;
}

/** Each statement checked against the Service Authorization Reference. */
function referenceProblems(policy: Policy): string[] {
  const out: string[] = [];
  for (const s of policy.Statement) {
    const actions = list(s.Action);
    const resources = list(s.Resource);
    const facts = actions.map((a) => [a, ACTIONS[a]] as const);
    for (const [a, f] of facts)
      if (f === undefined) out.push(`${s.Sid}: ${a} has no entry in iam-reference.ts`);
    const known = facts.flatMap(([a, f]) => (f === undefined ? [] : [[a, f] as const]));
    const wildcard = resources.includes('*');
    if (wildcard && resources.length > 1) out.push(`${s.Sid}: "*" together with ARNs`);
    for (const [a, f] of known) {
      if (wildcard) continue;
      if (f.resources.length === 0)
        out.push(`${s.Sid}: ${a} has no resource-level permissions, so its Resource must be "*"`);
      else if (!resources.some((r) => f.resources.some((t) => RESOURCE_TYPES[t].test(r))))
        out.push(`${s.Sid}: no Resource of ${a}'s types (${f.resources.join(', ')})`);
    }
    if (!wildcard) {
      for (const r of resources)
        if (!known.some(([, f]) => f.resources.some((t) => RESOURCE_TYPES[t].test(r))))
          out.push(`${s.Sid}: Resource ${r} is of no type its actions accept`);
    }
    for (const op of Object.values(s.Condition ?? {})) {
      for (const key of Object.keys(op)) {
        for (const [a, f] of known)
          if (!supportsConditionKey(f, key)) out.push(`${s.Sid}: ${a} does not support condition key ${key}`);
      }
    }
  }
  return out;
}

/** Allowed actions of a policy. */
function granted(...policies: Policy[]): Set<string> {
  return new Set(policies.flatMap((p) => p.Statement.flatMap((s) => list(s.Action))));
}

/**
 * What calling these commands needs: the actions (but those that need no permission), their
 * dependent actions, AddTags for tags on create.
 */
function required(calls: SdkCall[]): Set<string> {
  const out = new Set<string>();
  for (const c of calls) {
    if (!NEEDS_NO_PERMISSION.has(c.action)) out.add(c.action);
    for (const d of DEPENDENT_ACTIONS[c.action] ?? []) out.add(d);
    if (c.sendsTags === true) out.add('elasticloadbalancing:AddTags');
  }
  return out;
}

function difference(a: Set<string>, b: Set<string>): string[] {
  return [...a].filter((x) => !b.has(x)).sort();
}

/** Where each action is called, for failure messages. */
function callSites(scan: ScanResult, action: string): string {
  return scan.calls
    .filter((c) => c.action === action)
    .map((c) => c.at)
    .join(', ');
}

/** Statements whose Action includes `action`. */
const statementsOf = (policy: Policy, action: string) =>
  policy.Statement.filter((s) => list(s.Action).includes(action));

function requiresTag(s: Statement): boolean {
  return s.Condition?.['StringEquals']?.[`aws:ResourceTag/${TAG_KEY}`] === TAG_VALUE;
}

const src = scanTree(ROOT, 'src');
const smoke = scanTree(ROOT, 'smoke');
const policy = readJson('docs/iam-policy.json');
const assumePolicy = readJson('docs/iam-policy-assume.json');
const trustPolicy = readJson('docs/iam-trust-policy.json');
const smokePolicy = readJson('docs/iam-policy-smoke.json');

/**
 * Actions the bot calls with its own credentials, to reach a service in another account (STS):
 * granted by docs/iam-policy-assume.json. Every other action is called on a service's resources,
 * as the service's role (or as the bot itself for services without one): docs/iam-policy.json.
 */
const callsAsItself = (action: string) => action.startsWith('sts:');
const only = (actions: Set<string>, keep: (a: string) => boolean) => new Set([...actions].filter(keep));
const createRuleSendsTags = src.calls.some(
  (c) => c.action === 'elasticloadbalancing:CreateRule' && c.sendsTags,
);

describe('the actions the code calls, derived from its source', () => {
  it('reads every AWS SDK use in src/ and smoke/', () => {
    expect(src.problems).toEqual([]);
    expect(smoke.problems).toEqual([]);
    // A scan that found nothing would make every comparison below vacuous.
    expect(src.calls.length).toBeGreaterThan(0);
    expect(smoke.calls.length).toBeGreaterThan(0);
  });

  it('finds constructed Commands of value imports, by their imported name', () => {
    const { calls, problems } = scanSource(
      'x.ts',
      [
        "import { DescribeRulesCommand as Rules, ModifyRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';",
        "import type { UpdateServiceCommand } from '@aws-sdk/client-ecs';",
        "import { type GetMetricDataCommand, CloudWatchClient } from '@aws-sdk/client-cloudwatch';",
        'new Rules({}); new CloudWatchClient({});',
        'const unused = ModifyRuleCommand;',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(calls).toEqual([{ action: 'elasticloadbalancing:DescribeRules', at: 'x.ts:4', sendsTags: null }]);
  });

  it('tells whether an ELB Create* call sends Tags, and refuses to guess', () => {
    const scan = (input: string) =>
      scanSource(
        'y.ts',
        `import { CreateRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';\nnew CreateRuleCommand(${input});`,
      );
    expect(scan('{ ListenerArn: a }').calls[0]?.sendsTags).toBe(false);
    expect(scan('{ ListenerArn: a, Tags: t }').calls[0]?.sendsTags).toBe(true);
    expect(scan('{ ...(x ? { Tags: t } : {}) }').calls[0]?.sendsTags).toBe(true);
    expect(scan('input').problems).toEqual([
      'y.ts:2: the input of elasticloadbalancing:CreateRule is not an object literal, so whether it sends Tags (and needs elasticloadbalancing:AddTags) cannot be read',
    ]);
  });

  it('reports SDK uses it cannot turn into actions', () => {
    const { problems } = scanSource(
      'z.ts',
      [
        "import * as elb from '@aws-sdk/client-elastic-load-balancing-v2';",
        "import { paginateDescribeRules } from '@aws-sdk/client-elastic-load-balancing-v2';",
        "import { ListFunctionsCommand } from '@aws-sdk/client-lambda';",
        "const s3 = await import('@aws-sdk/client-s3');",
      ].join('\n'),
    );
    expect(problems).toEqual([
      'z.ts:1: namespace import of @aws-sdk/client-elastic-load-balancing-v2 (use named imports of its Commands)',
      'z.ts:2: paginateDescribeRules from @aws-sdk/client-elastic-load-balancing-v2 is neither a Command nor a Client; the IAM test cannot tell which actions it calls',
      'z.ts:3: @aws-sdk/client-lambda has no IAM service prefix in IAM_PREFIX (test/helpers/sdk-actions.ts)',
      'z.ts:4: @aws-sdk/client-s3 is loaded dynamically; import it statically',
    ]);
  });
});

describe('docs/iam-policy.json (the bot)', () => {
  it('is a well-formed policy document of explicit actions', () => {
    expect(shapeProblems(policy)).toEqual([]);
  });

  it('uses only resource types and condition keys AWS lists for each action', () => {
    expect(referenceProblems(policy)).toEqual([]);
  });

  it("grants every action src/ calls on a service's resources, and nothing more", () => {
    const needed = only(required(src.calls), (a) => !callsAsItself(a));
    const has = granted(policy);
    expect({
      'called by src/ but not granted': difference(needed, has).map(
        (a) => `${a} (called at ${callSites(src, a)})`,
      ),
      'granted but never called by src/': difference(has, needed),
    }).toEqual({ 'called by src/ but not granted': [], 'granted but never called by src/': [] });
  });

  it('grants each action in one statement only', () => {
    const all = policy.Statement.flatMap((s) => list(s.Action));
    expect(all.filter((a, i) => all.indexOf(a) !== i)).toEqual([]);
  });

  it('puts read-only actions alone on "*" and scopes every write to ARNs', () => {
    for (const s of policy.Statement) {
      const actions = list(s.Action);
      const onStar = list(s.Resource).includes('*');
      const writes = actions.filter((a) => !isRead(a));
      if (onStar) expect(writes, `${s.Sid} is on "*"`).toEqual([]);
      else expect(writes, `${s.Sid} mixes reads into a scoped statement`).toEqual(actions);
    }
  });

  it(`requires the tag ${TAG_KEY}=${TAG_VALUE} on every resource a write changes, except the preview rules it deletes`, () => {
    const writes = [...granted(policy)].filter((a) => !isRead(a));
    // Greenlight creates its preview rules without Tags (so CreateRule needs no AddTags): a rule
    // it created carries no tag a DeleteRule condition could require. Once CreateRule sends the
    // tag, DeleteRule must require it too.
    const untaggedAllowed = createRuleSendsTags ? [] : ['elasticloadbalancing:DeleteRule'];
    for (const action of writes) {
      const statements = statementsOf(policy, action);
      const untagged = statements.filter((s) => !requiresTag(s)).map((s) => s.Sid);
      if (untaggedAllowed.includes(action)) expect(untagged.length, action).toBe(1);
      else expect(untagged, `${action}: statements without the tag condition`).toEqual([]);
    }
  });

  it('fails when an action is missing or extra (the checks above are not vacuous)', () => {
    const needed = required(src.calls);
    const exact: Policy = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'All', Effect: 'Allow', Action: [...needed], Resource: '*' }],
    };
    const without = { ...exact, Statement: [{ ...exact.Statement[0]!, Action: [...needed].slice(1) }] };
    expect(difference(needed, granted(exact))).toEqual([]);
    expect(difference(needed, granted(without))).toEqual([[...needed][0]]);
    const extra = {
      ...exact,
      Statement: [
        ...exact.Statement,
        { Sid: 'X', Effect: 'Allow', Action: 'ecs:DeleteService', Resource: '*' },
      ],
    };
    expect(difference(granted(extra), needed)).toEqual(['ecs:DeleteService']);
    expect(
      shapeProblems({ ...policy, Statement: [{ Sid: 'Y', Effect: 'Allow', Action: '*', Resource: '*' }] }),
    ).toEqual(['Y: action "*" is not one explicit "service:Action" (no wildcards)']);
    expect(
      referenceProblems({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'Z',
            Effect: 'Allow',
            Action: 'elasticloadbalancing:DescribeRules',
            Resource: 'arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*',
            Condition: { StringEquals: { 'ecs:cluster': 'c' } },
          },
        ],
      }),
    ).toEqual([
      'Z: elasticloadbalancing:DescribeRules has no resource-level permissions, so its Resource must be "*"',
      'Z: Resource arn:aws:elasticloadbalancing:*:*:listener/app/*/*/* is of no type its actions accept',
      'Z: elasticloadbalancing:DescribeRules does not support condition key ecs:cluster',
    ]);
  });

  it('is what the README points to, with the tag it requires', () => {
    const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
    const section = readme.split(/^## /m).find((s) => s.startsWith('AWS permissions')) ?? '';
    expect(section).toContain('docs/iam-policy.json');
    expect(section).toContain('docs/iam-policy-smoke.json');
    expect(section).toContain(`Key=${TAG_KEY},Value=${TAG_VALUE}`);
  });
});

describe("docs/iam-policy-assume.json (the bot's own policy, to reach services through their roles)", () => {
  it('is a well-formed policy document that AWS can evaluate', () => {
    expect(shapeProblems(assumePolicy)).toEqual([]);
    expect(referenceProblems(assumePolicy)).toEqual([]);
  });

  it('grants every action src/ calls as the bot itself (sts:AssumeRole), and nothing more', () => {
    const needed = only(required(src.calls), callsAsItself);
    // A scan that finds no AssumeRole would make this vacuous: the roles are assumed in src/aws.
    expect([...needed]).toEqual(['sts:AssumeRole']);
    // sts:GetCallerIdentity (the bot's own account) is called, and needs no permission.
    expect(src.calls.map((c) => c.action)).toContain('sts:GetCallerIdentity');
    expect(granted(policy, assumePolicy).has('sts:GetCallerIdentity')).toBe(false);
    expect({
      missing: difference(needed, granted(assumePolicy)),
      extra: difference(granted(assumePolicy), needed),
    }).toEqual({ missing: [], extra: [] });
  });

  it('names roles, never "*"', () => {
    for (const s of assumePolicy.Statement) {
      expect(list(s.Resource), s.Sid).not.toContain('*');
      for (const r of list(s.Resource)) expect(r, s.Sid).toMatch(/^arn:aws(-cn|-us-gov)?:iam::[^:]*:role\//);
    }
  });
});

describe("docs/iam-trust-policy.json (the trust policy of a service's role)", () => {
  const [statement] = trustPolicy.Statement;

  it('lets one AWS principal assume the role, only with the external ID', () => {
    expect(trustPolicy.Version).toBe('2012-10-17');
    expect(trustPolicy.Statement).toHaveLength(1);
    expect(statement?.Effect).toBe('Allow');
    expect(list(statement?.Action)).toEqual(['sts:AssumeRole']);
    const principal = (statement?.['Principal'] ?? {}) as Record<string, unknown>;
    expect(Object.keys(principal)).toEqual(['AWS']);
    expect(String(principal['AWS'])).toMatch(/^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@-]+$/);
    const externalId = statement?.Condition?.['StringEquals']?.['sts:ExternalId'];
    // The external ID the config's aws.externalId must match (STS: 2–1224 of [\w+=,.@:/-]).
    expect(externalId).toMatch(/^[\w+=,.@:/-]{2,1224}$/);
  });

  it('tests only condition keys AssumeRole supports', () => {
    const facts = ACTIONS['sts:AssumeRole'];
    expect(facts).toBeDefined();
    for (const op of Object.values(statement?.Condition ?? {}))
      for (const key of Object.keys(op))
        expect(supportsConditionKey(facts as ActionFacts, key), key).toBe(true);
  });

  it('is what the README shows, with the bot policy next to it', () => {
    const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
    const section = readme.split(/^## /m).find((s) => s.startsWith('Several AWS accounts and regions')) ?? '';
    expect(section).toContain('docs/iam-trust-policy.json');
    expect(section).toContain('docs/iam-policy-assume.json');
    expect(section).toContain(String(statement?.Condition?.['StringEquals']?.['sts:ExternalId']));
  });
});

describe('docs/iam-policy-smoke.json (npm run smoke:aws, on top of the bot policy)', () => {
  it('is a well-formed policy document that AWS can evaluate', () => {
    expect(shapeProblems(smokePolicy)).toEqual([]);
    expect(referenceProblems(smokePolicy)).toEqual([]);
  });

  it('with the bot policy, grants every action smoke/ calls, and adds nothing else', () => {
    const needed = required(smoke.calls);
    const missing = difference(needed, granted(policy, smokePolicy)).map(
      (a) => `${a} (called at ${callSites(smoke, a) || 'needed by an ELB call'})`,
    );
    expect(missing, 'called by smoke/ but granted by neither policy').toEqual([]);
    // The smoke also runs the real bot against its own stack, tagged greenlight:smoke: the bot's
    // writes on that stack are granted here, on that tag.
    const allowed = new Set([...needed, ...required(src.calls)]);
    expect(
      difference(granted(smokePolicy), allowed),
      'granted but called by neither smoke/ nor src/',
    ).toEqual([]);
  });

  it('lets every write touch only the smoke stack', () => {
    for (const s of smokePolicy.Statement) {
      const writes = list(s.Action).filter((a) => !isRead(a));
      if (writes.length === 0) continue;
      expect(list(s.Resource), s.Sid).not.toContain('*');
      expect(s.Condition, `${s.Sid} has no condition`).toBeDefined();
    }
  });
});
