import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AsgPort, ComputePorts, EcsPort } from '../../src/app/ports/compute.js';
import type { ComputeBackend } from '../../src/compute/backend.js';
import {
  COMPUTE_BACKENDS,
  computeBackend,
  computeEntrySchema,
  computeIdentity,
  exclusiveComputeLabels,
  probeCompute,
  registered,
  runningCompute,
  signedComputeLabels,
  toComputeTarget,
} from '../../src/compute/registry.js';
import {
  beginScaleDown,
  countRemaining,
  finishScaleDown,
  settledCount,
} from '../../src/compute/scale-down.js';
import { parseConfigText } from '../../src/config/load-config.js';
import type { ScaleDownReport } from '../../src/domain/evidence.js';
import type { ComputeTarget } from '../../src/domain/service.js';
import { scaleDownLine } from '../../src/messages/teardown.js';
import { parseDeployment } from '../../src/store/deployment-schema.js';
import { deployment } from '../helpers/block-fixtures.js';

const L1 =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
const BLUE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-blue/73e2d6bc24d8a067';
const GREEN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-green/09966783158cda59';

/** A configuration whose checkout service has `compute.blue: <entry>` (and a hook secret, for webhooks). */
function withCompute(entry: string) {
  return parseConfigText(`services:
  checkout:
    channel: C0DEPLOYS
    listeners: [${L1}]
    slots: { blue: ${BLUE}, green: ${GREEN} }
    approvers: { users: [U0APPROVER] }
    hooks: { secretEnv: HOOK_SECRET }
    compute:
      blue: ${entry}
`);
}

/** A valid entry of each registered backend, by config key. */
const EXAMPLES: Record<string, { yaml: string; json: string; target: unknown }> = {
  ecs: {
    yaml: '{ ecs: { cluster: shop, service: checkout-blue } }',
    json: '{ "cluster": "shop", "service": "checkout-blue" }',
    target: { kind: 'ecs', cluster: 'shop', service: 'checkout-blue' },
  },
  autoScalingGroup: {
    yaml: '{ autoScalingGroup: web-blue }',
    json: '"web-blue"',
    target: { kind: 'asg', name: 'web-blue' },
  },
  webhook: {
    yaml: '{ webhook: "https://ops.example.com/scale" }',
    json: '"https://ops.example.com/scale"',
    target: { kind: 'webhook', url: 'https://ops.example.com/scale' },
  },
};

/** A kind of compute that is not registered: only a config entry, no steps. */
const lambda = registered({
  kind: 'lambda',
  configKey: 'lambda',
  schema: z.object({ functionName: z.string().min(1) }).strict(),
  label: 'Lambda function',
  toTarget: (v: { functionName: string }) => ({ kind: 'lambda', functionName: v.functionName }),
  begin: async () => {
    throw new Error('not a step of this test');
  },
  count: async () => {
    throw new Error('not a step of this test');
  },
  probe: async () => {
    throw new Error('not a step of this test');
  },
});

