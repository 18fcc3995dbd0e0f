/**
 * The load balancer as the domain sees it: listeners, rules, their actions and target health.
 * Shapes mirror the ELBv2 API (PascalCase) so that an action list read from AWS can be sent back
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

/** A rule condition as AWS describes it (`host-header`, `path-pattern`, `http-header`, …). */
export interface RuleCondition {
  Field?: string;
  /** The legacy form of host-header and path-pattern values (AWS still returns it). */
  Values?: string[];
  HostHeaderConfig?: { Values?: string[] };
  PathPatternConfig?: { Values?: string[] };
  HttpHeaderConfig?: { HttpHeaderName?: string; Values?: string[] };
  [other: string]: unknown;
}

export interface Rule {
  RuleArn: string;
  /** `"default"` for the listener's default rule, else a number as a string. */
  Priority: string;
  IsDefault: boolean;
  Conditions?: RuleCondition[];
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
  /** Load balancers whose forwards name the group: empty when none does (its targets read `unused`). */
  LoadBalancerArns: string[];
  /** Health-check settings (AWS defaults for HTTP: 30 s, threshold 5 healthy / 2 unhealthy). */
  HealthCheckIntervalSeconds?: number;
  HealthCheckTimeoutSeconds?: number;
  HealthyThresholdCount?: number;
  UnhealthyThresholdCount?: number;
}
