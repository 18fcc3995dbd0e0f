/**
 * A fake EC2 Auto Scaling (awsQuery protocol, Version 2011-01-01) for tests and the sandbox:
 * UpdateAutoScalingGroup, DescribeAutoScalingGroups and DescribeLifecycleHooks, the calls
 * Greenlight's scale-down makes. Form-encoded requests (`Action=…&Version=2011-01-01&AutoScalingGroupNames.member.1=…`),
 * XML answers in the `http://autoscaling.amazonaws.com/doc/2011-01-01/` namespace, errors as
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
 * An unknown group is absent from DescribeAutoScalingGroups and a `ValidationError` for
 * UpdateAutoScalingGroup, as AWS does.
 *
 * Instances converge lazily, one change per `stepMs` of the injectable clock, computed on each
 * request: a surplus instance goes Terminating, then disappears; a missing one is launched
 * Pending, then goes InService. As the EC2 Auto Scaling user guide documents:
 * - an instance protected from scale in is never chosen for a scale-in: "If all instances in an
 *   Auto Scaling group are protected from scale in, and a scale-in event occurs, its desired
 *   capacity is decremented. However, the Auto Scaling group can't terminate the required number
 *   of instances until their instance scale-in protection settings are disabled" ("Use instance
 *   scale-in protection");
 * - with a lifecycle hook on autoscaling:EC2_INSTANCE_TERMINATING, a terminating instance waits in
 *   `Terminating:Wait` until the action is completed or the hook's heartbeat timeout (default
 *   3600 s) runs out, then `Terminating:Proceed` ("How lifecycle hooks work"); `timeScale` scales
 *   that timeout.
 */
import { randomUUID } from 'node:crypto';
import { FailureInjection, failureStatus } from './failure-injection.js';
import type { FakeAwsRequest } from './fake-aws.js';
import { FakeElbError, type FakeResponse } from './fake-elb/index.js';
import { decodeQuery, listParam, stringParam } from './fake-elb/query.js';
import { escapeXml } from './fake-elb/xml.js';
import { awsAnswer } from './local-http.js';

export const AUTOSCALING_VERSION = '2011-01-01';
export const AUTOSCALING_NAMESPACE = `http://autoscaling.amazonaws.com/doc/${AUTOSCALING_VERSION}/`;
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

export interface FakeAsgInstance {
  id: string;
  state: 'Pending' | 'InService' | 'Terminating' | 'Terminating:Wait' | 'Terminating:Proceed';
  zone: string;
  protectedFromScaleIn: boolean;
  /** While `Terminating:Wait`: when the lifecycle hook's heartbeat timeout ends. */
  waitUntil?: number;
  /**
   * The launch template version it was launched from: DescribeAutoScalingGroups reports it per
   * instance (Instance.LaunchTemplate), so instances launched before the group's template changed
   * keep theirs (Auto Scaling API Reference, Instance). The fake launches from the group's version
   * as written: give it a number.
   */
  launchTemplate?: { id: string; name: string; version: string };
}

export interface FakeLifecycleHook {
  name: string;
  transition: 'autoscaling:EC2_INSTANCE_LAUNCHING' | 'autoscaling:EC2_INSTANCE_TERMINATING';
  heartbeatTimeoutSeconds: number;
  defaultResult: 'CONTINUE' | 'ABANDON';
}

export interface FakeAsg {
  name: string;
  arn: string;
  min: number;
  max: number;
  desired: number;
  instances: FakeAsgInstance[];
  hooks: FakeLifecycleHook[];
  createdAt: number;
  /** Clock time up to which convergence has been applied. */
  settledAt: number;
  /**
   * What it launches from: DescribeAutoScalingGroups returns `LaunchTemplate` (LaunchTemplateId,
   * LaunchTemplateName, Version) for a group created with a launch template (Auto Scaling API
   * Reference, AutoScalingGroup and LaunchTemplateSpecification).
   */
  launchTemplate?: { id: string; name: string; version: string };
}

class AsgError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const invalid = (message: string) => new AsgError('ValidationError', message);