describe('the compute backend registry', () => {
  it('has one backend per kind and per config key, each found by its kind', () => {
    expect(COMPUTE_BACKENDS.map((b) => b.kind)).toEqual(['ecs', 'asg', 'webhook']);
    expect(COMPUTE_BACKENDS.map((b) => b.configKey)).toEqual(['ecs', 'autoScalingGroup', 'webhook']);
    expect(COMPUTE_BACKENDS.map((b) => b.label)).toEqual(['ECS service', 'Auto Scaling group', 'webhook']);
    expect(new Set(COMPUTE_BACKENDS.map((b) => b.kind)).size).toBe(COMPUTE_BACKENDS.length);
    expect(new Set(COMPUTE_BACKENDS.map((b) => b.configKey)).size).toBe(COMPUTE_BACKENDS.length);
    for (const backend of COMPUTE_BACKENDS) {
      expect(computeBackend(backend.kind)).toBe(backend);
      // Its target is its own kind's.
      const example = EXAMPLES[backend.configKey];
      expect(example && backend.toTarget(backend.schema.parse(JSON.parse(example.json)))).toEqual(
        example?.target,
      );
    }
    expect(() => computeBackend('lambda')).toThrow('no compute backend of kind lambda');
  });

  it('accepts the key of every registered backend in greenlight.yml and turns it into its target', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(COMPUTE_BACKENDS.map((b) => b.configKey).sort());
    for (const { yaml, target } of Object.values(EXAMPLES)) {
      const r = withCompute(yaml);
      expect(r.ok ? r.config.services['checkout']?.compute['blue'] : r.problems).toEqual(target);
    }
  });

  it('refuses a key no backend registered, naming every registered kind and what it takes', () => {
    const r = withCompute('{ lambda: { functionName: checkout-blue } }');
    const problems = r.ok ? [] : r.problems;
    expect(problems).toEqual([
      expect.stringMatching(
        /^9:15: services\.checkout\.compute\.blue\.lambda: unknown kind of compute; a compute entry is one of /,
      ),
    ]);
    for (const b of COMPUTE_BACKENDS) expect(problems[0]).toContain(`{ ${b.configKey}: `);
    expect(problems[0]).toContain('{ ecs: { cluster, service } } for an ECS service');
  });

  it('builds the entry schema from the kinds it is given', () => {
    const entry = { lambda: { functionName: 'checkout-blue' } };
    expect(computeEntrySchema().safeParse(entry).success).toBe(false);
    expect(computeEntrySchema(COMPUTE_BACKENDS).safeParse(entry).success).toBe(false);
    const extended = computeEntrySchema([...COMPUTE_BACKENDS, lambda]);
    expect(extended.parse(entry)).toEqual(entry);
    // Its own schema still applies (strict), and the registered keys still work.
    expect(extended.safeParse({ lambda: { functionName: 'x', extra: 1 } }).success).toBe(false);
    expect(extended.parse({ autoScalingGroup: 'web-blue' })).toEqual({ autoScalingGroup: 'web-blue' });
    // Without a kind, its key is refused.
    const withoutWebhook = computeEntrySchema(COMPUTE_BACKENDS.filter((b) => b.kind !== 'webhook'));
    expect(withoutWebhook.safeParse({ webhook: 'https://ops.example.com/scale' }).success).toBe(false);
  });

  it('names what two services may not share from the kinds that have an identity', () => {
    expect(exclusiveComputeLabels()).toBe('ECS service or Auto Scaling group');
    expect(
      computeIdentity(toComputeTarget({ ecs: { cluster: 'arn:aws:ecs:x:1:cluster/shop', service: 'a' } })),
    ).toBe('ecs:shop/a');
    expect(computeIdentity({ kind: 'asg', name: 'web' })).toBe('asg:web');
    expect(computeIdentity({ kind: 'webhook', url: 'https://ops.example.com/scale' })).toBeNull();
  });

  it('names the signed kinds an entry uses, from the kinds it is given', () => {
    expect(COMPUTE_BACKENDS.filter((b) => b.signed).map((b) => b.kind)).toEqual(['webhook']);
    expect(signedComputeLabels({ webhook: 'https://ops.example.com/scale' })).toEqual(['webhook']);
    expect(signedComputeLabels({ autoScalingGroup: 'web-blue' })).toEqual([]);
    const entry = { lambda: { functionName: 'checkout-blue' } };
    expect(signedComputeLabels(entry, [...COMPUTE_BACKENDS, lambda])).toEqual([]);
    const signedLambda = registered({ ...lambda, signed: true });
    expect(signedComputeLabels(entry, [...COMPUTE_BACKENDS, signedLambda])).toEqual(['Lambda function']);
  });

  it('says so in full when two services share an Auto Scaling group', () => {
    const svc = (name: string, tg: string) => `  ${name}:
    channel: C0DEPLOYS
    listeners: [${L1}]
    slots: { blue: ${BLUE.replace('checkout-blue', `${tg}-blue`)}, green: ${GREEN.replace('checkout-green', `${tg}-green`)} }
    approvers: { users: [U0APPROVER] }
    compute: { blue: { autoScalingGroup: web-blue } }
`;
    const r = parseConfigText(`services:\n${svc('checkout', 'checkout')}${svc('search', 'search')}`);
    expect(r.ok ? [] : r.problems).toContain(
      "13:22: services.search.compute.blue: the same compute as services.checkout.compute.blue: tearing one service down would scale the other's capacity to zero; give each service its own ECS service or Auto Scaling group",
    );
  });

  it('probes each kind for check-config with the same lines and problems as before the registry', async () => {
    const ecs: EcsPort = {
      describeService: async (_cluster, service) =>
        service === 'gone' ? null : { desired: 2, running: 1, pending: 0, status: 'ACTIVE' },
      updateDesiredCount: async () => {
        throw new Error('a probe only reads');
      },
      describeTaskDefinition: async () => null,
    };
    const group = { min: 1, max: 4, desired: 3, instances: 2, protectedInstances: 0, waitingInstances: 0 };
    const asg: AsgPort = {
      describeGroup: async (name) => (name === 'nope' ? null : group),
      updateGroup: async () => {
        throw new Error('a probe only reads');
      },
      describeTerminationHooks: async () => [],
    };
    const probe = (target: Parameters<typeof probeCompute>[0]) => probeCompute(target, { ecs, asg });
    expect(await probe({ kind: 'ecs', cluster: 'shop', service: 'checkout-blue' })).toEqual({
      found: 'ECS shop/checkout-blue desired 2, running 1',
    });
    expect(await probe({ kind: 'ecs', cluster: 'shop', service: 'gone' })).toEqual({
      problem: 'ECS service shop/gone does not exist.',
    });
    expect(await probe({ kind: 'asg', name: 'web-blue' })).toEqual({
      found: 'Auto Scaling group web-blue desired 3, 2 instance(s)',
    });
    expect(await probe({ kind: 'asg', name: 'nope' })).toEqual({
      problem: 'Auto Scaling group nope does not exist.',
    });
    expect(await probe({ kind: 'webhook', url: 'https://ops.example.com/scale?token=x' })).toEqual({
      found: 'webhook ops.example.com',
    });
    await expect(probe({ kind: 'webhook', url: 'not a url' })).rejects.toThrow();
  });
});

