/**
 * One set of AWS SDK clients per account and Region a service lives in (its `aws:` settings:
 * Region, role, external ID), built once, the first time a service of it is asked for:
 * - the ELBv2 client, paced by the rate limiter of its account and Region (src/aws/rate-limit.ts;
 *   AWS throttles per account and Region, so every client acting there shares one limiter), the
 *   adapter on it and the ALB router with its reads shared while in flight (src/aws/shared-reads.ts);
 * - CloudWatch, with its GetMetricData batcher (src/aws/metrics-batcher.ts);
 * - ECS and Auto Scaling.
 * With a role, every client signs with the role's session (src/aws/sts-credentials.ts): one
 * session per (role, external ID), shared by every client and Region that uses the role, assumed
 * from the process's own credentials (the bot's role) through STS in one Region whatever the
 * service (src/aws/sts-region.ts: the process's Region, else the partition's global one). Without
 * one, the clients use the process's credentials, as before. Every client, STS included, counts
 * its AWS errors and throttled requests (src/aws/call-metrics.ts).
 *
 * The limiter of the clients without a role is the one of the bot's own account, which is learnt
 * once, with STS GetCallerIdentity (it needs no IAM permission: STS API Reference,
 * GetCallerIdentity), when the first service with a role is built — a single-account bot never
 * calls it. Until the answer is in, or when the call fails (warned once, asked again at most every
 * 5 minutes), those clients are paced by a limiter of their own (`self`): a role in the bot's own
 * account then has a second one for the same AWS buckets, and what throttling that lets through,
 * the SDK retries. Calls are never held up waiting for the account.
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
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { ComputeReadPorts } from '../app/ports/compute.js';
import type { ElbPort } from '../app/ports/elb.js';
import type { MetricsPort } from '../app/ports/metrics.js';
import type { TrafficRouter } from '../app/ports/traffic-router.js';
import { roleAccount } from '../config/aws-schema.js';
import type { AwsSettings } from '../domain/service.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../ops/logger.js';
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
  type RateLimitStats,
  rateLimitClient,
} from './rate-limit.js';
import { type ClientOptions, clientConfig, toAwsCallError } from './sdk-call.js';
import { sharedReads } from './shared-reads.js';
import { type AssumedRole, type AssumedRoleOptions, assumedRole } from './sts-credentials.js';
import { processRegion, stsRegion } from './sts-region.js';

export interface AwsClients {
  elb: ElasticLoadBalancingV2Client;
  cloudwatch: CloudWatchClient;
  ecs: ECSClient;
  asg: AutoScalingClient;
}

/** What Greenlight uses in one account and Region. */
export interface AwsPlace {
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
  /** What the limiter of the account and Region its ELBv2 client draws from has done; absent: none. */
  readonly rateLimit?: RateLimitStats;
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
  /**
   * The role sessions' duration, renewal margins and clock (tests shorten them, move the clock);
   * the clock also times the retry of a failed GetCallerIdentity.
   */
  session?: Pick<
    AssumedRoleOptions,
    'durationSeconds' | 'refreshBeforeMs' | 'expiryMarginMs' | 'retryAfterMs' | 'now'
  >;
  /** Where a failure to learn the bot's own account is warned of (once). */
  log?: Pick<Logger, 'warn'>;
}

/** The key of an account and Region: `region|roleArn|externalId`. */
export function awsKey(settings: AwsSettings = {}): string {
  return `${settings.region ?? ''}|${settings.roleArn ?? ''}|${settings.externalId ?? ''}`;
}

/** How long after a failed GetCallerIdentity the bot's own account is asked for again. */
export const CALLER_IDENTITY_RETRY_MS = 5 * 60_000;

/** The limiters' key of the process's own account while it is not known. */
const SELF = 'self';

export class AwsClientRegistry {
  private readonly places = new Map<string, AwsPlace>();
  private readonly sessions = new Map<string, AssumedRole>();
  private readonly limiters = new Map<string, ElbLimiter>();
  private readonly stsClients = new Map<string, STSClient>();
  /** The bot's own account, once GetCallerIdentity told it. */
  private account: string | undefined;
  private identity: Promise<string | undefined> | undefined;
  private identityFailedAt: number | undefined;
  private identityWarned = false;
  /** The partition of the first role built; set: learning the bot's own account is worth it. */
  private rolePartition: string | undefined;

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

