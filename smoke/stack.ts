/**
 * The smoke test's throwaway stack: created step by step, each ARN recorded the moment AWS returns
 * it, so that `destroyStack` deletes exactly what exists — also after a failure half-way. Deletion
 * goes in dependency order (listener and load balancer, then target groups, which AWS refuses to
 * delete with ResourceInUse until the load balancer is gone) and retries what AWS is not ready for.
 */
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { SmokePlan } from './plan.js';

export interface Stack {
  loadBalancerArn: string;
  dnsName: string;
  listenerArn: string;
  blueArn: string;
  greenArn: string;
  emptyArn: string;
}

/** What exists so far (filled in as the stack is created). */
export interface Created {
  loadBalancerArn?: string;
  targetGroupArns: string[];
}

export interface Waits {
  /** Sleeps between polls (injectable: tests and the local endpoint go faster). */
  sleep: (ms: number) => Promise<void>;
  pollMs: number;
  /** How long deletion retries a target group still in use. */
  deleteTimeoutMs: number;
}

const tagList = (tags: Record<string, string>) =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

async function createGroup(
  elb: ElasticLoadBalancingV2Client,
  plan: SmokePlan,
  name: string,
  created: Created,
): Promise<string> {
  const out = await elb.send(
    new CreateTargetGroupCommand({
      Name: name,
      Protocol: 'HTTP',
      Port: 80,
      VpcId: plan.options.vpcId,
      TargetType: 'ip',
      HealthCheckPath: '/',
      // AWS's minimums: a slot named again is healthy after 2 checks × 5 s.
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 2,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      Tags: tagList(plan.tags),
    }),
  );
  const arn = out.TargetGroups?.[0]?.TargetGroupArn;
  if (!arn) throw new Error(`CreateTargetGroup ${name} returned no ARN`);
  created.targetGroupArns.push(arn);
  await elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: arn,
      Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }],
    }),
  );
  return arn;
}

/** A new load balancer is `provisioning` for a few minutes; its DNS name answers once `active`. */
async function untilActive(elb: ElasticLoadBalancingV2Client, arn: string, waits: Waits): Promise<void> {
  const deadline = Date.now() + waits.deleteTimeoutMs;
  for (;;) {
    const out = await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }));
    const state = out.LoadBalancers?.[0]?.State?.Code;
    if (state === 'active') return;
    if (state === 'failed') throw new Error(`load balancer ${arn} failed to provision`);
    if (Date.now() > deadline) throw new Error(`load balancer ${arn} is still ${state} after waiting`);
    await waits.sleep(waits.pollMs);
  }
}

export async function createStack(
  elb: ElasticLoadBalancingV2Client,
  plan: SmokePlan,
  created: Created,
  waits: Waits,
  say: (line: string) => void,
): Promise<Stack> {
  const { options, names } = plan;
  const lb = await elb.send(
    new CreateLoadBalancerCommand({
      Name: names.loadBalancer,
      Subnets: options.subnets,
      ...(options.securityGroups.length > 0 ? { SecurityGroups: options.securityGroups } : {}),
      Scheme: options.scheme,
      Type: 'application',
      Tags: tagList(plan.tags),
    }),
  );
  const loadBalancerArn = lb.LoadBalancers?.[0]?.LoadBalancerArn;
  const dnsName = lb.LoadBalancers?.[0]?.DNSName ?? '';
  if (!loadBalancerArn) throw new Error('CreateLoadBalancer returned no ARN');
  created.loadBalancerArn = loadBalancerArn;
  say(`created load balancer ${names.loadBalancer} (${dnsName}); waiting until it is active`);
  await untilActive(elb, loadBalancerArn, waits);
  const blueArn = await createGroup(elb, plan, names.blue, created);
  const greenArn = await createGroup(elb, plan, names.green, created);
  const emptyArn = await createGroup(elb, plan, names.empty, created);
  say(`created target groups ${names.blue}, ${names.green}, ${names.empty}`);
  for (const arn of [blueArn, greenArn]) {
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: arn,
        Targets: options.targets.map((t) => ({ Id: t.ip, Port: t.port })),
      }),
    );
  }
  const listener = await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: blueArn }],
      Tags: tagList(plan.tags),
    }),
  );
  const listenerArn = listener.Listeners?.[0]?.ListenerArn;
  if (!listenerArn) throw new Error('CreateListener returned no ARN');
  await elb.send(
    new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: 50_000,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/gl-smoke-503'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: emptyArn }],
    }),
  );
  say('created listener :80 → blue, and rule /gl-smoke-503 → the empty target group');
  return { loadBalancerArn, dnsName, listenerArn, blueArn, greenArn, emptyArn };
}

async function retryInUse(run: () => Promise<unknown>, waits: Waits): Promise<void> {
  const deadline = Date.now() + waits.deleteTimeoutMs;
  for (;;) {
    try {
      await run();
      return;
    } catch (err) {
      const code = (err as { name?: string; Code?: string }).Code ?? (err as { name?: string }).name;
      if (code !== 'ResourceInUse' || Date.now() > deadline) throw err;
      await waits.sleep(waits.pollMs);
    }
  }
}

/**
 * Deletes what `created` names; returns one line per resource it could not delete (empty when
 * everything is gone). Deleting the load balancer deletes its listeners and rules.
 */
export async function destroyStack(
  elb: ElasticLoadBalancingV2Client,
  created: Created,
  waits: Waits,
  say: (line: string) => void,
): Promise<string[]> {
  const left: string[] = [];
  if (created.loadBalancerArn) {
    try {
      await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: created.loadBalancerArn }));
      say(`deleted load balancer ${created.loadBalancerArn}`);
    } catch (err) {
      left.push(`load balancer ${created.loadBalancerArn}: ${(err as Error).message}`);
    }
  }
  for (const arn of created.targetGroupArns) {
    try {
      await retryInUse(() => elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn })), waits);
      say(`deleted target group ${arn}`);
    } catch (err) {
      left.push(`target group ${arn}: ${(err as Error).message}`);
    }
  }
  return left;
}

/** What a run left behind, found by its tag (for `--cleanup <run id>`). */
export async function findTagged(elb: ElasticLoadBalancingV2Client, runId: string): Promise<Created> {
  const tagged = async (arns: string[]): Promise<string[]> => {
    const out: string[] = [];
    for (let i = 0; i < arns.length; i += 20) {
      const page = await elb.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) }));
      for (const d of page.TagDescriptions ?? []) {
        if (d.ResourceArn && d.Tags?.some((t) => t.Key === 'greenlight:smoke' && t.Value === runId))
          out.push(d.ResourceArn);
      }
    }
    return out;
  };
  const lbs = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
  const groups = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
  const [lb] = await tagged(lbs.map((l) => l.LoadBalancerArn ?? '').filter(Boolean));
  return {
    ...(lb ? { loadBalancerArn: lb } : {}),
    targetGroupArns: await tagged(groups.map((g) => g.TargetGroupArn ?? '').filter(Boolean)),
  };
}
