/** The plain data of the fake ELBv2's world (state.ts holds and changes it). */
import type { Action, TargetHealthState } from '../../aws/elb-port.js';

export interface FakeTarget {
  id: string;
  port: number;
  state: TargetHealthState;
  reason?: string;
  description?: string;
  /** Set by DeregisterTargets: the target disappears once the clock passes this time. */
  drainingUntil?: number;
  /**
   * Set by DeregisterTargets when the state has a deregistration lag: until the clock passes this
   * time the target still reads as before (e.g. `healthy`), then it reads `draining`.
   */
  drainingFrom?: number;
}

export interface FakeTargetGroup {
  arn: string;
  name: string;
  protocol: string;
  port: number;
  vpcId: string;
  attributes: Record<string, string>;
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
}

export interface InjectedFailure {
  operation: string;
  code: string;
  message: string;
  /** The call takes effect first and then fails (a timeout after AWS made the change). */
  afterApply?: boolean;
}
