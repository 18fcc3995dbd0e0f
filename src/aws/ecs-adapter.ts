/**
 * The EcsPort implemented with the AWS SDK v3 ECS client (JSON 1.1 protocol, X-Amz-Target
 * `AmazonEC2ContainerServiceV20141113.<Operation>`).
 * - Endpoint, region and retries come from the SDK's standard environment (AWS_REGION,
 *   AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_ECS, AWS_MAX_ATTEMPTS, AWS_RETRY_MODE).
 * - DescribeServices does not fail for a service that does not exist: ECS lists it under
 *   `failures` with reason `MISSING`, which the port reports as null. Any other failure reason
 *   (e.g. an ARN from another account) surfaces as an AwsCallError carrying that reason.
 * - A missing cluster is `ClusterNotFoundException` → AwsCallError code `ClusterNotFound`;
 *   throttling (`ThrottlingException`) is retried by the SDK, what outlasts it → `Throttling`.
 */
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  type Service,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { EcsPort, EcsServiceState } from '../app/ports/compute.js';
import { AwsCallError } from '../errors.js';
import { type ClientOptions, callAws, clientConfig } from './sdk-call.js';

/** A client configured from the standard AWS environment; `opts` (Region, credentials, …) override it. */
export function createEcsClient(opts: ClientOptions = {}): ECSClient {
  return new ECSClient(clientConfig(opts));
}

/** The last path segment of an ARN (`…:service/cluster/name` → `name`), or the name itself. */
function shortName(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? (nameOrArn.split('/').pop() ?? nameOrArn) : nameOrArn;
}

/** ACTIVE deployments (the ones a rolling update replaces) that still run tasks. */
function olderRunning(s: Service): Pick<EcsServiceState, 'olderRunning'> {
  const older = (s.deployments ?? [])
    .filter((d) => d.status === 'ACTIVE' && (d.runningCount ?? 0) > 0 && d.taskDefinition !== undefined)
    .map((d) => ({ taskDefinition: d.taskDefinition as string, running: d.runningCount ?? 0 }));
  return older.length > 0 ? { olderRunning: older } : {};
}

function toState(s: Service): EcsServiceState {
  return {
    desired: s.desiredCount ?? 0,
    running: s.runningCount ?? 0,
    pending: s.pendingCount ?? 0,
    status: s.status ?? 'UNKNOWN',
    ...(s.taskDefinition !== undefined ? { taskDefinition: s.taskDefinition } : {}),
    ...olderRunning(s),
  };
}

export function createEcsAdapter(client: ECSClient): EcsPort {
  return {
    async describeService(cluster, service) {
      const out = await callAws('DescribeServices', () =>
        client.send(new DescribeServicesCommand({ cluster, services: [service] })),
      );
      const wanted = shortName(service);
      const found = (out.services ?? []).find((s) => s.serviceArn === service || s.serviceName === wanted);
      if (found) return toState(found);
      const failure = (out.failures ?? [])[0];
      if (failure === undefined || failure.reason === 'MISSING') return null;
      const reason = failure.reason ?? 'Failure';
      throw new AwsCallError(
        'DescribeServices',
        reason,
        `${failure.arn ?? service}: ${failure.detail ?? reason}`,
      );
    },

    async describeTaskDefinition(taskDefinition) {
      try {
        const out = await callAws('DescribeTaskDefinition', () =>
          client.send(new DescribeTaskDefinitionCommand({ taskDefinition })),
        );
        const td = out.taskDefinition;
        if (!td?.family) return null;
        return {
          family: td.family,
          revision: td.revision ?? 0,
          containers: (td.containerDefinitions ?? []).map((c) => ({
            name: c.name ?? '',
            image: c.image ?? '',
          })),
        };
      } catch (err) {
        // ECS answers a definition it does not have with ClientException (code `Client` here) "Unable to describe task
        // definition." (ECS API Reference, DescribeTaskDefinition; Errors: ClientException).
        if (err instanceof AwsCallError && err.code === 'Client') return null;
        throw err;
      }
    },

    async updateDesiredCount(cluster, service, desired) {
      await callAws('UpdateService', () =>
        client.send(new UpdateServiceCommand({ cluster, service, desiredCount: desired })),
      );
    },
  };
}
