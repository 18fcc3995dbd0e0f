/**
 * The AsgPort implemented with the AWS SDK v3 Auto Scaling client (awsQuery protocol,
 * Version 2011-01-01).
 * - Endpoint, region and retries come from the SDK's standard environment (AWS_REGION,
 *   AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_AUTO_SCALING, AWS_MAX_ATTEMPTS, AWS_RETRY_MODE).
 * - DescribeAutoScalingGroups answers an unknown name with an empty list: the port reports null.
 *   UpdateAutoScalingGroup answers it with `ValidationError` ("AutoScalingGroup name not
 *   found - …"), surfaced as an AwsCallError like any other failure (`ScalingActivityInProgress`,
 *   `ResourceContention`, `Throttling` once the SDK's retries are spent).
 * - `instances` counts every instance of the group that is not terminated yet (Pending,
 *   InService, Terminating, Standby, …): those still cost money. `protectedInstances` are the ones
 *   a scale-in cannot terminate (ProtectedFromScaleIn), `waitingInstances` the ones a terminating
 *   lifecycle hook holds in `Terminating:Wait`.
 */
import {
  AutoScalingClient,
  type AutoScalingGroup,
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
  UpdateAutoScalingGroupCommand,
  type UpdateAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling';
import type { AsgPort, AsgState } from '../app/ports/compute.js';
import { callAws, regionConfig } from './sdk-call.js';

/** A client configured from the standard AWS environment; `region` overrides it. */
export function createAsgClient(opts: { region?: string } = {}): AutoScalingClient {
  return new AutoScalingClient(regionConfig(opts));
}

const GONE = new Set(['Terminated', 'Warmed:Terminated']);

/**
 * What the group launches from (DescribeAutoScalingGroups): `LaunchTemplate`, or the template of
 * its `MixedInstancesPolicy`, with the `Version` it asks for; else `LaunchConfigurationName`.
 */
function launchSource(group: AutoScalingGroup): Pick<AsgState, 'launchTemplate' | 'launchConfiguration'> {
  const spec =
    group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  const name = spec?.LaunchTemplateName ?? spec?.LaunchTemplateId;
  if (name !== undefined) return { launchTemplate: { name, version: spec?.Version ?? '$Default' } };
  return group.LaunchConfigurationName !== undefined
    ? { launchConfiguration: group.LaunchConfigurationName }
    : {};
}

export function createAsgAdapter(client: AutoScalingClient): AsgPort {
  return {
    async describeGroup(name) {
      const out = await callAws('DescribeAutoScalingGroups', () =>
        client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })),
      );
      const group = (out.AutoScalingGroups ?? []).find((g) => g.AutoScalingGroupName === name);
      if (!group) return null;
      const instances = (group.Instances ?? []).filter((i) => !GONE.has(String(i.LifecycleState)));
      const terminating = (i: { LifecycleState?: string }) =>
        String(i.LifecycleState).startsWith('Terminating');
      return {
        min: group.MinSize ?? 0,
        max: group.MaxSize ?? 0,
        desired: group.DesiredCapacity ?? 0,
        instances: instances.length,
        protectedInstances: instances.filter((i) => i.ProtectedFromScaleIn === true && !terminating(i))
          .length,
        waitingInstances: instances.filter((i) => i.LifecycleState === 'Terminating:Wait').length,
        ...launchSource(group),
      };
    },

    async describeTerminationHooks(name) {
      const out = await callAws('DescribeLifecycleHooks', () =>
        client.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: name })),
      );
      return (out.LifecycleHooks ?? [])
        .filter((h) => h.LifecycleTransition === 'autoscaling:EC2_INSTANCE_TERMINATING')
        .map((h) => ({
          name: h.LifecycleHookName ?? '?',
          heartbeatTimeoutSeconds: h.HeartbeatTimeout ?? 3600,
        }));
    },

    async updateGroup(name, sizes) {
      const input: UpdateAutoScalingGroupCommandInput = { AutoScalingGroupName: name };
      if (sizes.min !== undefined) input.MinSize = sizes.min;
      if (sizes.desired !== undefined) input.DesiredCapacity = sizes.desired;
      await callAws('UpdateAutoScalingGroup', () => client.send(new UpdateAutoScalingGroupCommand(input)));
    },
  };
}
