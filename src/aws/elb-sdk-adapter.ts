/**
 * The ElbPort implemented with the AWS SDK v3 ELBv2 client (awsQuery protocol).
 * - Endpoint, region and retries come from the SDK's standard environment (AWS_REGION,
 *   AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2, AWS_MAX_ATTEMPTS,
 *   AWS_RETRY_MODE): production, tests and the sandbox only differ by those variables.
 * - Throttling is retried by the SDK itself (standard mode); what still fails surfaces as an
 *   AwsCallError carrying AWS's error code (`ListenerNotFound`, `Throttling`, …).
 * - Action lists are passed through as AWS returned them, so ModifyListener/ModifyRule send back
 *   every field we do not understand (authenticate-*, fixed-response, redirect, …).
 */
import {
  CreateRuleCommand,
  DeleteRuleCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  type DescribeListenersCommandInput,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Action as SdkAction,
  type Rule as SdkRule,
  type RuleCondition as SdkRuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ElbPort } from '../app/ports/elb.js';
import type {
  Action,
  Listener,
  Rule,
  RuleCondition,
  TargetGroupInfo,
  TargetHealth,
  TargetHealthState,
} from '../domain/load-balancer.js';
import { type ClientOptions, callAws, clientConfig } from './sdk-call.js';

/** DescribeTags takes at most this many resource ARNs a call. */
const DESCRIBE_TAGS_MAX = 20;

/** A client configured from the standard AWS environment; `opts` (Region, credentials, …) override it. */
export function createElbClient(opts: ClientOptions = {}): ElasticLoadBalancingV2Client {
  return new ElasticLoadBalancingV2Client(clientConfig(opts));
}

/** Follows Marker/NextMarker until the last page (bounded, in case a marker repeats). */
async function allPages<T>(
  fetch: (marker: string | undefined) => Promise<{ items: T[]; next?: string }>,
): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let marker: string | undefined;
  do {
    const page = await fetch(marker);
    out.push(...page.items);
    marker = page.next;
    if (marker !== undefined && seen.has(marker)) throw new Error(`pagination marker ${marker} repeated`);
    if (marker !== undefined) seen.add(marker);
  } while (marker !== undefined && marker !== '');
  return out;
}

function fromSdkActions(actions: SdkAction[] | undefined): Action[] {
  return (actions ?? []) as unknown as Action[];
}

function fromSdkRule(r: SdkRule): Rule {
  return {
    RuleArn: r.RuleArn ?? '',
    Priority: r.Priority ?? '',
    IsDefault: r.IsDefault === true,
    Conditions: (r.Conditions ?? []) as unknown as RuleCondition[],
    Actions: fromSdkActions(r.Actions),
  };
}

/**
 * Actions on their way back to AWS. AWS never returns an OIDC client secret, and a ModifyListener/
 * ModifyRule without one is only accepted with `UseExistingClientSecret: true`: so an
 * authenticate-oidc action read from AWS is sent back with that flag. Nothing else changes.
 */
export function toSdkActions(actions: Action[]): SdkAction[] {
  return actions.map((a) => {
    const oidc = a.AuthenticateOidcConfig as Record<string, unknown> | undefined;
    if (a.Type !== 'authenticate-oidc' || !oidc || oidc.ClientSecret !== undefined)
      return a as unknown as SdkAction;
    return {
      ...a,
      AuthenticateOidcConfig: { ...oidc, UseExistingClientSecret: true },
    } as unknown as SdkAction;
  });
}

const HEALTH_STATES = new Set<string>([
  'initial',
  'healthy',
  'unhealthy',
  'unused',
  'draining',
  'unavailable',
]);

/**
 * The most results DescribeListeners and DescribeRules return per call (`PageSize`, 1–400, ELBv2
 * API Reference). Asked for explicitly: a listener with 300 rules (100 services and their preview
 * rules) is read in one call instead of several, and every page costs a token of AWS's Describe
 * bucket (src/aws/rate-limit.ts).
 */
export const MAX_PAGE_SIZE = 400;

