/**
 * What AWS's Service Authorization Reference says about the IAM actions Greenlight and its smoke
 * test call: which resource types each action accepts in `Resource` (none: the statement must say
 * `"*"`) and which condition keys it supports. test/unit/iam-policy.test.ts checks the policies in
 * docs/ against it, so a statement cannot name a resource or condition key the action ignores
 * (an unsupported condition key never matches, and the statement would silently grant nothing).
 *
 * Sources (the "Actions" and "Resource types" tables of each page):
 * - https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html
 * - https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 * - https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
 * - https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html
 * - https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html (Describe*)
 * - https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
 * - https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html
 *   (sts:AssumeRole on resource type `role`), and for the keys a role's trust policy tests,
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
 *   ("Available keys for AWS STS": sts:ExternalId, sts:RoleSessionName)
 * Dependent actions: https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-api-permissions.html
 * and, for tags sent on create, .../elasticloadbalancing/latest/userguide/tagging-resources-during-creation.html
 */

/** The partitions (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`, `-e`, `-f`). */
const PARTITION = 'aws(?:-cn|-us-gov|-iso(?:-[bef])?)?';
/** ARN shapes of the resource types used here. */
const ARN = (service: string, rest: string) => new RegExp(`^arn:${PARTITION}:${service}:[^:]*:[^:]*:${rest}`);
export const RESOURCE_TYPES = {
  'elb/listener/app': ARN('elasticloadbalancing', 'listener/app/'),
  'elb/listener-rule/app': ARN('elasticloadbalancing', 'listener-rule/app/'),
  'elb/loadbalancer/app': ARN('elasticloadbalancing', 'loadbalancer/app/'),
  'elb/targetgroup': ARN('elasticloadbalancing', 'targetgroup/'),
  'cloudwatch/alarm': ARN('cloudwatch', 'alarm:'),
  'ecs/service': ARN('ecs', 'service/'),
  'autoscaling/autoScalingGroup': ARN('autoscaling', 'autoScalingGroup:'),
  'iam/role': new RegExp(`^arn:${PARTITION}:iam::[^:]*:role/`),
} as const;
export type ResourceType = keyof typeof RESOURCE_TYPES;

export interface ActionFacts {
  /** Resource types the action accepts; empty: no resource-level permissions, `"*"` only. */
  resources: ResourceType[];
  /** Condition keys the action supports; a trailing `/` stands for `/${TagKey}`. */
  conditionKeys: string[];
}

const ELB_TAG_KEYS = ['aws:ResourceTag/', 'elasticloadbalancing:ResourceTag/'];
const ELB_CREATE_KEYS = ['aws:RequestTag/', 'aws:TagKeys', ...ELB_TAG_KEYS];
const NONE: ActionFacts = { resources: [], conditionKeys: [] };

