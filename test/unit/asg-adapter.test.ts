import {
  AutoScalingClient,
  AutoScalingServiceException,
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createAsgAdapter } from '../../src/aws/asg-adapter.js';
import { AwsCallError } from '../../src/errors.js';
import { resetAroundEach, SDK_TEST_CONFIG } from '../helpers/sdk-mock.js';

const client = new AutoScalingClient(SDK_TEST_CONFIG);
const mock = mockClient(client);
const port = createAsgAdapter(client);
resetAroundEach(mock);

const instance = (
  id: string,
  LifecycleState: 'InService' | 'Terminating' | 'Terminating:Wait' | 'Terminated' | 'Pending',
  ProtectedFromScaleIn = false,
) => ({
  InstanceId: id,
  AvailabilityZone: 'us-east-1a',
  LifecycleState,
  HealthStatus: 'Healthy',
  ProtectedFromScaleIn,
});

describe('describeGroup', () => {
  it('maps the sizes and counts every instance that is not terminated yet', async () => {
    mock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'checkout-blue',
          MinSize: 2,
          MaxSize: 6,
          DesiredCapacity: 3,
          DefaultCooldown: 300,
          AvailabilityZones: ['us-east-1a'],
          HealthCheckType: 'EC2',
          CreatedTime: new Date('2024-05-01T10:00:00Z'),
          Instances: [
            instance('i-1', 'InService', true),
            instance('i-2', 'Pending'),
            instance('i-3', 'Terminating'),
            instance('i-4', 'Terminated'),
            instance('i-5', 'Terminating:Wait', true),
          ],
        },
      ],
    });
    expect(await port.describeGroup('checkout-blue')).toEqual({
      min: 2,
      max: 6,
      desired: 3,
      instances: 4,
      // A protected instance that is already terminating is no longer kept by its protection.
      protectedInstances: 1,
      waitingInstances: 1,
    });
    expect(mock.commandCalls(DescribeAutoScalingGroupsCommand)[0]?.args[0].input).toEqual({
      AutoScalingGroupNames: ['checkout-blue'],
    });
  });

  it('returns null when AWS answers with no group of that name', async () => {
    mock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    expect(await port.describeGroup('gone')).toBeNull();
  });

  it('reports throttling that outlasted the SDK’s retries as Throttling', async () => {
    mock.on(DescribeAutoScalingGroupsCommand).rejects(
      new AutoScalingServiceException({
        name: 'Throttling',
        $fault: 'client',
        message: 'Rate exceeded',
        $metadata: { httpStatusCode: 400, attempts: 3 },
      }),
    );
    const err = await port.describeGroup('checkout-blue').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ operation: 'DescribeAutoScalingGroups', code: 'Throttling' });
    expect((err as Error).message).toContain('(after 3 attempts)');
  });
});

describe('describeTerminationHooks', () => {
  it('lists the hooks on termination with their heartbeat timeout, and no launch hook', async () => {
    mock.on(DescribeLifecycleHooksCommand).resolves({
      LifecycleHooks: [
        {
          LifecycleHookName: 'drain',
          LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
          HeartbeatTimeout: 900,
        },
        { LifecycleHookName: 'warm', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING' },
      ],
    });
    expect(await port.describeTerminationHooks('checkout-blue')).toEqual([
      { name: 'drain', heartbeatTimeoutSeconds: 900 },
    ]);
    expect(mock.commandCalls(DescribeLifecycleHooksCommand)[0]?.args[0].input).toEqual({
      AutoScalingGroupName: 'checkout-blue',
    });
  });
});

describe('updateGroup', () => {
  it('sends only the sizes it was given, leaving MaxSize alone', async () => {
    mock.on(UpdateAutoScalingGroupCommand).resolves({});
    await port.updateGroup('checkout-blue', { min: 0, desired: 0 });
    expect(mock.commandCalls(UpdateAutoScalingGroupCommand)[0]?.args[0].input).toEqual({
      AutoScalingGroupName: 'checkout-blue',
      MinSize: 0,
      DesiredCapacity: 0,
    });
  });

  it('surfaces the ValidationError AWS gives for an unknown group', async () => {
    mock.on(UpdateAutoScalingGroupCommand).rejects(
      Object.assign(
        new AutoScalingServiceException({
          name: 'ValidationError',
          $fault: 'client',
          message: 'AutoScalingGroup name not found - AutoScalingGroup gone not found',
          $metadata: { httpStatusCode: 400 },
        }),
        { Code: 'ValidationError' },
      ),
    );
    const err = await port.updateGroup('gone', { min: 0, desired: 0 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ operation: 'UpdateAutoScalingGroup', code: 'ValidationError' });
    expect((err as Error).message).toContain('name not found');
  });
});
