/**
 * A fake Amazon ECS (JSON 1.1 protocol) for tests and the sandbox: UpdateService and
 * DescribeServices, the calls Greenlight's scale-down makes, and DescribeTaskDefinition, which says
 * what a slot runs. A service names its task definition by ARN (`taskDefinition`); a definition is
 * found by family (its latest ACTIVE revision), `family:revision` or ARN, and one ECS does not have
 * is ClientException "Unable to describe task definition." (ECS API Reference,
 * DescribeTaskDefinition: request parameter taskDefinition; Errors).
 *   POST /  X-Amz-Target: AmazonEC2ContainerServiceV20141113.DescribeServices
 *           Content-Type: application/x-amz-json-1.1
 *           {"cluster":"shop","services":["checkout-blue"]}
 * Errors are `{"__type":"ServiceNotFoundException","message":"…"}` with HTTP 400 (500 for
 * ServerException), as ECS sends them. A service that DescribeServices cannot find is listed under
 * `failures` with reason MISSING (not an error), a missing cluster is ClusterNotFoundException.
 *
 * Tasks converge lazily, one task per `stepMs` of the injectable clock, computed on each request:
 * excess pending tasks are dropped first, then running ones stop; when scaling up a task is
 * launched (pending) and then starts (running). A service being deleted is `DRAINING` while its
 * tasks stop, then `INACTIVE`, and cannot be updated in either state (ServiceNotActiveException:
 * "The specified service isn't active. You can't update a service that's inactive."; ECS API
 * reference, DeleteService and UpdateService).
 */
import { randomUUID } from 'node:crypto';
import { FailureInjection, failureStatus } from './failure-injection.js';
import type { FakeAwsRequest } from './fake-aws.js';
import type { FakeResponse } from './fake-elb/index.js';
import { awsAnswer } from './local-http.js';

export const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

export interface FakeEcsService {
  cluster: string;
  name: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  desired: number;
  running: number;
  pending: number;
  createdAt: number;
  /** Clock time up to which convergence has been applied. */
  settledAt: number;
  /** The ARN of the task definition it runs (DescribeServices `taskDefinition`). */
  taskDefinition?: string;
  /**
   * A rolling update's earlier deployments (status ACTIVE) and their running tasks (ECS API
   * Reference, Service.deployments and Deployment): they stop once new tasks run in their place.
   */
  older: { taskDefinition: string; running: number }[];
}

/** A registered task definition revision, reduced to what Greenlight reads. */
export interface FakeTaskDefinition {
  family: string;
  revision: number;
  containers: { name: string; image: string }[];
}

interface Call {
  operation: string;
  params: Record<string, unknown>;
}

class EcsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export class FakeEcsState extends FailureInjection {
  readonly clusters = new Set<string>();
  readonly services = new Map<string, FakeEcsService>();
  /** By ARN. */
  readonly taskDefinitions = new Map<string, FakeTaskDefinition>();
  readonly calls: Call[] = [];
  stepMs: number;
  now: () => number;

  constructor(opts: { now?: () => number; stepMs?: number } = {}) {
    super();
    this.now = opts.now ?? (() => Date.now());
    this.stepMs = opts.stepMs ?? 200;
  }

  addService(
    cluster: string,
    name: string,
    sizes: { desired: number; running?: number; pending?: number },
  ): FakeEcsService {
    this.clusters.add(cluster);
    const at = this.now();
    const service: FakeEcsService = {
      cluster,
      name,
      status: 'ACTIVE',
      desired: sizes.desired,
      running: sizes.running ?? sizes.desired,
      pending: sizes.pending ?? 0,
      createdAt: at,
      settledAt: at,
      older: [],
    };
    this.services.set(`${cluster}/${name}`, service);
    return service;
  }

  /**
   * RegisterTaskDefinition: the family's next revision (1 for a new family), as ECS numbers them.
   * Returns its ARN.
   */
  registerTaskDefinition(family: string, containers: { name: string; image: string }[]): string {
    const revision =
      1 +
      Math.max(
        0,
        ...[...this.taskDefinitions.values()].filter((t) => t.family === family).map((t) => t.revision),
      );
    const arn = taskDefinitionArn(family, revision);
    this.taskDefinitions.set(arn, { family, revision, containers: containers.map((c) => ({ ...c })) });
    return arn;
  }

  /** UpdateService with a new task definition (a deploy of the slot): the service runs it from now. */
  runTaskDefinition(cluster: string, name: string, arn: string): void {
    const s = this.service(cluster, name);
    if (!s) throw new Error(`no service ${cluster}/${name}`);
    if (!this.taskDefinitions.has(arn)) throw new Error(`no task definition ${arn}`);
    // A rolling update: the running tasks belong to the deployment being replaced until they stop.
    if (s.taskDefinition !== undefined && s.taskDefinition !== arn && s.running > 0)
      s.older.push({ taskDefinition: s.taskDefinition, running: s.running });
    s.taskDefinition = arn;
  }