export const ACTIONS: Record<string, ActionFacts> = {
  // Elastic Load Balancing V2: every Describe* has no resource types.
  'elasticloadbalancing:DescribeListeners': NONE,
  'elasticloadbalancing:DescribeRules': NONE,
  'elasticloadbalancing:DescribeTargetGroups': NONE,
  'elasticloadbalancing:DescribeTargetGroupAttributes': NONE,
  'elasticloadbalancing:DescribeTargetHealth': NONE,
  'elasticloadbalancing:DescribeLoadBalancers': NONE,
  'elasticloadbalancing:DescribeTags': NONE,
  'elasticloadbalancing:ModifyListener': {
    resources: ['elb/listener/app'],
    conditionKeys: [
      ...ELB_TAG_KEYS,
      'elasticloadbalancing:ListenerProtocol',
      'elasticloadbalancing:SecurityPolicy',
    ],
  },
  'elasticloadbalancing:ModifyRule': { resources: ['elb/listener-rule/app'], conditionKeys: ELB_TAG_KEYS },
  // CreateRule is authorized against the listener the rule is created on.
  'elasticloadbalancing:CreateRule': { resources: ['elb/listener/app'], conditionKeys: ELB_CREATE_KEYS },
  'elasticloadbalancing:DeleteRule': { resources: ['elb/listener-rule/app'], conditionKeys: ELB_TAG_KEYS },
  'elasticloadbalancing:DeregisterTargets': { resources: ['elb/targetgroup'], conditionKeys: ELB_TAG_KEYS },
  'elasticloadbalancing:RegisterTargets': { resources: ['elb/targetgroup'], conditionKeys: ELB_TAG_KEYS },
  'elasticloadbalancing:ModifyTargetGroupAttributes': {
    resources: ['elb/targetgroup'],
    conditionKeys: ELB_TAG_KEYS,
  },
  'elasticloadbalancing:DeleteTargetGroup': { resources: ['elb/targetgroup'], conditionKeys: ELB_TAG_KEYS },
  'elasticloadbalancing:CreateTargetGroup': {
    resources: ['elb/targetgroup'],
    conditionKeys: ELB_CREATE_KEYS,
  },
  'elasticloadbalancing:CreateLoadBalancer': {
    resources: ['elb/loadbalancer/app'],
    conditionKeys: [
      ...ELB_CREATE_KEYS,
      'elasticloadbalancing:ListenerProtocol',
      'elasticloadbalancing:Scheme',
      'elasticloadbalancing:SecurityGroup',
      'elasticloadbalancing:Subnet',
    ],
  },
  'elasticloadbalancing:CreateListener': {
    resources: ['elb/loadbalancer/app'],
    conditionKeys: [
      ...ELB_CREATE_KEYS,
      'elasticloadbalancing:ListenerProtocol',
      'elasticloadbalancing:SecurityPolicy',
    ],
  },
  'elasticloadbalancing:DeleteLoadBalancer': {
    resources: ['elb/loadbalancer/app'],
    conditionKeys: ELB_TAG_KEYS,
  },
  'elasticloadbalancing:AddTags': {
    resources: ['elb/listener-rule/app', 'elb/listener/app', 'elb/loadbalancer/app', 'elb/targetgroup'],
    conditionKeys: [...ELB_CREATE_KEYS, 'elasticloadbalancing:CreateAction'],
  },
  // CloudWatch: GetMetricData names a resource only for OTLP datasets; classic metrics are "*".
  'cloudwatch:GetMetricData': NONE,
  'cloudwatch:DescribeAlarms': { resources: ['cloudwatch/alarm'], conditionKeys: ['aws:ResourceTag/'] },
  // ECS
  'ecs:DescribeServices': {
    resources: ['ecs/service'],
    conditionKeys: ['aws:ResourceTag/', 'ecs:cluster', 'ecs:ResourceTag/'],
  },
  // DescribeTaskDefinition lists no resource type: "*" only.
  'ecs:DescribeTaskDefinition': NONE,
  'ecs:UpdateService': {
    resources: ['ecs/service'],
    conditionKeys: [
      'aws:ResourceTag/',
      'ecs:ResourceTag/',
      'ecs:cluster',
      'ecs:capacity-provider',
      'ecs:task-definition',
      'ecs:enable-execute-command',
    ],
  },
  // EC2 Auto Scaling: Describe* have no resource types.
  'autoscaling:DescribeAutoScalingGroups': NONE,
  'autoscaling:DescribeLifecycleHooks': NONE,
  'autoscaling:UpdateAutoScalingGroup': {
    resources: ['autoscaling/autoScalingGroup'],
    conditionKeys: [
      'aws:ResourceTag/',
      'autoscaling:ResourceTag/',
      'autoscaling:MinSize',
      'autoscaling:MaxSize',
    ],
  },
  // Needed by ELB create calls (elb-api-permissions.html); no resource types.
  'ec2:DescribeAccountAttributes': NONE,
  'ec2:DescribeAddresses': NONE,
  'ec2:DescribeInstances': NONE,
  'ec2:DescribeInternetGateways': NONE,
  'ec2:DescribeSecurityGroups': NONE,
  'ec2:DescribeSubnets': NONE,
  'ec2:DescribeVpcs': NONE,
  'iam:CreateServiceLinkedRole': { resources: ['iam/role'], conditionKeys: ['iam:AWSServiceName'] },
  // STS: assuming a service's role (the bot's own policy, and the role's trust policy).
  'sts:AssumeRole': {
    resources: ['iam/role'],
    conditionKeys: ['aws:ResourceTag/', 'sts:ExternalId', 'sts:RoleSessionName'],
  },
  // STS: who the bot is (its own account, for the rate limiters); no resource types.
  'sts:GetCallerIdentity': NONE,
};

/**
 * Actions any principal may call whatever its policies say, so no policy grants them: STS API
 * Reference, GetCallerIdentity — "No permissions are required to perform this operation. If an
 * administrator attaches a policy to your identity that explicitly denies access to the
 * sts:GetCallerIdentity action, you can still perform this operation."
 */
export const NEEDS_NO_PERMISSION: ReadonlySet<string> = new Set(['sts:GetCallerIdentity']);

/**
 * Actions AWS also authorizes when an ELB operation is called ("Elastic Load Balancing API
 * permissions"); elasticloadbalancing:AddTags is added separately, and only for a Create* call
 * that sends Tags ("ELB API permissions to tag resources during creation").
 */
export const DEPENDENT_ACTIONS: Record<string, string[]> = {
  'elasticloadbalancing:CreateLoadBalancer': [
    'ec2:DescribeAccountAttributes',
    'ec2:DescribeAddresses',
    'ec2:DescribeInternetGateways',
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeSubnets',
    'ec2:DescribeVpcs',
    'iam:CreateServiceLinkedRole',
  ],
  'elasticloadbalancing:CreateTargetGroup': [
    'ec2:DescribeInternetGateways',
    'ec2:DescribeVpcs',
    'iam:CreateServiceLinkedRole',
  ],
  'elasticloadbalancing:RegisterTargets': [
    'ec2:DescribeInstances',
    'ec2:DescribeInternetGateways',
    'ec2:DescribeSubnets',
    'ec2:DescribeVpcs',
  ],
};

/** Whether a condition key is one the action supports (tag keys matched by their prefix). */
export function supportsConditionKey(facts: ActionFacts, key: string): boolean {
  return facts.conditionKeys.some((k) =>
    k.endsWith('/') ? key.startsWith(k) && key.length > k.length : k === key,
  );
}