export class FakeAsgState extends FailureInjection {
  readonly groups = new Map<string, FakeAsg>();
  readonly calls: { operation: string; params: Record<string, unknown> }[] = [];
  stepMs: number;
  /** Multiplies lifecycle-hook heartbeat timeouts (1: AWS's own). */
  timeScale: number;
  now: () => number;
  private seq = 0;

  constructor(opts: { now?: () => number; stepMs?: number; timeScale?: number } = {}) {
    super();
    this.now = opts.now ?? (() => Date.now());
    this.stepMs = opts.stepMs ?? 200;
    this.timeScale = opts.timeScale ?? 1;
  }

  /** A group whose `instances` (default: desired) are InService; `protectedInstances` of them protected from scale in. */
  addGroup(
    name: string,
    sizes: { min: number; max: number; desired: number; instances?: number; protectedInstances?: number },
  ): FakeAsg {
    const at = this.now();
    const group: FakeAsg = {
      name,
      arn: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:${randomUUID()}:autoScalingGroupName/${name}`,
      min: sizes.min,
      max: sizes.max,
      desired: sizes.desired,
      instances: [],
      hooks: [],
      createdAt: at,
      settledAt: at,
    };
    for (let i = 0; i < (sizes.instances ?? sizes.desired); i++) {
      const instance = this.launch('InService');
      instance.protectedFromScaleIn = i < (sizes.protectedInstances ?? 0);
      group.instances.push(instance);
    }
    this.groups.set(name, group);
    return group;
  }

  /** The group launches from this template version from now on; its instances keep theirs. */
  useLaunchTemplate(group: string, template: { id: string; name: string; version: string }): void {
    const g = this.groups.get(group);
    if (!g) throw new Error(`no group ${group}`);
    g.launchTemplate = { ...template };
    for (const i of g.instances) i.launchTemplate ??= { ...template };
  }

  /** PutLifecycleHook: default heartbeat timeout 3600 s, default result ABANDON (as AWS). */
  addLifecycleHook(group: string, hook: Partial<FakeLifecycleHook> & { name: string }): void {
    const g = this.groups.get(group);
    if (!g) throw new Error(`no group ${group}`);
    g.hooks.push({
      transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      heartbeatTimeoutSeconds: 3600,
      defaultResult: 'ABANDON',
      ...hook,
    });
  }

  /** The group with convergence applied up to now. */
  group(name: string): FakeAsg | undefined {
    const g = this.groups.get(name);
    if (g) this.converge(g);
    return g;
  }

  private launch(state: FakeAsgInstance['state']): FakeAsgInstance {
    this.seq += 1;
    const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
    return {
      id: `i-${this.seq.toString(16).padStart(17, '0')}`,
      state,
      zone: zones[this.seq % 3] ?? 'us-east-1a',
      protectedFromScaleIn: false,
    };
  }

  /** The state a scale-in puts an instance in: waiting for a terminating lifecycle hook, or terminating. */
  private terminate(g: FakeAsg, instance: FakeAsgInstance): void {
    const hook = g.hooks.find((h) => h.transition === 'autoscaling:EC2_INSTANCE_TERMINATING');
    if (!hook) {
      instance.state = 'Terminating';
      return;
    }
    instance.state = 'Terminating:Wait';
    instance.waitUntil = this.now() + hook.heartbeatTimeoutSeconds * 1000 * this.timeScale;
  }

  converge(g: FakeAsg): void {
    const step = Math.max(1, this.stepMs);
    const steps = Math.floor((this.now() - g.settledAt) / step);
    if (steps <= 0) return;
    g.settledAt += steps * step;
    const now = this.now();
    for (const x of g.instances) {
      if (x.state === 'Terminating:Wait' && x.waitUntil !== undefined && x.waitUntil <= now) {
        x.state = 'Terminating:Proceed';
        delete x.waitUntil;
      }
    }
    for (let i = 0; i < steps; i++) {
      const leaving = g.instances.findIndex(
        (x) => x.state === 'Terminating' || x.state === 'Terminating:Proceed',
      );
      const active = g.instances.filter((x) => x.state === 'Pending' || x.state === 'InService');
      const pending = active.find((x) => x.state === 'Pending');
      // Protected instances are never chosen for a scale-in.
      const removable = active.filter((x) => !x.protectedFromScaleIn);
      if (leaving >= 0) g.instances.splice(leaving, 1);
      else if (active.length > g.desired && removable.length > 0)
        this.terminate(
          g,
          (removable.find((x) => x.state === 'Pending') ?? removable.at(-1)) as FakeAsgInstance,
        );
      else if (pending) pending.state = 'InService';
      else if (active.length < g.desired) {
        const launched = this.launch('Pending');
        if (g.launchTemplate) launched.launchTemplate = { ...g.launchTemplate };
        g.instances.push(launched);
      } else break;
    }
  }
}

function formVersion(body: string): string | null {
  try {
    return new URLSearchParams(body).get('Version');
  } catch {
    return null;
  }
}

export function isAsgRequest(headers: FakeAwsRequest['headers'], body: string): boolean {
  if (headers['x-amz-target'] !== undefined) return false;
  return formVersion(body) === AUTOSCALING_VERSION;
}

function element(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return `<${name}>${value.map((v) => element('member', v)).join('')}</${name}>`;
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>).map(([k, v]) => element(k, v));
    return `<${name}>${inner.join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

function describeGroup(g: FakeAsg): Record<string, unknown> {
  return {
    AutoScalingGroupName: g.name,
    AutoScalingGroupARN: g.arn,
    MinSize: g.min,
    MaxSize: g.max,
    DesiredCapacity: g.desired,
    DefaultCooldown: 300,
    AvailabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    HealthCheckType: 'EC2',
    HealthCheckGracePeriod: 300,
    Instances: g.instances.map((i) => ({
      InstanceId: i.id,
      InstanceType: 't3.micro',
      AvailabilityZone: i.zone,
      LifecycleState: i.state,
      HealthStatus: 'Healthy',
      ProtectedFromScaleIn: i.protectedFromScaleIn,
      ...(i.launchTemplate
        ? {
            LaunchTemplate: {
              LaunchTemplateId: i.launchTemplate.id,
              LaunchTemplateName: i.launchTemplate.name,
              Version: i.launchTemplate.version,
            },
          }
        : {}),
    })),
    CreatedTime: new Date(g.createdAt).toISOString(),
    TerminationPolicies: ['Default'],
    ...(g.launchTemplate
      ? {
          LaunchTemplate: {
            LaunchTemplateId: g.launchTemplate.id,
            LaunchTemplateName: g.launchTemplate.name,
            Version: g.launchTemplate.version,
          },
        }
      : {}),
  };
}

function intParam(
  params: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = params[name];
  if (raw === undefined) return undefined;
  const n = typeof raw === 'string' && /^-?\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isNaN(n) || n < min || n > max)
    throw new AsgError(
      'ValidationError',
      `Value '${String(raw)}' at '${name}' failed to satisfy constraint.`,
    );
  return n;
}

function describeGroups(state: FakeAsgState, params: Record<string, unknown>): Record<string, unknown> {
  const names = listParam(params.AutoScalingGroupNames).map((n) => String(n));
  const maxRecords = intParam(params, 'MaxRecords', 1, 100) ?? 50;
  const offset = params.NextToken === undefined ? 0 : Number(stringParam(params.NextToken));
  if (!Number.isInteger(offset) || offset < 0)
    throw new AsgError('InvalidNextToken', 'The token is invalid.');
  const all = (names.length > 0 ? names : [...state.groups.keys()])
    .map((n) => state.group(n))
    .filter((g): g is FakeAsg => g !== undefined);
  const page = all.slice(offset, offset + maxRecords);
  const out: Record<string, unknown> = { AutoScalingGroups: page.map(describeGroup) };
  if (offset + maxRecords < all.length) out.NextToken = String(offset + maxRecords);
  return out;
}

function updateGroup(state: FakeAsgState, params: Record<string, unknown>): Record<string, unknown> {
  const name = stringParam(params.AutoScalingGroupName);
  if (!name) throw invalid('AutoScalingGroupName is required.');
  const min = intParam(params, 'MinSize', 0, 100_000);
  const max = intParam(params, 'MaxSize', 0, 100_000);
  const desired = intParam(params, 'DesiredCapacity', 0, 100_000);
  const g = state.group(name);
  if (!g) throw invalid(`AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
  const nextMin = min ?? g.min;
  const nextMax = max ?? g.max;
  if (nextMin > nextMax)
    throw invalid(`Max bound, ${nextMax}, must be greater than or equal to min bound, ${nextMin}`);
  // Without DesiredCapacity, AWS moves the desired capacity into the new [min, max].
  const nextDesired = desired ?? Math.min(Math.max(g.desired, nextMin), nextMax);
  if (nextDesired < nextMin || nextDesired > nextMax)
    throw invalid(
      `Desired capacity:${nextDesired} must be between the specified min size:${nextMin} and max size:${nextMax}`,
    );
  g.min = nextMin;
  g.max = nextMax;
  g.desired = nextDesired;
  return {};
}

function describeHooks(state: FakeAsgState, params: Record<string, unknown>): Record<string, unknown> {
  const name = stringParam(params.AutoScalingGroupName);
  if (!name) throw invalid('AutoScalingGroupName is required.');
  const g = state.group(name);
  if (!g) throw invalid(`AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
  const names = listParam(params.LifecycleHookNames).map(String);
  return {
    LifecycleHooks: g.hooks
      .filter((h) => names.length === 0 || names.includes(h.name))
      .map((h) => ({
        LifecycleHookName: h.name,
        AutoScalingGroupName: g.name,
        LifecycleTransition: h.transition,
        HeartbeatTimeout: h.heartbeatTimeoutSeconds,
        GlobalTimeout: Math.min(172_800, 100 * h.heartbeatTimeoutSeconds),
        DefaultResult: h.defaultResult,
      })),
  };
}

type Operation = (state: FakeAsgState, params: Record<string, unknown>) => Record<string, unknown>;
const OPERATIONS: Record<string, Operation> = {
  DescribeAutoScalingGroups: describeGroups,
  DescribeLifecycleHooks: describeHooks,
  UpdateAutoScalingGroup: updateGroup,
};

function resultXml(operation: string, result: Record<string, unknown>, requestId: string): string {
  const inner = Object.entries(result).map(([k, v]) => element(k, v));
  const wrapped = inner.length > 0 ? `<${operation}Result>${inner.join('')}</${operation}Result>` : '';
  return (
    `<${operation}Response xmlns="${AUTOSCALING_NAMESPACE}">${wrapped}` +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${operation}Response>`
  );
}

export function asgErrorXml(code: string, message: string, requestId: string, status = 400): string {
  return (
    `<ErrorResponse xmlns="${AUTOSCALING_NAMESPACE}"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
    `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}

const statusOf = (code: string) => failureStatus(code, ['InternalFailure']);

export function handleAutoScaling(
  state: FakeAsgState,
  req: FakeAwsRequest,
  requestId = randomUUID(),
): FakeResponse {
  try {
    let query: ReturnType<typeof decodeQuery>;
    try {
      query = decodeQuery(req.body);
    } catch (err) {
      throw err instanceof FakeElbError ? new AsgError(err.code, err.message, err.status) : err;
    }
    const operation = query.action ?? '';
    if (operation === '')
      throw new AsgError('MissingAction', 'The request must contain the parameter Action.');
    const run = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
    if (!run)
      throw new AsgError('InvalidAction', `The action ${operation} is not valid for this web service.`);
    if (query.version !== AUTOSCALING_VERSION)
      throw new AsgError(
        'NoSuchVersion',
        `The requested version (${query.version ?? 'none'}) of service AutoScaling does not exist.`,
      );
    state.calls.push({ operation, params: query.params });
    const injected = state.takeFailure(operation);
    if (injected) throw new AsgError(injected.code, injected.message, statusOf(injected.code));
    return awsAnswer(200, 'text/xml', resultXml(operation, run(state, query.params), requestId), requestId);
  } catch (err) {
    const message = `The fake Auto Scaling failed: ${err instanceof Error ? err.message : String(err)}`;
    const e = err instanceof AsgError ? err : new AsgError('InternalFailure', message, 500);
    return awsAnswer(e.status, 'text/xml', asgErrorXml(e.code, e.message, requestId, e.status), requestId);
  }
}
