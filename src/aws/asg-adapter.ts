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
  type Instance,
  UpdateAutoScalingGroupCommand,
  type UpdateAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling';
import type { AsgPort, AsgState } from '../app/ports/compute.js';
import { type ClientOptions, callAws, clientConfig } from './sdk-call.js';

/** A client configured from the standard AWS environment; `opts` (Region, credentials, …) override it. */
export function createAsgClient(opts: ClientOptions = {}): AutoScalingClient {
  return new AutoScalingClient(clientConfig(opts));
}

const GONE = new Set(['Terminated', 'Warmed:Terminated']);

/**
 * The template versions its instances were launched from (DescribeAutoScalingGroups reports
 * `LaunchTemplate` per instance, with the version number it resolved to), with how many of each.
 */
function instanceTemplates(instances: Instance[]): Pick<AsgState, 'instanceTemplates'> {
  const counts = new Map<string, { name: string; version: string; count: number }>();
  for (const i of instances) {
    const t = i.LaunchTemplate;
    const name = t?.LaunchTemplateName ?? t?.LaunchTemplateId;
    if (name === undefined || t?.Version === undefined) continue;
    const key = `${name}\u0000${t.Version}`;
    const seen = counts.get(key) ?? { name, version: t.Version, count: 0 };
    seen.count += 1;
    counts.set(key, seen);
  }
  return counts.size > 0 ? { instanceTemplates: [...counts.values()] } : {};
}

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
        ...instanceTemplates(instances),
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