describe('what the backends read and say', () => {
  const ecs: EcsPort = {
    describeService: async (_cluster, service) =>
      service === 'gone' ? null : { desired: 3, running: 1, pending: 0, status: 'ACTIVE' },
    updateDesiredCount: async () => {},
    describeTaskDefinition: async () => null,
  };
  const asg: AsgPort = {
    describeGroup: async (name) =>
      name === 'nope'
        ? null
        : { min: 2, max: 6, desired: 2, instances: 4, protectedInstances: 0, waitingInstances: 0 },
    updateGroup: async () => {},
    describeTerminationHooks: async () => [],
  };

  it('reads what runs behind a slot for the forgotten-environment scan, as the scan did by kind', async () => {
    const read = (target: ComputeTarget) => runningCompute(target, { ecs, asg });
    expect(await read({ kind: 'ecs', cluster: 'shop', service: 'checkout-blue' })).toEqual({
      what: 'ECS service checkout-blue',
      running: 3,
    });
    expect(await read({ kind: 'ecs', cluster: 'shop', service: 'gone' })).toBeUndefined();
    expect(await read({ kind: 'asg', name: 'web-blue' })).toEqual({
      what: 'Auto Scaling group web-blue',
      running: 4,
    });
    expect(await read({ kind: 'asg', name: 'nope' })).toBeUndefined();
    // A webhook's compute cannot be read.
    expect(computeBackend('webhook').running).toBeUndefined();
    expect(await read({ kind: 'webhook', url: 'https://ops.example.com/scale' })).toBeUndefined();
  });

  it("words each backend's scale-down exactly as reports kept by earlier versions (no `shown`) are worded", async () => {
    const webhook = async (url: string) => ({
      hook: 'scaleDown' as const,
      url,
      ok: !url.includes('fail'),
      status: url.includes('fail') ? 500 : 204,
      excerpt: url.includes('fail') ? 'busy & <b>' : '',
      attempts: 1,
      durationMs: 2000,
    });
    const ports: ComputePorts = { ecs, asg, webhook };
    const context = { deploymentId: 'checkout-20240501100000-ab12', service: 'checkout', slot: 'blue' };
    const longName = `arn:aws:ecs:us-east-1:123456789012:service/shop/${'checkout-&-<blue>-'.repeat(12)}`;
    const targets: ComputeTarget[] = [
      { kind: 'ecs', cluster: 'shop', service: 'checkout-blue' },
      { kind: 'ecs', cluster: 'shop', service: 'gone' },
      { kind: 'ecs', cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/shop', service: longName },
      { kind: 'asg', name: 'web-blue' },
      { kind: 'asg', name: 'nope' },
      { kind: 'webhook', url: 'https://ops.example.com/scale?token=s3cr3t' },
      { kind: 'webhook', url: 'https://ops.example.com/fail' },
    ];
    const lines: string[] = [];
    for (const target of targets) {
      const begun = await beginScaleDown(target, ports, context);
      const ends: ScaleDownReport[] = begun.done
        ? [begun.report]
        : [
            finishScaleDown(begun.report, { remaining: 0, held: 0, heldNotes: [] }, 42_000),
            finishScaleDown(begun.report, { remaining: 2, held: 1, heldNotes: ['one is held'] }, 600_000),
            finishScaleDown(
              begun.report,
              { remaining: -1, held: 0, heldNotes: [], error: 'Throttling' },
              9000,
            ),
          ];
      for (const report of ends) {
        expect(report.shown).toBeDefined();
        const { shown: _, ...asKeptBefore } = report;
        // Worded by the backend (`shown`) or, for a report kept by an earlier version, by its kind: the same.
        expect(scaleDownLine(asKeptBefore)).toBe(scaleDownLine(report));
        // A record read back from Redis keeps `shown`, and one written before it had none still reads.
        for (const scaleDown of [report, asKeptBefore]) {
          const stored = JSON.stringify(deployment('done', { scaleDown }));
          expect(parseDeployment(stored, 'gl:d:x').scaleDown).toEqual(scaleDown);
        }
        lines.push(scaleDownLine(report));
      }
    }
    // The wording of 95f4e5d, before backends named what they scaled (checked line by line then).
    expect(lines).toEqual([
      '✅ ECS service shop/checkout-blue: desired 3 → 0, 0 running after 42s',
      '⚠️ ECS service shop/checkout-blue: desired 3 → 0, 3 running — *did not reach zero*: 3 remaining after 10m — still costs money (error: 2 still running after 600s)\n   • one is held',
      '⚠️ ECS service shop/checkout-blue: desired 3 → 0, 1 running — *did not reach zero*: 1 remaining after 9s — still costs money (error: could not read the count at the end of the wait: Throttling)',
      '⚠️ ECS service shop/gone: desired ? → 0, 0 running — *did not reach zero*: 0 remaining after 0ms — still costs money (error: ECS service shop/gone not found)',
      '✅ ECS service arn:aws:ecs:us-east-1:123456789012:cluster/shop/arn:aws:ecs:us-east-1:123456789012:service/shop/checkout-&amp;-&lt;blue&gt;-checkout-&amp;-&lt;blue&gt;-checkout-&amp;-&lt;blue&gt;-checkout-&amp;-&lt;…: desired 3 → 0, 0 running after 42s',
      '⚠️ ECS service arn:aws:ecs:us-east-1:123456789012:cluster/shop/arn:aws:ecs:us-east-1:123456789012:service/shop/checkout-&amp;-&lt;blue&gt;-checkout-&amp;-&lt;blue&gt;-checkout-&amp;-&lt;blue&gt;-checkout-&amp;-&lt;…: desired 3 → 0, 3 running — *did not reach zero*: 3 remaining after 10m — still costs money (error: 2 still running after 600s)\n   • one is held',
      '⚠️ ECS service arn:aws:ecs:us-east-1:123456789012:cluster/shop/arn:aws:ecs:us-east-1:123456789012:service/shop/checkout-&amp;-&lt;blue&gt;-checkout-&amp;-&lt;blue&gt;-checkout-&amp;-&lt;blue&gt;-checkout-&amp;-&lt;…: desired 3 → 0, 1 running — *did not reach zero*: 1 remaining after 9s — still costs money (error: could not read the count at the end of the wait: Throttling)',
      '✅ Auto Scaling group web-blue: min 2 desired 2 → 0, 0 instances after 42s',
      '⚠️ Auto Scaling group web-blue: min 2 desired 2 → 0, 3 instances — *did not reach zero*: 3 remaining after 10m — still costs money (error: 2 still running after 600s)\n   • one is held',
      '⚠️ Auto Scaling group web-blue: min 2 desired 2 → 0, 4 instances — *did not reach zero*: 4 remaining after 9s — still costs money (error: could not read the count at the end of the wait: Throttling)',
      '⚠️ Auto Scaling group nope: desired ? → 0, 0 instances — *did not reach zero*: 0 remaining after 0ms — still costs money (error: Auto Scaling group nope not found)',
      '✅ Scale-down webhook ops.example.com: scaled to zero after 2s',
      '⚠️ Scale-down webhook ops.example.com: 0 remaining — *did not reach zero*: 0 remaining after 2s — still costs money (error: webhook answered HTTP 500: busy &amp; &lt;b&gt;)',
    ]);
    expect(lines.join('\n')).not.toContain('s3cr3t');
  });
});

/** A backend written here, for a kind no file in src/ knows: an AWS Lambda function's provisioned concurrency. */
type LambdaTarget = { readonly kind: 'lambda'; readonly functionName: string };

/** The function as the fake Lambda API sees it: provisioned concurrency and running environments. */
const fn = { provisioned: 5, running: 5 };

const LAMBDA_LABEL = 'Lambda function';
const lambdaBackend: ComputeBackend<LambdaTarget, { functionName: string }> = {
  kind: 'lambda',
  configKey: 'lambda',
  schema: z.object({ functionName: z.string().min(1).max(140) }).strict(),
  label: LAMBDA_LABEL,
  toTarget: (v) => ({ kind: 'lambda', functionName: v.functionName }),
  identity: (t) => `lambda:${t.functionName}`,
  async begin(t) {
    const previous = { desired: fn.provisioned };
    fn.provisioned = 0;
    return {
      report: {
        kind: 'lambda',
        target: t.functionName,
        shown: { label: LAMBDA_LABEL, name: t.functionName, unit: 'warm' },
        previous,
        reachedZero: false,
        remaining: fn.running,
        waitedMs: 0,
      },
      done: false,
    };
  },
  async count() {
    fn.running = Math.max(0, fn.running - 2);
    return { remaining: fn.running, held: 0, heldNotes: [] };
  },
  probe: async (t) => ({ found: `Lambda ${t.functionName} provisioned ${fn.provisioned}` }),
  running: async (t) => ({ what: `${LAMBDA_LABEL} ${t.functionName}`, running: fn.running }),
};

describe('a backend plugged into the registry', () => {
  const backends = [...COMPUTE_BACKENDS, registered(lambdaBackend)];
  const ports: ComputePorts = {
    ecs: {} as EcsPort,
    asg: {} as AsgPort,
    webhook: async () => {
      throw new Error('no webhook here');
    },
  };

  it('is accepted by the config schema, becomes its target, and joins the identity check', () => {
    const raw = computeEntrySchema(backends).parse({ lambda: { functionName: 'checkout-blue' } });
    const target = toComputeTarget(raw, backends);
    expect(target).toEqual({ kind: 'lambda', functionName: 'checkout-blue' });
    expect(computeIdentity(target, backends)).toBe('lambda:checkout-blue');
    expect(exclusiveComputeLabels(backends)).toBe('ECS service or Auto Scaling group or Lambda function');
    expect(computeEntrySchema(backends).safeParse({ lambda: { functionName: '' } }).success).toBe(false);
    // The registered backends are as they were.
    expect(computeEntrySchema().safeParse(raw).success).toBe(false);
    expect(exclusiveComputeLabels()).toBe('ECS service or Auto Scaling group');
  });

  it('drives the scale-down steps, check-config, the scan and the teardown line', async () => {
    const target = toComputeTarget({ lambda: { functionName: 'checkout-blue' } }, backends);
    expect(await probeCompute(target, ports, backends)).toEqual({
      found: 'Lambda checkout-blue provisioned 5',
    });
    expect(await runningCompute(target, ports, backends)).toEqual({
      what: 'Lambda function checkout-blue',
      running: 5,
    });
    const context = { deploymentId: 'checkout-20240501100000-ab12', service: 'checkout', slot: 'blue' };
    // The teardown job's steps: begin, then a count per delayed poll until settled.
    const begun = await beginScaleDown(target, ports, context, backends);
    expect(begun.done).toBe(false);
    expect(fn.provisioned).toBe(0);
    let waitedMs = 0;
    let count = await countRemaining(target, ports, backends);
    while (!settledCount(count)) {
      waitedMs += 5000;
      count = await countRemaining(target, ports, backends);
    }
    const report = finishScaleDown(begun.report, count, waitedMs);
    expect(report).toEqual({
      kind: 'lambda',
      target: 'checkout-blue',
      shown: { label: 'Lambda function', name: 'checkout-blue', unit: 'warm' },
      previous: { desired: 5 },
      reachedZero: true,
      remaining: 0,
      waitedMs: 10_000,
    });
    expect(scaleDownLine(report)).toBe('✅ Lambda function checkout-blue: desired 5 → 0, 0 warm after 10s');
    expect(scaleDownLine({ ...report, reachedZero: false, remaining: 1 })).toBe(
      '⚠️ Lambda function checkout-blue: desired 5 → 0, 1 warm — *did not reach zero*: 1 remaining after 10s — still costs money',
    );
    // Unknown to the registered backends.
    expect(() => probeCompute(target, ports)).toThrow('no compute backend of kind lambda');
  });
});