  /** DeleteService (force): the service is DRAINING while its tasks stop, then INACTIVE. */
  deleteService(cluster: string, name: string): void {
    const s = this.service(cluster, name);
    if (!s) throw new Error(`no service ${cluster}/${name}`);
    s.status = s.running + s.pending > 0 ? 'DRAINING' : 'INACTIVE';
  }

  /** The service with convergence applied up to now. */
  service(cluster: string, name: string): FakeEcsService | undefined {
    const s = this.services.get(`${cluster}/${name}`);
    if (s) this.converge(s);
    return s;
  }

  converge(s: FakeEcsService): void {
    const step = Math.max(1, this.stepMs);
    const steps = Math.floor((this.now() - s.settledAt) / step);
    if (steps <= 0) return;
    s.settledAt += steps * step;
    for (let i = 0; i < steps; i++) {
      // A service being deleted keeps no task: its tasks stop, then it is INACTIVE.
      const wanted = s.status === 'ACTIVE' ? s.desired : 0;
      if (s.status === 'DRAINING' && s.running + s.pending === 0) {
        s.status = 'INACTIVE';
        break;
      }
      // A rolling update with the default limits (minimumHealthyPercent 100, maximumPercent 200):
      // the scheduler starts new tasks before it stops old ones (Amazon ECS Developer Guide,
      // "Deploy Amazon ECS services by replacing tasks"). One task changes per step.
      const older = s.older[0];
      const olderRunning = s.older.reduce((n, o) => n + o.running, 0);
      if (older && s.status === 'ACTIVE') {
        if (s.pending > 0) {
          s.pending -= 1; // a new task starts
          s.running += 1;
        } else if (s.running - olderRunning < s.desired && s.running + s.pending < s.desired * 2) {
          s.pending += 1; // a new task is launched
        } else {
          older.running -= 1; // enough new tasks run: an old one stops
          s.running -= 1;
          if (older.running <= 0) s.older.shift();
        }
        continue;
      }
      if (s.running + s.pending > wanted) {
        if (s.pending > 0) s.pending -= 1;
        else s.running -= 1;
      } else if (s.pending > 0) {
        s.pending -= 1;
        s.running += 1;
      } else if (s.running < wanted) {
        s.pending += 1;
      } else {
        break;
      }
    }
  }
}

export function isEcsRequest(headers: FakeAwsRequest['headers'], _body?: string): boolean {
  const target = headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith(ECS_TARGET_PREFIX);
}

/** `arn:…:cluster/shop` or `shop` → `shop`; absent → `default` (as ECS does). */
function clusterName(value: unknown): string {
  if (value === undefined || value === null || value === '') return 'default';
  if (typeof value !== 'string') throw new EcsError('InvalidParameterException', 'cluster must be a string.');
  return value.startsWith('arn:') ? (value.split('/').pop() ?? value) : value;
}

function serviceName(value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new EcsError('InvalidParameterException', 'service must be a non-empty string.');
  return value.startsWith('arn:') ? (value.split('/').pop() ?? value) : value;
}

