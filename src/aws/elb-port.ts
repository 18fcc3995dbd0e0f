/**
 * The narrow port to Elastic Load Balancing v2: only the calls Greenlight makes.
 * Shapes mirror the AWS API (PascalCase) so that an action list read from AWS can be sent back
 * whole: ModifyListener/ModifyRule replace the entire list, so fields we do not understand
 * (authenticate-oidc configs, fixed responses, …) must round-trip untouched.
 */

export interface TargetGroupTuple {
  TargetGroupArn: string;
  Weight?: number;
}

export interface ForwardConfig {
  TargetGroups?: TargetGroupTuple[];
  TargetGroupStickinessConfig?: { Enabled?: boolean; DurationSeconds?: number };
}

export interface Action {
  Type: string;
  Order?: number;
  TargetGroupArn?: string;
  ForwardConfig?: ForwardConfig;
  /** Other action kinds (redirect, fixed-response, authenticate-*) pass through untouched. */
  [other: string]: unknown;
}

export interface Listener {
  ListenerArn: string;
  LoadBalancerArn: string;
  Port?: number;
  Protocol?: string;
  DefaultActions: Action[];
}

export interface Rule {
  RuleArn: string;
  /** `"default"` for the listener's default rule, else a number as a string. */
  Priority: string;
  IsDefault: boolean;
  Actions: Action[];
}

export type TargetHealthState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable';

export interface TargetHealth {
  Id: string;
  Port?: number;
  State: TargetHealthState;
  Reason?: string;
  Description?: string;
}

export interface TargetGroupInfo {
  TargetGroupArn: string;
  TargetGroupName: string;
  LoadBalancerArns: string[];
}

export interface ElbPort {
  describeListeners(query: { listenerArns: string[] } | { loadBalancerArn: string }): Promise<Listener[]>;
  /** All rules of a listener, the default rule included (IsDefault). Paginated internally. */
  describeRules(listenerArn: string): Promise<Rule[]>;
  modifyListener(listenerArn: string, defaultActions: Action[]): Promise<void>;
  modifyRule(ruleArn: string, actions: Action[]): Promise<void>;
  describeTargetHealth(targetGroupArn: string): Promise<TargetHealth[]>;
  /** Attributes as AWS names them: `stickiness.enabled`, `deregistration_delay.timeout_seconds`, … */
  describeTargetGroupAttributes(targetGroupArn: string): Promise<Record<string, string>>;
  describeTargetGroups(targetGroupArns: string[]): Promise<TargetGroupInfo[]>;
  deregisterTargets(targetGroupArn: string, targets: { Id: string; Port?: number }[]): Promise<void>;
}

/** An AWS error surfaced by the adapter with its code, e.g. `ListenerNotFound`, `Throttling`. */
export class AwsCallError extends Error {
  constructor(
    readonly operation: string,
    readonly code: string,
    message: string,
  ) {
    super(`${operation} failed: ${code}: ${message}`);
    this.name = 'AwsCallError';
  }
}
