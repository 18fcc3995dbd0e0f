/**
 * One set of AWS SDK clients per account and Region a service lives in (its `aws:` settings:
 * Region, role, external ID), built once, the first time a service of it is asked for:
 * - the ELBv2 client, paced by the rate limiter of its account and Region (src/aws/rate-limit.ts;
 *   two roles in one account and Region share AWS's buckets, so they share one limiter), the
 *   adapter on it and the ALB router with its reads shared while in flight (src/aws/shared-reads.ts);
 * - CloudWatch, with its GetMetricData batcher (src/aws/metrics-batcher.ts);
 * - ECS and Auto Scaling.
 * With a role, every client signs with the role's session (src/aws/sts-credentials.ts): one
 * session per (role, external ID), shared by every client and Region that uses the role, assumed
 * from the process's own credentials (the bot's role) through STS in the service's Region. Without
 * one, the clients use the process's credentials, as before. Every client, STS included, counts
 * its AWS errors and throttled requests (src/aws/call-metrics.ts).
 *
 * Clients handed in (`given`: tests, the sandbox) serve the services without `aws:` settings and
 * are left as they are (no limiter added); `client` (an endpoint, base credentials, a fallback
 * Region, attempts) is what every client built here starts from, by default the SDK's standard
 * environment (AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL are honoured as by every client).
 */
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { STSClient } from '@aws-sdk/client-sts';
import type { ComputeReadPorts } from '../app/ports/compute.js';
import type { ElbPort } from '../app/ports/elb.js';
import type { MetricsPort } from '../app/ports/metrics.js';
import type { TrafficRouter } from '../app/ports/traffic-router.js';
import { roleAccount } from '../config/aws-schema.js';
import type { AwsSettings } from '../domain/service.js';
import type { Metrics } from '../ops/metrics.js';
import { createAlbRouter } from './alb-router.js';
import { createAsgAdapter, createAsgClient } from './asg-adapter.js';
import { meterAwsClient, meterAwsClients } from './call-metrics.js';
import { createCloudWatchClient, createMetricsAdapter } from './cloudwatch-adapter.js';
import { createEcsAdapter, createEcsClient } from './ecs-adapter.js';
import { createElbAdapter, createElbClient } from './elb-sdk-adapter.js';
import {
  AWS_ELB_RATE_LIMITS,
  createElbLimiter,
  type ElbLimiter,
  type ElbRateLimits,
  rateLimitClient,
} from './rate-limit.js';
import { type ClientOptions, clientConfig } from './sdk-call.js';
import { sharedReads } from './shared-reads.js';
import {
  type AssumedRole,
  type AssumedRoleOptions,
  assumedRole,
  roleSessionName,
} from './sts-credentials.js';

export interface AwsClients {
  elb: ElasticLoadBalancingV2Client;
  cloudwatch: CloudWatchClient;
  ecs: ECSClient;
  asg: AutoScalingClient;
}

/** What Greenlight uses in one account and Region. */
export interface AwsPlace {
  /** `region|roleArn|externalId`, as configured (empty parts: the process's own). */
  readonly key: string;
  readonly settings: AwsSettings;
  readonly clients: AwsClients;
  /** The ELBv2 adapter (every call to AWS: check-config reads through it). */
  readonly elb: ElbPort;
  /** The ALB router, its precheck and plan reads shared while in flight. */
  readonly router: TrafficRouter;
  /** CloudWatch, reads due together sharing GetMetricData calls (when batching). */
  readonly metrics: MetricsPort;
  readonly compute: ComputeReadPorts;
  /** The role's session; absent: the process's credentials. */
  readonly role?: AssumedRole;
}

export interface AwsClientsOptions {
  /** Clients of the process's own account and Region (tests, the sandbox), used as they are. */
  given?: Partial<AwsClients>;
  /** What every client built here is given (a fallback Region, endpoint, base credentials, attempts). */
  client?: ClientOptions;
  /** Counts AWS errors and throttled requests of every client. */
  metrics?: Pick<Metrics, 'awsError' | 'awsThrottled'>;
  /** AWS's ELBv2 buckets by default; false: no client-side limit (check-config's few reads). */
  rateLimits?: ElbRateLimits | false;
  /** Whether CloudWatch reads due together share calls (default true). */
  batchMetrics?: boolean;
  /** The role sessions' duration, renewal margin and clock (tests shorten them). */
  session?: Pick<AssumedRoleOptions, 'durationSeconds' | 'refreshBeforeMs' | 'now' | 'sessionName'>;
}

