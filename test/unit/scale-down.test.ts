import { describe, expect, it } from 'vitest';
import type {
  AsgPort,
  AsgState,
  EcsPort,
  EcsServiceState,
  TerminationHook,
} from '../../src/app/ports/compute.js';
import type { HookResult } from '../../src/domain/evidence.js';
import { AwsCallError } from '../../src/errors.js';
import { type ScaleDownRun, scaleDown } from '../helpers/teardown-steps.js';

const CONTEXT = { deploymentId: 'checkout-20240501100000-ab12', service: 'checkout', slot: 'blue' };

/** A clock that only moves when the code under test sleeps. */
function clock() {
  let t = 1_000_000;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

/** ECS whose running tasks drop by one per read once desired is 0. */
function fakeEcs(initial: EcsServiceState | null, opts: { stuckAt?: number } = {}) {
  const calls: string[] = [];
  const s = initial === null ? null : { ...initial };
  const failReads: (AwsCallError | undefined)[] = [];
  const port: EcsPort = {
    async describeService(cluster, service) {
      calls.push(`describe ${cluster}/${service}`);
      const fail = failReads.shift();
      if (fail) throw fail;
      if (s === null) return null;
      const floor = opts.stuckAt ?? 0;
      const out = { ...s };
      if (s.desired === 0) {
        if (s.pending > 0) s.pending -= 1;
        else if (s.running > floor) s.running -= 1;
      }
      return out;
    },
    async updateDesiredCount(cluster, service, desired) {
      calls.push(`update ${cluster}/${service} ${desired}`);
      if (s) s.desired = desired;
    },
    describeTaskDefinition: async () => null,
  };
  return { port, calls, failReads };
}

/** An Auto Scaling group whose unprotected instances go one per read once desired is 0. */
function fakeAsg(
  initial: (Pick<AsgState, 'min' | 'desired' | 'max' | 'instances'> & Partial<AsgState>) | null,
  hooks: TerminationHook[] = [],
) {
  const calls: string[] = [];
  let g: AsgState | null =
    initial === null ? null : { protectedInstances: 0, waitingInstances: 0, ...initial };
  const port: AsgPort = {
    async describeGroup(name) {
      calls.push(`describe ${name}`);
      if (g === null) return null;
      const out = { ...g };
      if (g.desired === 0 && g.instances > g.protectedInstances) g.instances -= 1;
      return out;
    },
    async updateGroup(name, sizes) {
      calls.push(`update ${name} ${JSON.stringify(sizes)}`);
      if (g) g = { ...g, min: sizes.min ?? g.min, desired: sizes.desired ?? g.desired };
    },
    async describeTerminationHooks(name) {
      calls.push(`hooks ${name}`);
      return hooks;
    },
  };
  return { port, calls };
}

const unusedAsg: AsgPort = {
  describeGroup: () => Promise.reject(new Error('asg not expected')),
  updateGroup: () => Promise.reject(new Error('asg not expected')),
  describeTerminationHooks: () => Promise.reject(new Error('asg not expected')),
};
const unusedEcs: EcsPort = {
  describeService: () => Promise.reject(new Error('ecs not expected')),
  updateDesiredCount: () => Promise.reject(new Error('ecs not expected')),
  describeTaskDefinition: () => Promise.reject(new Error('ecs not expected')),
};
const noWebhook = () => Promise.reject(new Error('webhook not expected'));

function deps(over: Partial<ScaleDownRun>): ScaleDownRun {
  const c = clock();
  return {
    ecs: unusedEcs,
    asg: unusedAsg,
    webhook: noWebhook,
    sleep: c.sleep,
    now: c.now,
    pollMs: 1000,
    timeoutMs: 60_000,
    ...over,
  };
}

const ECS = { kind: 'ecs' as const, cluster: 'shop', service: 'checkout-blue' };

describe('ECS services', () => {
  it('sets the desired count to 0, waits until no task runs and records the previous count', async () => {
    const ecs = fakeEcs({ desired: 3, running: 3, pending: 0, status: 'ACTIVE' });
    const report = await scaleDown(ECS, deps({ ecs: ecs.port }), CONTEXT);
    expect(report).toEqual({
      kind: 'ecs',
      target: 'shop/checkout-blue',
      shown: { label: 'ECS service', name: 'shop/checkout-blue', unit: 'running' },
      previous: { desired: 3 },
      reachedZero: true,
      remaining: 0,
      waitedMs: 3000,
    });
    expect(ecs.calls.filter((c) => c.startsWith('update'))).toEqual(['update shop/checkout-blue 0']);
  });

  it('counts pending tasks as still running', async () => {
    const ecs = fakeEcs({ desired: 1, running: 0, pending: 2, status: 'ACTIVE' });
    const report = await scaleDown(ECS, deps({ ecs: ecs.port }), CONTEXT);
    expect(report.reachedZero).toBe(true);
    expect(report.waitedMs).toBe(2000);
  });

  it('gives up at the bound and reports how many tasks are left', async () => {
    const ecs = fakeEcs({ desired: 4, running: 4, pending: 0, status: 'ACTIVE' }, { stuckAt: 2 });
    const report = await scaleDown(ECS, deps({ ecs: ecs.port, timeoutMs: 10_000 }), CONTEXT);
    expect(report).toMatchObject({ reachedZero: false, remaining: 2, waitedMs: 10_000 });
    expect(report.error).toMatch(/2 still running after 10s/);
  });

  it('makes no update when the service is already at 0 (a re-run), and reads the previous count as 0', async () => {
    const ecs = fakeEcs({ desired: 0, running: 0, pending: 0, status: 'ACTIVE' });
    const report = await scaleDown(ECS, deps({ ecs: ecs.port }), CONTEXT);
    expect(report).toMatchObject({ previous: { desired: 0 }, reachedZero: true, waitedMs: 0 });
    expect(ecs.calls.some((c) => c.startsWith('update'))).toBe(false);
  });

  it('reports a missing service without throwing or updating anything', async () => {
    const ecs = fakeEcs(null);
    const report = await scaleDown(ECS, deps({ ecs: ecs.port }), CONTEXT);
    expect(report).toMatchObject({ reachedZero: false, error: 'ECS service shop/checkout-blue not found' });
    expect(report.previous).toBeUndefined();
    expect(ecs.calls).toEqual(['describe shop/checkout-blue']);
  });

  it('reports a missing cluster like a missing service', async () => {
    const port: EcsPort = {
      ...unusedEcs,
      describeService: () =>
        Promise.reject(new AwsCallError('DescribeServices', 'ClusterNotFound', 'Cluster not found.')),
    };
    const report = await scaleDown(ECS, deps({ ecs: port }), CONTEXT);
    expect(report).toMatchObject({ reachedZero: false, error: 'ECS cluster shop not found' });
  });

  it('throws the AwsCallError of a failed update so that the caller decides', async () => {
    const port: EcsPort = {
      describeService: async () => ({ desired: 2, running: 2, pending: 0, status: 'ACTIVE' }),
      updateDesiredCount: () =>
        Promise.reject(new AwsCallError('UpdateService', 'AccessDenied', 'not allowed')),
      describeTaskDefinition: async () => null,
    };
    await expect(scaleDown(ECS, deps({ ecs: port }), CONTEXT)).rejects.toMatchObject({
      code: 'AccessDenied',
    });
  });

  it('keeps polling through a describe that fails after the update', async () => {
    const ecs = fakeEcs({ desired: 1, running: 1, pending: 0, status: 'ACTIVE' });
    ecs.failReads.push(undefined, new AwsCallError('DescribeServices', 'Throttling', 'Rate exceeded'));
    const report = await scaleDown(ECS, deps({ ecs: ecs.port }), CONTEXT);
    expect(report).toMatchObject({ reachedZero: true, remaining: 0 });
    expect(ecs.calls.filter((c) => c.startsWith('describe')).length).toBe(4);
  });

  it('says so when the last read before the bound failed', async () => {
    const ecs = fakeEcs({ desired: 1, running: 1, pending: 0, status: 'ACTIVE' }, { stuckAt: 1 });
    const throttled = new AwsCallError('DescribeServices', 'Throttling', 'Rate exceeded');
    // the first read is the one before the update; then every poll fails
    ecs.failReads.push(undefined, throttled, throttled, throttled, throttled);
    const report = await scaleDown(ECS, deps({ ecs: ecs.port, timeoutMs: 3000 }), CONTEXT);
    expect(report.reachedZero).toBe(false);
    expect(report.error).toMatch(/could not read the count at the end of the wait: .*Throttling/);
  });

  it('does not update an INACTIVE (deleted) service but still reports it', async () => {
    const ecs = fakeEcs({ desired: 2, running: 0, pending: 0, status: 'INACTIVE' });
    const report = await scaleDown(ECS, deps({ ecs: ecs.port }), CONTEXT);
    expect(report).toMatchObject({
      previous: { desired: 2 },
      reachedZero: true,
      notes: ['ECS service shop/checkout-blue is INACTIVE (deleted): nothing to scale down'],
    });
    expect(ecs.calls.some((c) => c.startsWith('update'))).toBe(false);
  });

  it('treats a DRAINING service (being deleted) as nothing to do and waits for its tasks to stop', async () => {
    const ecs = fakeEcs({ desired: 0, running: 2, pending: 0, status: 'DRAINING' });
    const report = await scaleDown(ECS, deps({ ecs: ecs.port }), CONTEXT);
    expect(report).toMatchObject({ reachedZero: true, remaining: 0 });
    expect(report.notes).toEqual([
      'ECS service shop/checkout-blue is DRAINING (being deleted): its tasks stop by themselves, nothing to scale down',
    ]);
    expect(ecs.calls.some((c) => c.startsWith('update'))).toBe(false);
  });

  it('says so when the service was deleted between the read and the update (ServiceNotActive)', async () => {
    const ecs = fakeEcs({ desired: 2, running: 2, pending: 0, status: 'ACTIVE' });
    ecs.port.updateDesiredCount = async () => {
      throw new AwsCallError('UpdateService', 'ServiceNotActive', "The specified service isn't active.");
    };
    const report = await scaleDown(ECS, deps({ ecs: ecs.port, timeoutMs: 3000 }), CONTEXT);
    expect(report.notes?.[0]).toMatch(/is DRAINING \(being deleted\)/);
  });

  it('stops after the bounded number of reads even if the clock never moves', async () => {
    const ecs = fakeEcs({ desired: 5, running: 5, pending: 0, status: 'ACTIVE' }, { stuckAt: 5 });
    const frozen = deps({
      ecs: ecs.port,
      now: () => 0,
      sleep: async () => {},
      pollMs: 1000,
      timeoutMs: 3000,
    });
    const report = await scaleDown(ECS, frozen, CONTEXT);
    expect(report.reachedZero).toBe(false);
    expect(ecs.calls.filter((c) => c.startsWith('describe')).length).toBe(1 + 4);
  });
});

describe('Auto Scaling groups', () => {
  const ASG = { kind: 'asg' as const, name: 'checkout-blue' };

  it('sets min and desired to 0, keeps max, waits for the instances and records the previous sizes', async () => {
    const asg = fakeAsg({ min: 2, desired: 3, max: 6, instances: 3 });
    const report = await scaleDown(ASG, deps({ asg: asg.port }), CONTEXT);
    expect(report).toEqual({
      kind: 'asg',
      target: 'checkout-blue',
      shown: { label: 'Auto Scaling group', name: 'checkout-blue', unit: 'instances' },
      previous: { min: 2, desired: 3, max: 6 },
      reachedZero: true,
      remaining: 0,
      waitedMs: 3000,
    });
    expect(asg.calls.filter((c) => c.startsWith('update'))).toEqual([
      'update checkout-blue {"min":0,"desired":0}',
    ]);
  });

  it('reports a missing group without throwing', async () => {
    const report = await scaleDown(ASG, deps({ asg: fakeAsg(null).port }), CONTEXT);
    expect(report).toMatchObject({
      kind: 'asg',
      reachedZero: false,
      error: 'Auto Scaling group checkout-blue not found',
    });
  });

  it('reports instances protected from scale in as kept running, without waiting for them', async () => {
    const asg = fakeAsg({ min: 1, desired: 3, max: 6, instances: 3, protectedInstances: 2 });
    const report = await scaleDown(ASG, deps({ asg: asg.port }), CONTEXT);
    expect(report).toMatchObject({ reachedZero: false, remaining: 2, waitedMs: 1000 });
    expect(report.notes).toEqual([
      '2 instance(s) protected from scale in keep running: Auto Scaling does not terminate them (remove the protection with SetInstanceProtection, or terminate them by hand)',
    ]);
  });

  it('names a lifecycle hook that holds terminating instances', async () => {
    const asg = fakeAsg({ min: 0, desired: 2, max: 4, instances: 2 }, [
      { name: 'drain-sessions', heartbeatTimeoutSeconds: 3600 },
    ]);
    const report = await scaleDown(ASG, deps({ asg: asg.port }), CONTEXT);
    expect(report.notes).toEqual([
      'lifecycle hook drain-sessions (heartbeat 1h) on termination: instances wait in Terminating:Wait until the hook is completed or its heartbeat runs out',
    ]);
  });

  it('stops waiting for instances a lifecycle hook holds in Terminating:Wait, and says so', async () => {
    const asg = fakeAsg({ min: 0, desired: 2, max: 4, instances: 2, waitingInstances: 1 }, [
      { name: 'drain-sessions', heartbeatTimeoutSeconds: 3600 },
    ]);
    const report = await scaleDown(ASG, deps({ asg: asg.port }), CONTEXT);
    expect(report).toMatchObject({ reachedZero: false, remaining: 1, waitedMs: 1000 });
    expect(report.notes?.at(-1)).toBe(
      '1 instance(s) wait in Terminating:Wait for a lifecycle hook: they run until it is completed or its heartbeat runs out',
    );
  });

  it('goes on when the lifecycle hooks cannot be read, and says so', async () => {
    const asg = fakeAsg({ min: 0, desired: 1, max: 2, instances: 1 });
    asg.port.describeTerminationHooks = async () => {
      throw new AwsCallError('DescribeLifecycleHooks', 'AccessDenied', 'not authorized');
    };
    const report = await scaleDown(ASG, deps({ asg: asg.port }), CONTEXT);
    expect(report.reachedZero).toBe(true);
    expect(report.notes?.[0]).toMatch(
      /^could not read the group's lifecycle hooks \(DescribeLifecycleHooks failed: AccessDenied/,
    );
  });

  it('makes no update for a group already at min 0 and desired 0', async () => {
    const asg = fakeAsg({ min: 0, desired: 0, max: 6, instances: 1 });
    const report = await scaleDown(ASG, deps({ asg: asg.port }), CONTEXT);
    expect(report.reachedZero).toBe(true);
    expect(asg.calls.some((c) => c.startsWith('update'))).toBe(false);
  });
});

describe('webhooks', () => {
  const WEBHOOK = {
    kind: 'webhook' as const,
    url: 'https://ops.example.com/scale-down/T0/B0/s3cr3t?token=abc',
  };
  const answer = (over: Partial<HookResult>): HookResult => ({
    hook: 'beforeTeardown',
    url: WEBHOOK.url,
    ok: true,
    status: 204,
    excerpt: '',
    attempts: 1,
    durationMs: 42,
    ...over,
  });

  it('POSTs the scale-down event and counts a 2xx as reaching zero', async () => {
    const sent: [string, unknown][] = [];
    const webhook = async (url: string, body: unknown) => {
      sent.push([url, body]);
      return answer({});
    };
    const report = await scaleDown(WEBHOOK, deps({ webhook }), CONTEXT);
    expect(sent).toEqual([
      [
        WEBHOOK.url,
        {
          event: 'scaleDown',
          deliveryId: 'checkout-20240501100000-ab12-scaleDown-blue',
          deploymentId: CONTEXT.deploymentId,
          service: 'checkout',
          slot: 'blue',
        },
      ],
    ]);
    // The record keeps (and Slack shows) the host only: the path and query hold the tokens.
    expect(report).toEqual({
      kind: 'webhook',
      target: 'https://ops.example.com/…',
      shown: { label: 'Scale-down webhook' },
      reachedZero: true,
      remaining: 0,
      waitedMs: 42,
    });
  });

  it('reports a failed webhook with its status and excerpt', async () => {
    const webhook = async () => answer({ ok: false, status: 500, excerpt: 'database busy' });
    const report = await scaleDown(WEBHOOK, deps({ webhook }), CONTEXT);
    expect(report).toMatchObject({ reachedZero: false, error: 'webhook answered HTTP 500: database busy' });
  });
});