export function createElbAdapter(client: ElasticLoadBalancingV2Client): ElbPort {
  return {
    async describeListeners(query) {
      if ('listenerArns' in query && query.listenerArns.length === 0) return [];
      return callAws('DescribeListeners', () =>
        allPages<Listener>(async (Marker) => {
          const input: DescribeListenersCommandInput =
            'listenerArns' in query
              ? { ListenerArns: query.listenerArns, Marker, PageSize: MAX_PAGE_SIZE }
              : { LoadBalancerArn: query.loadBalancerArn, Marker, PageSize: MAX_PAGE_SIZE };
          const out = await client.send(new DescribeListenersCommand(input));
          const items = (out.Listeners ?? []).map<Listener>((l) => {
            const listener: Listener = {
              ListenerArn: l.ListenerArn ?? '',
              LoadBalancerArn: l.LoadBalancerArn ?? '',
              DefaultActions: fromSdkActions(l.DefaultActions),
            };
            if (l.Port !== undefined) listener.Port = l.Port;
            if (l.Protocol !== undefined) listener.Protocol = l.Protocol;
            return listener;
          });
          return { items, next: out.NextMarker };
        }),
      );
    },

    describeRules(listenerArn) {
      return callAws('DescribeRules', () =>
        allPages<Rule>(async (Marker) => {
          const out = await client.send(
            new DescribeRulesCommand({ ListenerArn: listenerArn, Marker, PageSize: MAX_PAGE_SIZE }),
          );
          return { items: (out.Rules ?? []).map(fromSdkRule), next: out.NextMarker };
        }),
      );
    },

    async modifyListener(listenerArn, defaultActions) {
      await callAws('ModifyListener', () =>
        client.send(
          new ModifyListenerCommand({
            ListenerArn: listenerArn,
            DefaultActions: toSdkActions(defaultActions),
          }),
        ),
      );
    },

    async modifyRule(ruleArn, actions) {
      await callAws('ModifyRule', () =>
        client.send(new ModifyRuleCommand({ RuleArn: ruleArn, Actions: toSdkActions(actions) })),
      );
    },

    createRule(listenerArn, priority, conditions, actions) {
      return callAws('CreateRule', async () => {
        const out = await client.send(
          new CreateRuleCommand({
            ListenerArn: listenerArn,
            Priority: priority,
            Conditions: conditions as unknown as SdkRuleCondition[],
            Actions: toSdkActions(actions),
          }),
        );
        const [rule] = out.Rules ?? [];
        if (!rule) throw new Error('CreateRule returned no rule');
        return fromSdkRule(rule);
      });
    },

    async deleteRule(ruleArn) {
      await callAws('DeleteRule', () => client.send(new DeleteRuleCommand({ RuleArn: ruleArn })));
    },

    describeTargetHealth(targetGroupArn) {
      return callAws('DescribeTargetHealth', async () => {
        const out = await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
        return (out.TargetHealthDescriptions ?? []).map<TargetHealth>((d) => {
          const state = d.TargetHealth?.State ?? 'unavailable';
          const t: TargetHealth = {
            Id: d.Target?.Id ?? '',
            State: (HEALTH_STATES.has(state) ? state : 'unavailable') as TargetHealthState,
          };
          if (d.Target?.Port !== undefined) t.Port = d.Target.Port;
          if (d.TargetHealth?.Reason !== undefined) t.Reason = d.TargetHealth.Reason;
          if (d.TargetHealth?.Description !== undefined) t.Description = d.TargetHealth.Description;
          return t;
        });
      });
    },

    async describeTags(resourceArns) {
      const tags: Record<string, Record<string, string>> = {};
      // At most DESCRIBE_TAGS_MAX resources a call (ELBv2 API Reference, DescribeTags); none: no call.
      for (let i = 0; i < resourceArns.length; i += DESCRIBE_TAGS_MAX) {
        const batch = resourceArns.slice(i, i + DESCRIBE_TAGS_MAX);
        await callAws('DescribeTags', async () => {
          const out = await client.send(new DescribeTagsCommand({ ResourceArns: batch }));
          for (const d of out.TagDescriptions ?? []) {
            if (d.ResourceArn === undefined) continue;
            const own: Record<string, string> = {};
            for (const t of d.Tags ?? []) if (t.Key !== undefined) own[t.Key] = t.Value ?? '';
            tags[d.ResourceArn] = own;
          }
        });
      }
      return tags;
    },

    describeTargetGroupAttributes(targetGroupArn) {
      return callAws('DescribeTargetGroupAttributes', async () => {
        const out = await client.send(
          new DescribeTargetGroupAttributesCommand({ TargetGroupArn: targetGroupArn }),
        );
        const attrs: Record<string, string> = {};
        for (const a of out.Attributes ?? []) if (a.Key !== undefined) attrs[a.Key] = a.Value ?? '';
        return attrs;
      });
    },

    async describeTargetGroups(targetGroupArns) {
      // An empty filter would make AWS describe every target group of the account.
      if (targetGroupArns.length === 0) return [];
      return callAws('DescribeTargetGroups', () =>
        allPages<TargetGroupInfo>(async (Marker) => {
          const out = await client.send(
            new DescribeTargetGroupsCommand({ TargetGroupArns: targetGroupArns, Marker }),
          );
          const items = (out.TargetGroups ?? []).map<TargetGroupInfo>((g) => {
            const info: TargetGroupInfo = {
              TargetGroupArn: g.TargetGroupArn ?? '',
              TargetGroupName: g.TargetGroupName ?? '',
              LoadBalancerArns: g.LoadBalancerArns ?? [],
            };
            if (g.HealthCheckIntervalSeconds !== undefined)
              info.HealthCheckIntervalSeconds = g.HealthCheckIntervalSeconds;
            if (g.HealthCheckTimeoutSeconds !== undefined)
              info.HealthCheckTimeoutSeconds = g.HealthCheckTimeoutSeconds;
            if (g.HealthyThresholdCount !== undefined) info.HealthyThresholdCount = g.HealthyThresholdCount;
            if (g.UnhealthyThresholdCount !== undefined)
              info.UnhealthyThresholdCount = g.UnhealthyThresholdCount;
            return info;
          });
          return { items, next: out.NextMarker };
        }),
      );
    },

    async deregisterTargets(targetGroupArn, targets) {
      if (targets.length === 0) return;
      await callAws('DeregisterTargets', () =>
        client.send(new DeregisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: targets })),
      );
    },
  };
}
