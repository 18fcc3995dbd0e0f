/**
 * The AWS behaviours Greenlight's design rests on, checked against the account the smoke runs in
 * (each with the documentation it comes from, see docs/aws-behaviour.md):
 * 1. a target group no forward names is not health-checked: its targets read `unused`,
 *    `Target.NotInUse` (ELBv2 API reference, TargetHealth);
 * 2. once a rule names it, its targets read `initial` before they are judged (ALB user guide,
 *    "Health checks for your target groups");
 * 3. deleting that rule makes them `unused` again;
 * 4. the load balancer's own 5xx (here 503: a group with no target) are published with the
 *    LoadBalancer dimension only, never per target group ("CloudWatch metrics for your ALB").
 */
import { type CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateRuleCommand,
  DeleteRuleCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Stack } from './stack.js';

export interface Belief {
  name: string;
  held: boolean;
  observed: string;
}

export interface BeliefDeps {
  elb: ElasticLoadBalancingV2Client;
  cloudwatch: CloudWatchClient;
  sleep: (ms: number) => Promise<void>;
  pollMs: number;
  /** How long to wait for a state to show (health checks) and for metrics to be published. */
  healthTimeoutMs: number;
  metricsTimeoutMs: number;
  /** Sends `n` requests to a path of the load balancer (real: HTTP; local: the traffic model already does). */
  send: (path: string, n: number) => Promise<void>;
}

async function states(elb: ElasticLoadBalancingV2Client, arn: string): Promise<string[]> {
  const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  return (out.TargetHealthDescriptions ?? []).map(
    (d) => `${d.TargetHealth?.State ?? '?'}${d.TargetHealth?.Reason ? `/${d.TargetHealth.Reason}` : ''}`,
  );
}

/** Polls the group's target states until `want` matches one of them; every distinct reading is kept. */
async function watch(
  deps: BeliefDeps,
  arn: string,
  want: (state: string) => boolean,
): Promise<{ seen: string[]; matched: boolean }> {
  const seen: string[] = [];
  const deadline = Date.now() + deps.healthTimeoutMs;
  for (;;) {
    const now = await states(deps.elb, arn);
    const line = now.join(', ') || '(no target)';
    if (seen.at(-1) !== line) seen.push(line);
    if (now.some(want)) return { seen, matched: true };
    if (Date.now() > deadline) return { seen, matched: false };
    await deps.sleep(deps.pollMs);
  }
}

async function elb503(
  deps: BeliefDeps,
  stack: Stack,
  since: number,
): Promise<{ lb: number; perGroup: number }> {
  const lb = stack.loadBalancerArn.split(':loadbalancer/')[1] ?? '';
  const group = stack.emptyArn.slice(stack.emptyArn.indexOf('targetgroup/'));
  const metric = (id: string, dims: { Name: string; Value: string }[]) => ({
    Id: id,
    MetricStat: {
      Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_ELB_503_Count', Dimensions: dims },
      Period: 60,
      Stat: 'Sum',
    },
  });
  const out = await deps.cloudwatch.send(
    new GetMetricDataCommand({
      MetricDataQueries: [
        metric('lb', [{ Name: 'LoadBalancer', Value: lb }]),
        metric('group', [
          { Name: 'LoadBalancer', Value: lb },
          { Name: 'TargetGroup', Value: group },
        ]),
      ],
      StartTime: new Date(since - 60_000),
      EndTime: new Date(),
    }),
  );
  const sum = (id: string) =>
    (out.MetricDataResults ?? []).find((r) => r.Id === id)?.Values?.reduce((a, b) => a + b, 0) ?? 0;
  return { lb: sum('lb'), perGroup: sum('group') };
}

export async function checkBeliefs(deps: BeliefDeps, stack: Stack): Promise<Belief[]> {
  const beliefs: Belief[] = [];
  const unused = await states(deps.elb, stack.greenArn);
  beliefs.push({
    name: 'a target group no forward names reads unused (Target.NotInUse)',
    held: unused.length > 0 && unused.every((s) => s === 'unused/Target.NotInUse'),
    observed: unused.join(', ') || '(no target)',
  });

  const rule = await deps.elb.send(
    new CreateRuleCommand({
      ListenerArn: stack.listenerArn,
      Priority: 49_999,
      Conditions: [
        {
          Field: 'http-header',
          HttpHeaderConfig: { HttpHeaderName: 'X-Greenlight-Smoke', Values: ['attach'] },
        },
      ],
      Actions: [{ Type: 'forward', TargetGroupArn: stack.greenArn }],
    }),
  );
  const attached = await watch(deps, stack.greenArn, (s) => s.startsWith('initial'));
  const judged = await watch(deps, stack.greenArn, (s) => s === 'healthy' || s.startsWith('unhealthy'));
  beliefs.push({
    name: 'named by a rule again, its targets read initial before they are judged',
    held: attached.matched && judged.matched,
    observed: [...attached.seen, ...judged.seen.slice(1)].join(' → '),
  });

  const ruleArn = rule.Rules?.[0]?.RuleArn;
  if (ruleArn) await deps.elb.send(new DeleteRuleCommand({ RuleArn: ruleArn }));
  const detached = await watch(deps, stack.greenArn, (s) => s === 'unused/Target.NotInUse');
  beliefs.push({
    name: 'the rule deleted, its targets read unused again',
    held: detached.matched,
    observed: detached.seen.join(' → '),
  });

  const since = Date.now();
  await deps.send('/gl-smoke-503', 50);
  const deadline = since + deps.metricsTimeoutMs;
  let counts = await elb503(deps, stack, since);
  while (counts.lb === 0 && Date.now() < deadline) {
    await deps.sleep(Math.max(deps.pollMs, 1000));
    counts = await elb503(deps, stack, since);
  }
  beliefs.push({
    name: "the load balancer's own 5xx are published per load balancer, not per target group",
    held: counts.lb > 0 && counts.perGroup === 0,
    observed: `HTTPCode_ELB_503_Count: ${counts.lb} with LoadBalancer, ${counts.perGroup} with LoadBalancer + TargetGroup`,
  });
  return beliefs;
}
