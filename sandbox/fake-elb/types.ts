/** The plain data of the fake ELBv2's world (state.ts holds and changes it). */
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { HealthCheckSettings, TargetFacts } from './health.js';

/** A registered target: its address and what the health model needs (see health.ts). */
export interface FakeTarget extends TargetFacts {
  id: string;
  port: number;
}

export interface FakeTargetGroup {
  arn: string;
  name: string;
  protocol: string;
  port: number;
  vpcId: string;
  attributes: Record<string, string>;
  healthCheck: HealthCheckSettings;
  /** Since when some forward of the load balancer names the group; absent while none does. */
  inUseSince?: number;
  targets: FakeTarget[];
}

export interface FakeLoadBalancer {
  arn: string;
  name: string;
  dnsName: string;
  createdAt: number;
}

export interface FakeListener {
  arn: string;
  loadBalancerArn: string;
  port: number;
  protocol: string;
  defaultActions: Action[];
  /** The ARN DescribeRules gives the listener's default rule (IsDefault). */
  defaultRuleArn: string;
}

export interface FakeRule {
  arn: string;
  listenerArn: string;
  priority: number;
  conditions: Record<string, unknown>[];
  actions: Action[];
}

export interface FakeCall {
  operation: string;
  params: Record<string, unknown>;
  /**
   * Who signed the request, from its SigV4 `Authorization` credential scope (requests served over
   * HTTP by the fake AWS endpoint): the access key id and the Region it was signed for.
   */
  signedBy?: { accessKeyId: string; region: string };
}

export interface InjectedFailure {
  operation: string;
  code: string;
  message: string;
  /** The call takes effect first and then fails (a timeout after AWS made the change). */
  afterApply?: boolean;
}
