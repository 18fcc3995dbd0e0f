import {
  ClusterNotFoundException,
  DescribeServicesCommand,
  ECSClient,
  ECSServiceException,
  ServiceNotFoundException,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createEcsAdapter } from '../../src/aws/ecs-adapter.js';
import { AwsCallError } from '../../src/errors.js';
import { resetAroundEach, SDK_TEST_CONFIG } from '../helpers/sdk-mock.js';

const client = new ECSClient(SDK_TEST_CONFIG);
const mock = mockClient(client);
const port = createEcsAdapter(client);
const ARN = 'arn:aws:ecs:us-east-1:123456789012:service/shop/checkout-blue';
resetAroundEach(mock);

describe('describeService', () => {
  it('maps desired, running and pending counts and the status of the service', async () => {
    mock.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceArn: ARN,
          serviceName: 'checkout-blue',
          status: 'ACTIVE',
          desiredCount: 3,
          runningCount: 2,
          pendingCount: 1,
        },
      ],
      failures: [],
    });
    expect(await port.describeService('shop', 'checkout-blue')).toEqual({
      desired: 3,
      running: 2,
      pending: 1,
      status: 'ACTIVE',
    });
    expect(mock.commandCalls(DescribeServicesCommand)[0]?.args[0].input).toEqual({
      cluster: 'shop',
      services: ['checkout-blue'],
    });
  });

  it('returns null for a service ECS lists under failures as MISSING', async () => {
    mock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: ARN, reason: 'MISSING' }] });
    expect(await port.describeService('shop', 'checkout-blue')).toBeNull();
  });

  it('throws an AwsCallError carrying any other failure reason', async () => {
    mock.on(DescribeServicesCommand).resolves({
      services: [],
      failures: [{ arn: ARN, reason: 'AccessDenied', detail: 'not your account' }],
    });
    const err = await port.describeService('shop', 'checkout-blue').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ operation: 'DescribeServices', code: 'AccessDenied' });
    expect((err as Error).message).toContain('not your account');
  });

  it('reports a missing cluster as ClusterNotFound', async () => {
    mock
      .on(DescribeServicesCommand)
      .rejects(new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} }));
    const err = await port.describeService('nope', 'checkout-blue').catch((e: unknown) => e);
    expect(err).toMatchObject({ operation: 'DescribeServices', code: 'ClusterNotFound' });
  });

  it('reports throttling that outlasted the SDK’s retries with the number of attempts', async () => {
    mock.on(DescribeServicesCommand).rejects(
      new ECSServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        message: 'Rate exceeded',
        $metadata: { httpStatusCode: 400, attempts: 3 },
      }),
    );
    const err = await port.describeService('shop', 'checkout-blue').catch((e: unknown) => e);
    expect(err).toMatchObject({ operation: 'DescribeServices', code: 'Throttling' });
    expect((err as Error).message).toContain('Rate exceeded (after 3 attempts)');
  });
});

describe('updateDesiredCount', () => {
  it('sends UpdateService with only the cluster, the service and the desired count', async () => {
    mock.on(UpdateServiceCommand).resolves({});
    await port.updateDesiredCount('shop', 'checkout-blue', 0);
    expect(mock.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toEqual({
      cluster: 'shop',
      service: 'checkout-blue',
      desiredCount: 0,
    });
  });

  it('surfaces ServiceNotFoundException as an AwsCallError with code ServiceNotFound', async () => {
    mock
      .on(UpdateServiceCommand)
      .rejects(new ServiceNotFoundException({ message: 'Service not found.', $metadata: {} }));
    const err = await port.updateDesiredCount('shop', 'gone', 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ operation: 'UpdateService', code: 'ServiceNotFound' });
  });
});
