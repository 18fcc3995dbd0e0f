/**
 * The narrow ports to the compute behind a slot (an ECS service, an EC2 Auto Scaling group) and
 * `ComputePorts`, what every compute backend (src/compute) is given to work with.
 */
import type { HookResult } from '../../domain/evidence.js';

export interface EcsServiceState {
  desired: number;
  running: number;
  pending: number;
  status: string;
  /**
   * The ARN of the task definition the service runs, or is rolling out (DescribeServices
   * `taskDefinition`: its PRIMARY deployment's).
   */
  taskDefinition?: string;
  /**
   * Earlier deployments whose tasks still run during a rolling update (`deployments` with status
   * ACTIVE, ECS API Reference, Deployment): their task definition ARN and running tasks.
   */
  olderRunning?: { taskDefinition: string; running: number }[];
}

/** A task definition as DescribeTaskDefinition returns it, reduced to what says what it runs. */
export interface EcsTaskDefinition {
  family: string;
  revision: number;
  /** Each container's name and image, in the definition's order. */
  containers: { name: string; image: string }[];
}

export interface EcsPort {
  /** null when the service does not exist (ECS reports it under `failures`). */
  describeService(cluster: string, service: string): Promise<EcsServiceState | null>;
  updateDesiredCount(cluster: string, service: string, desired: number): Promise<void>;
  /** DescribeTaskDefinition (family, family:revision or ARN); null when ECS has no such definition. */
  describeTaskDefinition(taskDefinition: string): Promise<EcsTaskDefinition | null>;
}

export interface AsgState {
  min: number;
  max: number;
  desired: number;
  /** Instances not yet terminated (any lifecycle state other than Terminated). */
  instances: number;
  /** Of those, protected from scale in (ProtectedFromScaleIn) and not terminating yet. */
  protectedInstances: number;
  /** Of those, held by a terminating lifecycle hook (`Terminating:Wait`). */
  waitingInstances: number;
  /**
   * What new instances launch from: the group's launch template (or its mixed instances policy's),
   * with the version the group asks for (`$Latest`, `$Default` or a number), or its launch
   * configuration's name.
   */
  launchTemplate?: { name: string; version: string };
  /**
   * What its instances (not yet terminated) were launched from, each distinct template version with
   * how many run it: what runs now, which the group's own version (`$Latest`) may not say.
   */
  instanceTemplates?: { name: string; version: string; count: number }[];
  launchConfiguration?: string;
}

/** A lifecycle hook on autoscaling:EC2_INSTANCE_TERMINATING. */
export interface TerminationHook {
  name: string;
  heartbeatTimeoutSeconds: number;
}

export interface AsgPort {
  /** null when the group does not exist. */
  describeGroup(name: string): Promise<AsgState | null>;
  updateGroup(name: string, sizes: { min?: number; desired?: number }): Promise<void>;
  /** The group's lifecycle hooks on termination (DescribeLifecycleHooks). */
  describeTerminationHooks(name: string): Promise<TerminationHook[]>;
}

/** What a compute backend (src/compute) works with: the ports, and the signed scale-down webhook. */
export interface ComputePorts {
  ecs: EcsPort;
  asg: AsgPort;
  /** POSTs a signed scale-down webhook; never throws. */
  webhook: (url: string, body: unknown) => Promise<HookResult>;
}

/** What check-config reads compute with: read-only, no webhook is called. */
export type ComputeReadPorts = Omit<ComputePorts, 'webhook'>;
