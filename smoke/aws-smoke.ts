/**
 * `npm run smoke:aws -- --vpc vpc-… --subnets subnet-a,subnet-b --target 10.0.1.5:80 --yes-create-resources`
 *
 * An opt-in check against a real AWS account (see smoke/README.md): it creates a throwaway,
 * tagged ALB with two target groups, checks the AWS behaviours Greenlight relies on, runs
 * deploy → verify → rollback → deploy → teardown through the real runtime, prints what it found and
 * deletes everything it created, even after a failure. Without --yes-create-resources it only
 * prints what it would create and what that costs. Credentials and region come from the AWS SDK's
 * standard environment.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describePlan, planSmoke, type SmokeOptions } from './plan.js';
import { passed, runSmoke } from './run.js';
import { type Created, destroyStack, findTagged, type Stack } from './stack.js';

const USAGE = `usage: npm run smoke:aws -- --vpc <vpc-id> --subnets <subnet-a,subnet-b> --target <ip:port> [--target …]
       [--security-groups <sg-…>] [--scheme internet-facing|internal] [--region <region>] --yes-create-resources
       npm run smoke:aws -- --cleanup <run id> [--region <region>]`;

function fail(message: string): never {
  process.stderr.write(`smoke:aws: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Real requests to the load balancer (the runner must reach it: internet-facing, port 80 open). */
async function send(stack: Stack, path: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) {
    await fetch(`http://${stack.dnsName}${path}`, { signal: AbortSignal.timeout(5_000) }).catch(
      () => undefined,
    );
  }
}

function traffic(stack: Stack): { stop(): void } {
  let running = true;
  void (async () => {
    while (running) {
      await send(stack, '/', 5);
      await sleep(1_000);
    }
  })();
  return {
    stop() {
      running = false;
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      vpc: { type: 'string' },
      subnets: { type: 'string' },
      'security-groups': { type: 'string' },
      target: { type: 'string', multiple: true },
      scheme: { type: 'string', default: 'internet-facing' },
      region: { type: 'string' },
      'run-id': { type: 'string' },
      cleanup: { type: 'string' },
      'yes-create-resources': { type: 'boolean', default: false },
    },
  });
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) fail('no region: give --region or set AWS_REGION');
  const elb = new ElasticLoadBalancingV2Client({ region });
  const cloudwatch = new CloudWatchClient({ region });
  const waits = { sleep, pollMs: 5_000, deleteTimeoutMs: 5 * 60_000 };
  const say = (line: string) => process.stdout.write(`${line}\n`);

  if (values.cleanup) {
    const left = await destroyStack(elb, await findTagged(elb, values.cleanup), waits, say);
    process.exit(left.length === 0 ? 0 : 1);
  }
  if (!values.vpc) fail('--vpc is required');
  const subnets = (values.subnets ?? '').split(',').filter(Boolean);
  if (subnets.length < 2) fail('--subnets needs at least two subnets in two Availability Zones');
  const targets = (values.target ?? []).map((t) => {
    const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(t);
    if (!m) fail(`--target ${t}: expected <ip>:<port> of a healthy HTTP server`);
    return { ip: m[1] as string, port: Number(m[2]) };
  });
  if (targets.length === 0) fail('--target is required: a healthy HTTP server both slots can use');
  if (values.scheme !== 'internet-facing' && values.scheme !== 'internal')
    fail('--scheme is internet-facing or internal');
  const options: SmokeOptions = {
    region,
    vpcId: values.vpc,
    subnets,
    securityGroups: (values['security-groups'] ?? '').split(',').filter(Boolean),
    scheme: values.scheme,
    targets,
    runId: values['run-id'] ?? randomBytes(3).toString('hex'),
  };
  const plan = planSmoke(options);
  if (!values['yes-create-resources']) {
    say(describePlan(plan));
    say('\nNothing was created. Run again with --yes-create-resources to go ahead.');
    process.exit(2);
  }
  // Ctrl-C: delete what exists so far, then stop.
  const created: Created = { targetGroupArns: [] };
  process.once('SIGINT', () => {
    // A call in flight may still create something: delete after it lands (a second Ctrl-C quits).
    say('interrupted: deleting what the run created (Ctrl-C again to quit without)');
    process.once('SIGINT', () => process.exit(130));
    void sleep(10_000)
      .then(() => destroyStack(elb, created, waits, say))
      .then((left) => process.exit(left.length === 0 ? 130 : 1));
  });
  const report = await runSmoke(plan, {
    created,
    elb,
    cloudwatch,
    waits,
    healthTimeoutMs: 3 * 60_000,
    // ALB metrics reach CloudWatch a minute or more after their period.
    metricsTimeoutMs: 10 * 60_000,
    lifecycle: {
      period: '60s',
      pollInterval: '20s',
      verifyWindow: '10m',
      soak: '30m',
      remindBefore: '10m',
      stepTimeoutMs: 15 * 60_000,
      jobPollMs: 5_000,
    },
    send,
    traffic,
    say,
  });
  say(passed(report) ? '\nsmoke:aws PASSED' : '\nsmoke:aws FAILED');
  process.exit(passed(report) ? 0 : 1);
}

main().catch((err: unknown) => {
  process.stderr.write(`smoke:aws: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
