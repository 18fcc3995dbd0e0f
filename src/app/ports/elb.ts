/**
 * The narrow port to Elastic Load Balancing v2: only the calls Greenlight makes. The shapes it
 * carries are the domain's (src/domain/load-balancer.ts), which mirror the AWS API.
 */
import type {
  Action,
  Listener,
  Rule,
  RuleCondition,
  TargetGroupInfo,
  TargetHealth,
} from '../../domain/load-balancer.js';

export interface ElbPort {
  describeListeners(query: { listenerArns: string[] } | { loadBalancerArn: string }): Promise<Listener[]>;
  /** All rules of a listener, the default rule included (IsDefault). Paginated internally. */
  describeRules(listenerArn: string): Promise<Rule[]>;
  modifyListener(listenerArn: string, defaultActions: Action[]): Promise<void>;
  modifyRule(ruleArn: string, actions: Action[]): Promise<void>;
  /** CreateRule; returns the rule as AWS describes it. */
  createRule(
    listenerArn: string,
    priority: number,
    conditions: RuleCondition[],
    actions: Action[],
  ): Promise<Rule>;
  deleteRule(ruleArn: string): Promise<void>;
  describeTargetHealth(targetGroupArn: string): Promise<TargetHealth[]>;
  /** Attributes as AWS names them: `stickiness.enabled`, `deregistration_delay.timeout_seconds`, … */
  describeTargetGroupAttributes(targetGroupArn: string): Promise<Record<string, string>>;
  describeTargetGroups(targetGroupArns: string[]): Promise<TargetGroupInfo[]>;
  deregisterTargets(targetGroupArn: string, targets: { Id: string; Port?: number }[]): Promise<void>;
  /** The tags of any number of resources (DescribeTags, 20 a call: AWS's limit): ARN → its tags. */
  describeTags(resourceArns: string[]): Promise<Record<string, Record<string, string>>>;
}
