/**
 * An AWS call refused for lack of permission, said the way an operator fixes it: the IAM action,
 * the resource it was called on and who called it (`check-config`). AWS answers AccessDenied
 * (ELBv2, Auto Scaling, CloudWatch, STS), AccessDeniedException (ECS; the adapters report it
 * without the suffix) or UnauthorizedOperation (EC2-style APIs).
 */
import { AwsCallError } from '../errors.js';

const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);

/** The IAM service prefix of each operation Greenlight calls outside ELBv2. */
const PREFIX: Record<string, string> = {
  DescribeServices: 'ecs',
  DescribeTaskDefinition: 'ecs',
  UpdateService: 'ecs',
  DescribeAutoScalingGroups: 'autoscaling',
  DescribeLifecycleHooks: 'autoscaling',
  UpdateAutoScalingGroup: 'autoscaling',
  GetMetricData: 'cloudwatch',
  DescribeAlarms: 'cloudwatch',
  AssumeRole: 'sts',
};

export function isAccessDenied(err: unknown): err is AwsCallError {
  return err instanceof AwsCallError && DENIED.has(err.code);
}

/** `elasticloadbalancing:DescribeTargetHealth`, the IAM action of a failed call. */
function iamActionOf(err: AwsCallError): string {
  return `${PREFIX[err.operation] ?? 'elasticloadbalancing'}:${err.operation}`;
}

/** `elasticloadbalancing:DescribeTargetHealth on <resource> is denied to <who> (AccessDenied)`. */
export function deniedText(err: AwsCallError, resource: string, who: string | undefined): string {
  return `${iamActionOf(err)} on ${resource} is denied${who ? ` to ${who}` : ''} (${err.code})`;
}
