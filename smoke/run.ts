/**
 * One smoke run: create the stack, check the AWS beliefs, run the lifecycle through the real
 * runtime, and — whatever happened — delete everything created. The clients, the clock and the
 * traffic are injected: the CLI passes real ones, the tests the local AWS endpoint.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { type Belief, checkBeliefs } from './beliefs.js';
import { type LifecycleTimings, runLifecycle, type Step } from './lifecycle.js';
import { describePlan, type SmokePlan } from './plan.js';
import { type Created, createStack, destroyStack, type Stack, type Waits } from './stack.js';

export interface SmokeDeps {
  elb: ElasticLoadBalancingV2Client;
  cloudwatch: CloudWatchClient;
  waits: Waits;
  healthTimeoutMs: number;
  metricsTimeoutMs: number;
  lifecycle: LifecycleTimings;
  /** Sends requests to the load balancer (`dnsName` once known). */
  send: (stack: Stack, path: string, n: number) => Promise<void>;
  /** Background traffic during the lifecycle (verification needs requests on the new slot). */
  traffic: (stack: Stack) => { stop(): void };
  say: (line: string) => void;
  /** Test hook: fail after this phase, to prove the clean-up. */
  failAfter?: 'create' | 'beliefs';
  /** Filled in as resources are created (the CLI deletes them on Ctrl-C). */
  created?: Created;
}

export interface SmokeReport {
  beliefs: Belief[];
  steps: Step[];
  /** Resources that could not be deleted (empty: clean). */
  leftovers: string[];
  error?: string;
}

export async function runSmoke(plan: SmokePlan, deps: SmokeDeps): Promise<SmokeReport> {
  deps.say(describePlan(plan));
  const created: Created = deps.created ?? { targetGroupArns: [] };
  const report: SmokeReport = { beliefs: [], steps: [], leftovers: [] };
  try {
    const stack = await createStack(deps.elb, plan, created, deps.waits, deps.say);
    if (deps.failAfter === 'create') throw new Error('failing on purpose after creating the stack');
    report.beliefs = await checkBeliefs(
      {
        elb: deps.elb,
        cloudwatch: deps.cloudwatch,
        sleep: deps.waits.sleep,
        pollMs: deps.waits.pollMs,
        healthTimeoutMs: deps.healthTimeoutMs,
        metricsTimeoutMs: deps.metricsTimeoutMs,
        send: (path, n) => deps.send(stack, path, n),
      },
      stack,
    );
    for (const b of report.beliefs) deps.say(`${b.held ? 'HELD  ' : 'BROKEN'} ${b.name}: ${b.observed}`);
    if (deps.failAfter === 'beliefs') throw new Error('failing on purpose after the beliefs');
    const traffic = deps.traffic(stack);
    try {
      report.steps = await runLifecycle(
        { elb: deps.elb, cloudwatch: deps.cloudwatch },
        stack,
        deps.lifecycle,
        deps.say,
      );
    } finally {
      traffic.stop();
    }
  } catch (err) {
    report.error = err instanceof Error ? err.message : String(err);
    deps.say(`smoke run failed: ${report.error}`);
  } finally {
    report.leftovers = await destroyStack(deps.elb, created, deps.waits, deps.say);
    deps.say(
      report.leftovers.length === 0
        ? 'clean-up: everything the run created is deleted'
        : `clean-up: NOT deleted (delete by hand or run --cleanup ${plan.options.runId}):\n  ${report.leftovers.join('\n  ')}`,
    );
  }
  return report;
}

/** True when the run proved what it set out to: every belief held and every step ended as expected. */
export function passed(report: SmokeReport): boolean {
  const expected = ['awaiting_approval', 'soaking', 'rolled_back', 'awaiting_approval', 'soaking', 'done'];
  return (
    report.error === undefined &&
    report.leftovers.length === 0 &&
    report.beliefs.length > 0 &&
    report.beliefs.every((b) => b.held) &&
    report.steps.map((s) => s.state).join() === expected.join()
  );
}
