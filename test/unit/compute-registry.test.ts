import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AsgPort, EcsPort } from '../../src/app/ports/compute.js';
import { COMPUTE_BACKENDS, computeBackend, probeCompute } from '../../src/compute/registry.js';
import {
  COMPUTE_ENTRIES,
  type ComputeEntrySpec,
  computeEntrySchema,
  computeIdentity,
  exclusiveComputeLabels,
  toComputeTarget,
} from '../../src/config/compute-entries.js';
import { parseConfigText } from '../../src/config/load-config.js';

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
const EXAMPLES: Record<string, { yaml: string; target: unknown }> = {
  ecs: {
    yaml: '{ ecs: { cluster: shop, service: checkout-blue } }',
    target: { kind: 'ecs', cluster: 'shop', service: 'checkout-blue' },
  },
  autoScalingGroup: { yaml: '{ autoScalingGroup: web-blue }', target: { kind: 'asg', name: 'web-blue' } },
  webhook: {
    yaml: '{ webhook: "https://ops.example.com/scale" }',
    target: { kind: 'webhook', url: 'https://ops.example.com/scale' },
  },
};

/** A kind of compute that is not registered. */
const lambda = {
  kind: 'lambda',
  configKey: 'lambda',
  schema: z.object({ functionName: z.string().min(1) }).strict(),
  label: 'Lambda function',
} as unknown as ComputeEntrySpec;

describe('the compute backend registry', () => {
  it('has one backend per kind and per config key, each found by its kind and built on its config entry', () => {
    expect(COMPUTE_BACKENDS.map((b) => b.kind)).toEqual(['ecs', 'asg', 'webhook']);
    expect(COMPUTE_ENTRIES.map((e) => e.configKey)).toEqual(['ecs', 'autoScalingGroup', 'webhook']);
    expect(COMPUTE_BACKENDS.length).toBe(COMPUTE_ENTRIES.length);
    for (const [i, entry] of COMPUTE_ENTRIES.entries()) {
      const backend = COMPUTE_BACKENDS[i];
      expect(backend?.kind).toBe(entry.kind);
      expect(backend?.configKey).toBe(entry.configKey);
      expect(backend?.schema).toBe(entry.schema);
      expect(backend?.label).toBe(entry.label);
      expect(computeBackend(entry.kind)).toBe(backend);
    }
  });

  it('accepts the key of every registered backend in greenlight.yml and turns it into its target', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(COMPUTE_ENTRIES.map((e) => e.configKey).sort());
    for (const { yaml, target } of Object.values(EXAMPLES)) {
      const r = withCompute(yaml);
      expect(r.ok ? r.config.services['checkout']?.compute['blue'] : r.problems).toEqual(target);
    }
  });

  it('refuses a key no backend registered, as precisely as before the registry', () => {
    const r = withCompute('{ lambda: { functionName: checkout-blue } }');
    expect(r.ok ? [] : r.problems).toEqual(['services.checkout.compute.blue: Invalid input']);
  });

  it('builds the entry schema from the kinds it is given', () => {
    const entry = { lambda: { functionName: 'checkout-blue' } };
    expect(computeEntrySchema(COMPUTE_ENTRIES).safeParse(entry).success).toBe(false);
    const extended = computeEntrySchema([...COMPUTE_ENTRIES, lambda]);
    expect(extended.parse(entry)).toEqual(entry);
    // Its own schema still applies (strict), and the registered keys still work.
    expect(extended.safeParse({ lambda: { functionName: 'x', extra: 1 } }).success).toBe(false);
    expect(extended.parse({ autoScalingGroup: 'web-blue' })).toEqual({ autoScalingGroup: 'web-blue' });
    // Without a kind, its key is refused.
    const withoutWebhook = computeEntrySchema(COMPUTE_ENTRIES.filter((e) => e.kind !== 'webhook'));
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
      "services.search.compute.blue: the same compute as services.checkout.compute.blue: tearing one service down would scale the other's capacity to zero; give each service its own ECS service or Auto Scaling group",
    );
  });

  it('probes each kind for check-config with the same lines and problems as before the registry', async () => {
    const ecs: EcsPort = {
      describeService: async (_cluster, service) =>
        service === 'gone' ? null : { desired: 2, running: 1, pending: 0, status: 'ACTIVE' },
      updateDesiredCount: async () => {
        throw new Error('a probe only reads');
      },
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