const clusterArn = (c: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${c}`;
const serviceArn = (c: string, n: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${c}/${n}`;
const taskDefinitionArn = (family: string, revision: number) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;

function describe(s: FakeEcsService): Record<string, unknown> {
  return {
    serviceArn: serviceArn(s.cluster, s.name),
    serviceName: s.name,
    clusterArn: clusterArn(s.cluster),
    status: s.status,
    desiredCount: s.desired,
    runningCount: s.running,
    pendingCount: s.pending,
    launchType: 'FARGATE',
    schedulingStrategy: 'REPLICA',
    createdAt: s.createdAt / 1000,
    ...(s.taskDefinition !== undefined
      ? {
          taskDefinition: s.taskDefinition,
          deployments: [
            {
              status: 'PRIMARY',
              taskDefinition: s.taskDefinition,
              desiredCount: s.desired,
              runningCount: Math.max(0, s.running - s.older.reduce((n, o) => n + o.running, 0)),
            },
            ...s.older.map((o) => ({
              status: 'ACTIVE',
              taskDefinition: o.taskDefinition,
              runningCount: o.running,
            })),
          ],
        }
      : {}),
  };
}

function knownCluster(state: FakeEcsState, name: string): void {
  if (!state.clusters.has(name)) throw new EcsError('ClusterNotFoundException', 'Cluster not found.');
}

function describeServices(state: FakeEcsState, input: Record<string, unknown>): unknown {
  const cluster = clusterName(input.cluster);
  const names = input.services;
  if (!Array.isArray(names) || names.length === 0 || names.length > 10)
    throw new EcsError('InvalidParameterException', 'services must contain between 1 and 10 names.');
  knownCluster(state, cluster);
  const services: unknown[] = [];
  const failures: unknown[] = [];
  for (const raw of names) {
    const name = serviceName(raw);
    const s = state.service(cluster, name);
    if (s) services.push(describe(s));
    else failures.push({ arn: serviceArn(cluster, name), reason: 'MISSING' });
  }
  return { services, failures };
}

function updateService(state: FakeEcsState, input: Record<string, unknown>): unknown {
  const cluster = clusterName(input.cluster);
  const name = serviceName(input.service);
  const desired = input.desiredCount;
  if (desired !== undefined && (typeof desired !== 'number' || !Number.isInteger(desired) || desired < 0))
    throw new EcsError('InvalidParameterException', 'desiredCount must be a non-negative integer.');
  knownCluster(state, cluster);
  const s = state.service(cluster, name);
  if (!s) throw new EcsError('ServiceNotFoundException', 'Service not found.');
  if (s.status !== 'ACTIVE')
    throw new EcsError(
      'ServiceNotActiveException',
      "The specified service isn't active. You can't update a service that's inactive.",
    );
  if (typeof desired === 'number') s.desired = desired;
  return { service: describe(s) };
}

/** `family`, `family:revision` or an ARN → the definition; ClientException when ECS has none. */
function describeTaskDefinition(state: FakeEcsState, input: Record<string, unknown>): unknown {
  const ref = input.taskDefinition;
  if (typeof ref !== 'string' || ref === '')
    throw new EcsError('InvalidParameterException', 'taskDefinition must be a non-empty string.');
  const tail = ref.startsWith('arn:') ? ref.slice(ref.indexOf('task-definition/') + 16) : ref;
  const [family, rev] = tail.split(':');
  const revisions = [...state.taskDefinitions.values()].filter((t) => t.family === family);
  const found =
    rev === undefined
      ? revisions.sort((a, b) => b.revision - a.revision)[0]
      : revisions.find((t) => String(t.revision) === rev);
  if (!found) throw new EcsError('ClientException', 'Unable to describe task definition.');
  return {
    taskDefinition: {
      taskDefinitionArn: taskDefinitionArn(found.family, found.revision),
      family: found.family,
      revision: found.revision,
      status: 'ACTIVE',
      containerDefinitions: found.containers.map((c) => ({ name: c.name, image: c.image, essential: true })),
    },
  };
}

const OPERATIONS: Record<string, (state: FakeEcsState, input: Record<string, unknown>) => unknown> = {
  DescribeServices: describeServices,
  DescribeTaskDefinition: describeTaskDefinition,
  UpdateService: updateService,
};

function respond(status: number, payload: unknown, requestId: string): FakeResponse {
  return awsAnswer(status, 'application/x-amz-json-1.1', JSON.stringify(payload), requestId);
}

const statusOf = (code: string) => failureStatus(code, ['ServerException', 'InternalFailure']);

export function handleEcs(state: FakeEcsState, req: FakeAwsRequest, requestId = randomUUID()): FakeResponse {
  try {
    const target = req.headers['x-amz-target'];
    const operation =
      typeof target === 'string' && target.startsWith(ECS_TARGET_PREFIX)
        ? target.slice(ECS_TARGET_PREFIX.length)
        : '';
    const run = OPERATIONS[operation];
    if (!Object.hasOwn(OPERATIONS, operation) || !run)
      throw new EcsError('UnknownOperationException', `Operation ${operation || '(none)'} is not supported.`);
    let input: unknown;
    try {
      input = req.body.trim() === '' ? {} : JSON.parse(req.body);
    } catch {
      throw new EcsError('SerializationException', 'Start of structure or map found where not expected.');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw new EcsError('SerializationException', 'The request body must be a JSON object.');
    const params = input as Record<string, unknown>;
    state.calls.push({ operation, params });
    const injected = state.takeFailure(operation);
    if (injected) throw new EcsError(injected.code, injected.message, statusOf(injected.code));
    return respond(200, run(state, params), requestId);
  } catch (err) {
    const e =
      err instanceof EcsError
        ? err
        : new EcsError(
            'ServerException',
            `The fake ECS failed: ${err instanceof Error ? err.message : String(err)}`,
            500,
          );
    return respond(e.status, { __type: e.code, message: e.message }, requestId);
  }
}