/** The key of an account and Region: `region|roleArn|externalId`. */
export function awsKey(settings: AwsSettings = {}): string {
  return `${settings.region ?? ''}|${settings.roleArn ?? ''}|${settings.externalId ?? ''}`;
}

export class AwsClientRegistry {
  private readonly places = new Map<string, AwsPlace>();
  private readonly sessions = new Map<string, AssumedRole>();
  private readonly limiters = new Map<string, ElbLimiter>();

  constructor(private readonly opts: AwsClientsOptions = {}) {}

  /** The clients and ports of the service's account and Region. */
  forService(svc: { aws?: AwsSettings }): AwsPlace {
    return this.forSettings(svc.aws);
  }

  forSettings(settings: AwsSettings = {}): AwsPlace {
    const key = awsKey(settings);
    let place = this.places.get(key);
    if (!place) {
      place = this.build(key, settings);
      this.places.set(key, place);
    }
    return place;
  }

  /** Every account and Region built so far. */
  all(): AwsPlace[] {
    return [...this.places.values()];
  }

  private region(settings: AwsSettings): string | undefined {
    return settings.region ?? this.opts.client?.region;
  }

  /** The session of a role, shared by every Region and client that uses it. */
  private session(settings: AwsSettings & { roleArn: string }): AssumedRole {
    const key = `${settings.roleArn}|${settings.externalId ?? ''}`;
    let role = this.sessions.get(key);
    if (!role) {
      const region = this.region(settings);
      const sts = new STSClient(clientConfig({ ...this.opts.client, ...(region ? { region } : {}) }));
      if (this.opts.metrics) meterAwsClient(sts, 'sts', this.opts.metrics);
      role = assumedRole(sts, {
        roleArn: settings.roleArn,
        ...(settings.externalId !== undefined ? { externalId: settings.externalId } : {}),
        sessionName: roleSessionName(),
        ...this.opts.session,
      });
      this.sessions.set(key, role);
    }
    return role;
  }

  /** The limiter of an account and Region (the process's own account when there is no role). */
  private limiter(settings: AwsSettings, limits: ElbRateLimits): ElbLimiter {
    const account = settings.roleArn ? (roleAccount(settings.roleArn)?.account ?? settings.roleArn) : 'self';
    // The Region the clients end up in: the SDK's own resolution when none is given (sdk-call.ts).
    const region = this.region(settings) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? '';
    const key = `${account}|${region}`;
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = createElbLimiter(limits);
      this.limiters.set(key, limiter);
    }
    return limiter;
  }

  private build(key: string, settings: AwsSettings): AwsPlace {
    const role = settings.roleArn ? this.session({ ...settings, roleArn: settings.roleArn }) : undefined;
    const region = this.region(settings);
    const options: ClientOptions = {
      ...this.opts.client,
      ...(region ? { region } : {}),
      ...(role ? { credentials: role } : {}),
    };
    const own = key === awsKey() ? (this.opts.given ?? {}) : {};
    const limits = this.opts.rateLimits === undefined ? AWS_ELB_RATE_LIMITS : this.opts.rateLimits;
    let elbClient = own.elb;
    if (!elbClient) {
      elbClient = createElbClient(options);
      if (limits) rateLimitClient(elbClient, this.limiter(settings, limits));
    }
    const clients: AwsClients = {
      elb: elbClient,
      cloudwatch: own.cloudwatch ?? createCloudWatchClient(options),
      ecs: own.ecs ?? createEcsClient(options),
      asg: own.asg ?? createAsgClient(options),
    };
    if (this.opts.metrics) meterAwsClients(clients, this.opts.metrics);
    const elb = createElbAdapter(clients.elb);
    const { shared, fresh } = sharedReads(elb);
    return {
      key,
      settings: { ...settings },
      clients,
      elb,
      router: createAlbRouter(fresh, { shared }),
      metrics: createMetricsAdapter(
        clients.cloudwatch,
        this.opts.batchMetrics === false ? {} : { batch: {} },
      ),
      compute: { ecs: createEcsAdapter(clients.ecs), asg: createAsgAdapter(clients.asg) },
      ...(role ? { role } : {}),
    };
  }
}
