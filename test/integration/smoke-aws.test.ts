/**
 * `npm run smoke:aws`, run here against the local AWS endpoint instead of an account: its plan,
 * its refusal without the explicit flag, a whole run through the real runtime, and its clean-up
 * after a failure. (Against a real account: smoke/README.md.)
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeElbState } from '../../sandbox/fake-elb/state.js';
import { type LocalAws, startLocalAws } from '../../sandbox/local-aws.js';
import { describePlan, planSmoke, type SmokeOptions } from '../../smoke/plan.js';
import { passed, runSmoke, type SmokeDeps } from '../../smoke/run.js';

const OPTIONS: SmokeOptions = {
  region: 'us-east-1',
  vpcId: 'vpc-0123456789abcdef0',
  subnets: ['subnet-0a', 'subnet-0b'],
  securityGroups: [],
  scheme: 'internet-facing',
  targets: [{ ip: '10.0.1.5', port: 80 }],
  runId: 'test01',
};

let aws: LocalAws | undefined;
afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

/** An empty account on the local endpoint: AWS's durations at 1/100, 1 s metric periods. */
async function localDeps(
  over: Partial<SmokeDeps> = {},
): Promise<{ deps: SmokeDeps; lines: string[]; elb: FakeElbState }> {
  const elb = new FakeElbState({ timeScale: 0.01 });
  aws = await startLocalAws({ elb, periodMs: 1000, tickMs: 50 });
  const lines: string[] = [];
  const deps: SmokeDeps = {
    elb: aws.clients.elb,
    cloudwatch: aws.clients.cloudwatch,
    waits: { sleep: (ms) => new Promise((r) => setTimeout(r, ms)), pollMs: 10, deleteTimeoutMs: 2_000 },
    // Bounds, not waits: each step goes on as soon as its condition holds. Generous, so that a
    // loaded CI machine (2 cores, other suites running) is slow, not failing.
    healthTimeoutMs: 60_000,
    metricsTimeoutMs: 60_000,
    lifecycle: {
      period: '1s',
      pollInterval: '200ms',
      verifyWindow: '8s',
      soak: '1m',
      remindBefore: '30s',
      stepTimeoutMs: 90_000,
      jobPollMs: 50,
      simulatedMetrics: true,
    },
    // The local traffic model already sends every production forward its requests.
    send: async () => {},
    traffic: () => ({ stop() {} }),
    say: (line) => lines.push(line),
    ...over,
  };
  return { deps, lines, elb };
}

describe('npm run smoke:aws', () => {
  it('says what it will create and what it costs, and creates nothing without --yes-create-resources', async () => {
    const plan = planSmoke(OPTIONS);
    expect(describePlan(plan)).toContain('Application Load Balancer gl-smoke-test01 (internet-facing)');
    expect(describePlan(plan)).toMatch(/Cost: about \$0\.03\d per hour/);
    const run = promisify(execFile)(
      'npx',
      [
        'tsx',
        'smoke/aws-smoke.ts',
        '--region',
        'us-east-1',
        '--vpc',
        'vpc-1',
        '--subnets',
        'subnet-a,subnet-b',
        '--target',
        '10.0.1.5:80',
      ],
      { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
    );
    const err = await run.catch((e: { code: number; stdout: string }) => e);
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stdout: string }).stdout).toContain(
      'Nothing was created. Run again with --yes-create-resources',
    );
  });

  it('runs against an account: every AWS belief holds, the lifecycle ends done, and nothing is left', async () => {
    const { deps, lines, elb } = await localDeps();
    const report = await runSmoke(planSmoke(OPTIONS), deps);
    expect(report.error).toBeUndefined();
    expect(report.beliefs.map((b) => [b.name, b.held])).toEqual([
      ['a target group no forward names reads unused (Target.NotInUse)', true],
      ['named by a rule again, its targets read initial before they are judged', true],
      ['the rule deleted, its targets read unused again', true],
      ["the load balancer's own 5xx are published per load balancer, not per target group", true],
    ]);
    expect(report.steps.map((s) => s.state)).toEqual([
      'awaiting_approval',
      'soaking',
      'rolled_back',
      'awaiting_approval',
      'soaking',
      'done',
    ]);
    expect(passed(report)).toBe(true);
    expect(lines.at(-1)).toBe('clean-up: everything the run created is deleted');
    expect([elb.loadBalancers.size, elb.targetGroups.size, elb.listeners.size, elb.rules.size]).toEqual([
      0, 0, 0, 0,
    ]);
  }, 600_000); // a whole lifecycle: each step waits on a condition, bounded by stepTimeoutMs

  it('deletes what it created when it fails half-way', async () => {
    const { deps, elb } = await localDeps({ failAfter: 'create' });
    const report = await runSmoke(planSmoke(OPTIONS), deps);
    expect(report.error).toBe('failing on purpose after creating the stack');
    expect(report.leftovers).toEqual([]);
    expect(passed(report)).toBe(false);
    expect([elb.loadBalancers.size, elb.targetGroups.size]).toEqual([0, 0]);
  });
});