  /**
   * The bot's own account (STS GetCallerIdentity with the process's credentials), asked once;
   * undefined while a failed ask is less than CALLER_IDENTITY_RETRY_MS old. Never rejects.
   */
  ownAccount(): Promise<string | undefined> {
    if (this.account !== undefined) return Promise.resolve(this.account);
    if (this.identity) return this.identity;
    const now = this.opts.session?.now?.() ?? Date.now();
    if (this.identityFailedAt !== undefined && now - this.identityFailedAt < CALLER_IDENTITY_RETRY_MS)
      return Promise.resolve(undefined);
    // The bot's credentials are of its own Region's partition; without a Region, the roles'.
    const sts = this.sts(this.ownRegion() ?? stsRegion(this.rolePartition ?? 'aws', undefined));
    const ask = async (): Promise<string | undefined> => {
      try {
        const out = await sts.send(new GetCallerIdentityCommand({}));
        if (!out.Account || !/^\d{12}$/.test(out.Account))
          throw new Error(`STS answered no account (${JSON.stringify(out.Account ?? null)})`);
        this.account = out.Account;
        return out.Account;
      } catch (err) {
        this.identityFailedAt = this.opts.session?.now?.() ?? Date.now();
        if (!this.identityWarned) {
          this.identityWarned = true;
          this.opts.log?.warn(
            { err: errorMessage(toAwsCallError('GetCallerIdentity', err)) },
            "could not learn the bot's own AWS account (sts:GetCallerIdentity): services without aws.roleArn get an ELBv2 rate limiter of their own, apart from roles in that account; asked again every 5 minutes",
          );
        }
        return undefined;
      }
    };
    const asking = ask();
    this.identity = asking;
    void asking.then(() => {
      if (this.identity === asking) this.identity = undefined;
    });
    return asking;
  }

  /** The process's own Region: the clients' given one, else AWS_REGION or AWS_DEFAULT_REGION. */
  private ownRegion(): string | undefined {
    return processRegion(this.opts.client?.region);
  }

  private region(settings: AwsSettings): string | undefined {
    return settings.region ?? this.opts.client?.region;
  }

  /** An STS client with the process's own credentials, one per Region. */
  private sts(region: string): STSClient {
    let sts = this.stsClients.get(region);
    if (!sts) {
      sts = new STSClient(clientConfig({ ...this.opts.client, region }));
      if (this.opts.metrics) meterAwsClient(sts, 'sts', this.opts.metrics);
      this.stsClients.set(region, sts);
    }
    return sts;
  }

  /** The session of a role, shared by every Region and client that uses it. */
  private session(settings: AwsSettings & { roleArn: string }): AssumedRole {
    const key = `${settings.roleArn}|${settings.externalId ?? ''}`;
    let role = this.sessions.get(key);
    if (!role) {
      const partition = roleAccount(settings.roleArn)?.partition ?? 'aws';
      role = assumedRole(this.sts(stsRegion(partition, this.ownRegion())), {
        roleArn: settings.roleArn,
        ...(settings.externalId !== undefined ? { externalId: settings.externalId } : {}),
        ...this.opts.session,
      });
      this.sessions.set(key, role);
    }
    return role;
  }

  /**
   * The limiter of an account and Region: a role's account, or (no role) the bot's own, whose
   * key is its account once known and `self` until then. Which one is decided at each request.
   */
  private limiter(settings: AwsSettings, limits: ElbRateLimits): ElbLimiter {
    const roleAcct = settings.roleArn
      ? (roleAccount(settings.roleArn)?.account ?? settings.roleArn)
      : undefined;
    // The Region the clients end up in: the SDK's own resolution when none is given (sdk-call.ts).
    const region = this.region(settings) ?? processRegion(undefined) ?? '';
    const current = (): ElbLimiter => {
      if (this.account === undefined && this.rolePartition !== undefined) void this.ownAccount();
      const key = `${roleAcct ?? this.account ?? SELF}|${region}`;
      let limiter = this.limiters.get(key);
      if (!limiter) {
        limiter = createElbLimiter(limits);
        this.limiters.set(key, limiter);
      }
      return limiter;
    };
    return {
      take: (command) => current().take(command),
      stats: {
        get waited() {
          return current().stats.waited;
        },
        get taken() {
          return current().stats.taken;
        },
      },
    };
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
    // A role's account may be the bot's own: learn which, to pace both with one limiter.
    if (settings.roleArn && limits && this.rolePartition === undefined) {
      this.rolePartition = roleAccount(settings.roleArn)?.partition ?? 'aws';
      void this.ownAccount();
    }
    let elbClient = own.elb;
    let rateLimit: RateLimitStats | undefined;
    if (!elbClient) {
      elbClient = createElbClient(options);
      if (limits) rateLimit = rateLimitClient(elbClient, this.limiter(settings, limits));
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
      clients,
      elb,
      router: createAlbRouter(fresh, { shared }),
      metrics: createMetricsAdapter(
        clients.cloudwatch,
        this.opts.batchMetrics === false ? {} : { batch: {} },
      ),
      compute: { ecs: createEcsAdapter(clients.ecs), asg: createAsgAdapter(clients.asg) },
      ...(role ? { role } : {}),
      ...(rateLimit ? { rateLimit } : {}),
    };
  }
}
