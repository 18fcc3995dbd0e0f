/**
 * Everything AWS the bot talks to, on one local endpoint (so a bot process needs a single
 * `AWS_ENDPOINT_URL`): the simulated ELBv2 load balancer, CloudWatch metrics from synthetic
 * traffic that follows the live weights, ECS / Auto Scaling for compute scale-down, and STS for
 * services reached through an assumed role.
 * Used by the sandbox and the end-to-end tests; the bot reaches it through the real AWS SDK.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from '../src/runtime.js';
import { FakeAsgState } from './fake-autoscaling.js';
import { startFakeAws } from './fake-aws.js';
import { handleCloudWatch, isCloudWatchRequest } from './fake-cloudwatch.js';
import { FakeEcsState } from './fake-ecs.js';
import { demoState } from './fake-elb/demo.js';
import type { FakeElbState } from './fake-elb/state.js';
import { FakeStsState } from './fake-sts.js';
import { TrafficModel } from './traffic-model.js';

export interface LocalAws {
  url: string;
  elb: FakeElbState;
  traffic: TrafficModel;
  ecs: FakeEcsState;
  asg: FakeAsgState;
  /** STS: the roles services may assume, the sessions issued (fake-sts.ts). */
  sts: FakeStsState;
  /** Real SDK clients pointed at `url`. */
  clients: AwsClients;
  close(): Promise<void>;
}

export interface LocalAwsOptions {
  elb?: FakeElbState;
  /** CloudWatch period of the synthetic traffic (ALB: 60 s; tests and the sandbox use less). */
  periodMs?: number;
  /** How late a period's metrics appear (default: one period, as ALB metrics arrive late). */
  publishDelayMs?: number;
  /**
   * Multiplies AWS's own durations in the demo world (health-check intervals, deregistration
   * delays); ignored when `elb` is given. Default 1.
   */
  timeScale?: number;
  tickMs?: number;
  requestsPerSecond?: number;
  host?: string;
  port?: number;
}

/** The dummy credentials of every local client (and of the sandbox bot's environment). */
export const LOCAL_CREDENTIALS = {
  accessKeyId: 'AKIDLOCALSANDBOX',
  secretAccessKey: 'local-sandbox',
} as const;

/**
 * Real SDK clients for a local endpoint (dummy credentials). No retries by default, so tests see
 * every failure they inject; `maxAttempts: 3` is the SDK's own default (what production runs with).
 */
export function localAwsClients(endpoint: string, opts: { maxAttempts?: number } = {}): AwsClients {
  const common = {
    endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: opts.maxAttempts ?? 1,
  };
  return {
    elb: new ElasticLoadBalancingV2Client(common),
    cloudwatch: new CloudWatchClient(common),
    ecs: new ECSClient(common),
    asg: new AutoScalingClient(common),
  };
}

export async function startLocalAws(opts: LocalAwsOptions = {}): Promise<LocalAws> {
  const elb = opts.elb ?? demoState(opts.timeScale !== undefined ? { timeScale: opts.timeScale } : {});
  const traffic = new TrafficModel(elb, {
    periodMs: opts.periodMs ?? 60_000,
    ...(opts.publishDelayMs !== undefined ? { publishDelayMs: opts.publishDelayMs } : {}),
    ...(opts.tickMs ? { tickMs: opts.tickMs } : {}),
    ...(opts.requestsPerSecond ? { requestsPerSecond: opts.requestsPerSecond } : {}),
  });
  const ecs = new FakeEcsState();
  const asg = new FakeAsgState();
  // Sessions expire in real time: the SDK judges their `Expiration` by the real clock too.
  const sts = new FakeStsState();
  const server = await startFakeAws({
    elb,
    ecs,
    asg,
    sts,
    cloudwatch: { isRequest: isCloudWatchRequest, handle: (req) => handleCloudWatch(traffic, req) },
    ...(opts.host ? { host: opts.host } : { host: '127.0.0.1' }),
    ...(opts.port ? { port: opts.port } : {}),
  });
  traffic.start();
  return {
    url: server.url,
    elb,
    traffic,
    ecs,
    asg,
    sts,
    clients: localAwsClients(server.url),
    async close() {
      traffic.stop();
      await server.close();
    },
  };
}
