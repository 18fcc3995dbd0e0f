/**
 * Rig for the job integration tests: the job handlers are called directly, with a JobContext built
 * the way `src/runtime.ts` builds it, so every scenario is deterministic. Real parts: redis-server
 * (one per test file, a fresh key prefix per test), DeploymentStore, BullMQ queue and JobScheduler,
 * the ELB/CloudWatch SDK adapters against the local AWS endpoint, and the WebClient gateway against
 * the local Slack Web API. In front of that gateway sits a stand-in that can fail or hold a call.
 * Time is a settable clock.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DEMO } from '../../sandbox/fake-elb/demo.js';
import { startFakeSlackApi } from '../../sandbox/fake-slack-api.js';
import { startLocalAws } from '../../sandbox/local-aws.js';
import type { Clock } from '../../src/app/clock.js';
import type { JobContext } from '../../src/app/context.js';
import type { ElbPort } from '../../src/app/ports/elb.js';
import type { SlackGateway, SlackMessage } from '../../src/app/ports/slack.js';
import { recordEvent } from '../../src/app/record-event.js';
import { createAlbRouter } from '../../src/aws/alb-router.js';
import { createAsgAdapter } from '../../src/aws/asg-adapter.js';
import { createMetricsAdapter } from '../../src/aws/cloudwatch-adapter.js';
import { createEcsAdapter } from '../../src/aws/ecs-adapter.js';
import { createElbAdapter } from '../../src/aws/elb-sdk-adapter.js';
import { switchForwards } from '../../src/aws/switch-forwards.js';
import { parseConfigText } from '../../src/config/load-config.js';
import type { Deployment } from '../../src/domain/deployment.js';
import type { DeploymentEvent } from '../../src/domain/events.js';
import { forwardSiteKey } from '../../src/domain/forwards.js';
import { newDeployment, newDeploymentId } from '../../src/domain/new-deployment.js';
import type { GreenlightConfig, ServiceConfig } from '../../src/domain/service.js';
import { callWebhook } from '../../src/hooks/webhook.js';
import { runCutover } from '../../src/jobs/cutover-job.js';
import { runPrecheck } from '../../src/jobs/precheck-job.js';
import { renderReason } from '../../src/messages/index.js';
import { createLogger } from '../../src/ops/logger.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { createQueue, JobScheduler, QUEUE_NAME } from '../../src/queue/queue.js';
import { createSlackGateway, createWebClient } from '../../src/slack/gateway.js';
import { createGroupResolver } from '../../src/slack/usergroup-cache.js';
import type { WebContext } from '../../src/slack/web-context.js';
import { DeploymentStore } from '../../src/store/deployment-store.js';
import { RedisForwardLock } from '../../src/store/forward-lock.js';
import { demoServiceYaml } from './demo-service-yaml.js';
import type { RedisProcess } from './redis-server.js';
import { posts, textOf, updates } from './slack-inspect.js';

export const USERS = { requester: 'U0REQUESTER', approver: 'U0APPROVER', sre: 'U0SREMEMBER' };
export const CHANNEL = 'C0CHECKOUT';
const TOKEN = 'xoxb-job-rig-token';
/** 2026-11-26 12:00:00 UTC: where every rig's clock starts. */
export const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
export const POLL_INTERVAL_MS = 20_000;
/** The CloudWatch alarm of `alarmGate`. */
export const GATE_ALARM = 'checkout-target-5xx';

/** Time that moves only when told to. */
export class SettableClock implements Clock {
  constructor(private t: number) {}
  now = (): number => this.t;
  set(t: number): void {
    this.t = t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

type Deferred = { promise: Promise<void>; resolve(): void };

function deferred(): Deferred {
  let resolve = () => {};
  return { promise: new Promise<void>((r) => (resolve = r)), resolve: () => resolve() };
}

type SlackMethod = 'post' | 'update';

/**
 * The SlackGateway port in front of the real WebClient gateway. `failNext` makes the next call of
 * a method throw before it reaches Slack; `holdNext` makes it wait until released (it reaches Slack
 * only then). Everything else goes straight through; what reached Slack is in the FakeSlackApi.
 */
export class ControllableSlack implements SlackGateway {
  private readonly failures: SlackMethod[] = [];
  private readonly holds: { method: SlackMethod; reached: Deferred; gate: Deferred }[] = [];

  constructor(private readonly real: SlackGateway) {}

  failNext(method: SlackMethod): void {
    this.failures.push(method);
  }

  /** `reached` resolves when the held call is waiting; `release` lets it go on to Slack. */
  holdNext(method: SlackMethod): { reached: Promise<void>; release(): void } {
    const hold = { method, reached: deferred(), gate: deferred() };
    this.holds.push(hold);
    return { reached: hold.reached.promise, release: hold.gate.resolve };
  }

  private async intercept(method: SlackMethod): Promise<void> {
    const f = this.failures.indexOf(method);
    if (f >= 0) {
      this.failures.splice(f, 1);
      throw new Error(`Slack ${method} failed (injected)`);
    }
    const h = this.holds.findIndex((x) => x.method === method);
    if (h < 0) return;
    const [hold] = this.holds.splice(h, 1);
    hold?.reached.resolve();
    await hold?.gate.promise;
  }

  async post(channel: string, message: SlackMessage, threadTs?: string): Promise<string> {
    await this.intercept('post');
    return this.real.post(channel, message, threadTs);
  }
  async update(channel: string, ts: string, message: SlackMessage): Promise<void> {
    await this.intercept('update');
    return this.real.update(channel, ts, message);
  }
  ephemeral(channel: string, user: string, message: SlackMessage, threadTs?: string): Promise<void> {
    return this.real.ephemeral(channel, user, message, threadTs);
  }
  permalink(channel: string, ts: string): Promise<string | undefined> {
    return this.real.permalink(channel, ts);
  }
  usergroupMembers(groupId: string): Promise<string[]> {
    return this.real.usergroupMembers(groupId);
  }
}

function rigConfig(): GreenlightConfig {
  const yaml = [
    'defaults:',
    '  soak: 1h',
    '  remindBefore: 10m',
    '  approvalTimeout: 30m',
    '  verifyWindow: 5m',
    'services:',
    ...demoServiceYaml({
      name: 'checkout',
      channel: CHANNEL,
      users: [USERS.approver],
      usergroups: ['S0SRE'],
    }),
    '    traffic:',
    '      period: 60s',
    `      pollInterval: ${POLL_INTERVAL_MS / 1000}s`,
    '',
  ].join('\n');
  const parsed = parseConfigText(yaml);
  if (!parsed.ok) throw new Error(`job rig config invalid: ${parsed.problems.join('; ')}`);
  return parsed.config;
}

export type JobRig = Awaited<ReturnType<typeof startJobRig>>;

export interface JobRigOptions {
  /** Queue job options (default: production's, from createQueue). */
  attempts?: number;
  backoffMs?: number;
}

let rigs = 0;

export async function startJobRig(redis: RedisProcess, opts: JobRigOptions = {}) {
  rigs += 1;
  const prefix = `jobs${process.pid}x${rigs}`;
  const clock = new SettableClock(T0);
  const connection = new Redis(redis.url, { maxRetriesPerRequest: 3 });
  const bullConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const store = new DeploymentStore(connection, { prefix: `${prefix}:` });
  const backoff = { type: 'fixed', delay: opts.backoffMs ?? 10 };
  const queue =
    opts.attempts === undefined
      ? createQueue(bullConnection, prefix)
      : new Queue(QUEUE_NAME, {
          connection: bullConnection,
          prefix,
          defaultJobOptions: { attempts: opts.attempts, backoff },
        });
  const scheduler = new JobScheduler(queue, clock.now);
  const aws = await startLocalAws({ timeScale: 0.01 });
  const slackApi = await startFakeSlackApi({ token: TOKEN });
  slackApi.setUsergroupMembers('S0SRE', [USERS.sre]);
  const slack = new ControllableSlack(createSlackGateway(createWebClient(TOKEN, slackApi.url)));
  const config = rigConfig();
  const svc = config.services['checkout'] as ServiceConfig;
  const log = createLogger({ level: process.env['JOBS_LOG_LEVEL'] ?? 'silent' });
  const metrics = createMetrics();
  const elb = createElbAdapter(aws.clients.elb);
  const cloudwatch = createMetricsAdapter(aws.clients.cloudwatch);
  const compute = { ecs: createEcsAdapter(aws.clients.ecs), asg: createAsgAdapter(aws.clients.asg) };
  const ctx: JobContext = {
    store,
    scheduler,
    router: createAlbRouter(elb),
    metricsFor: () => cloudwatch,
    computeFor: () => compute,
    webhook: (input) => callWebhook(input),
    secret: () => undefined,
    slack,
    config,
    clock,
    log,
    metrics,
    forwardLock: new RedisForwardLock(connection, `${prefix}:`),
    drainPollMs: 10,
    healthPollMs: 10,
    computePollMs: 10,
  };
  let hex = 0;

  const get = async (id: string): Promise<Deployment> => {
    const d = await store.get(id);
    if (!d) throw new Error(`deployment ${id} is not in the store`);
    return d;
  };
  const event = async (id: string, e: DeploymentEvent): Promise<Deployment> => {
    const out = await recordEvent(ctx, id, e);
    if (!out.ok) throw new Error(`${e.type} refused: ${renderReason(out.reason)}`);
    return out.deployment;
  };
  const request = async (toSlot = 'green'): Promise<Deployment> => {
    clock.advance(1_000);
    hex += 1;
    const now = clock.now();
    const d = newDeployment(
      {
        id: newDeploymentId('checkout', now, hex.toString(16).padStart(4, '0')),
        service: 'checkout',
        channel: CHANNEL,
        requester: USERS.requester,
        toSlot,
        soakMs: svc.soakMs,
        remindBeforeMs: svc.remindBeforeMs,
      },
      now,
    );
    const created = await store.createWithLock(d);
    if (!created.ok) throw new Error(`checkout is locked by ${created.holderId}`);
    return d;
  };
  const inState = async (id: string, want: Deployment['state']): Promise<Deployment> => {
    const d = await get(id);
    if (d.state !== want)
      throw new Error(`expected ${want}, found ${d.state}: ${d.reason ? renderReason(d.reason) : ''}`);
    return d;
  };
  const awaitingApproval = async (toSlot?: string) => {
    const d = await request(toSlot);
    await runPrecheck(ctx, d.id);
    return inState(d.id, 'awaiting_approval');
  };
  const cuttingOver = async (toSlot?: string) =>
    event((await awaitingApproval(toSlot)).id, { type: 'approve', user: USERS.approver });
  const verifying = async (toSlot?: string) => {
    const d = await cuttingOver(toSlot);
    await runCutover(ctx, d.id);
    return inState(d.id, 'verifying');
  };
  const soaking = async (toSlot?: string) => event((await verifying(toSlot)).id, { type: 'verify_passed' });

  return {
    ctx,
    /** The ELB adapter the router uses (real SDK against the simulated ELBv2). */
    elb,
    /** The rig's context with the router on another ElbPort (a port that fails or freezes on cue). */
    withElb: (port: ElbPort): JobContext => ({ ...ctx, router: createAlbRouter(port) }),
    store,
    queue,
    clock,
    slack,
    slackApi,
    aws,
    svc,
    prefix,
    redisUrl: redis.url,
    bullConnection,
    /** What the Slack listeners get (button clicks go through `handleAction`). */
    web: (): WebContext => ({
      ...ctx,
      groups: createGroupResolver(slack.usergroupMembers.bind(slack), { log, now: clock.now }),
      randomHex: () => 'beef',
    }),
    get,
    /** Applies an event through the real state machine and store; throws if it is refused. */
    event,
    /** A fresh `/deploy checkout <toSlot>` record holding the service lock (state `requested`). */
    request,
    /** Then the real precheck job: awaiting_approval (card, precheck and prompt posted). */
    awaitingApproval,
    /** Then approved: cutting_over. Then the real cutover job: verifying. Then verify_passed: soaking. */
    cuttingOver,
    verifying,
    soaking,
    /**
     * Another service's deployment holds the lock of `sites` (default: every forward that names a
     * checkout slot now) until `release()`. Resolves once the lock is held.
     */
    holdForwards: async (sites?: string[]) => {
      const keys = sites ?? (await ctx.router.forwardSites(svc)).map(forwardSiteKey);
      let release!: () => void;
      let acquired!: () => void;
      const taken = new Promise<void>((r) => (acquired = r));
      const held = ctx.forwardLock.withSites(keys, 'search-20240101000000-beef', () => {
        acquired();
        return new Promise<void>((r) => (release = r));
      });
      await Promise.race([taken, held]);
      return {
        keys,
        release: async () => {
          release?.();
          await held;
        },
      };
    },
    /** Health gates on checkout: one CloudWatch alarm (GATE_ALARM), which the local CloudWatch sets to ALARM. */
    alarmGate: (autoRollback: boolean): void => {
      svc.gates = { ...svc.gates, alarms: [GATE_ALARM], autoRollback };
      aws.traffic.setAlarm(GATE_ALARM, 'ALARM', 'Threshold Crossed: 5xx above 1%');
    },
    /** Switches the configured listeners as the cutover would (real switch code, real SDK). */
    switchAlbTo: async (slot: string) => {
      await switchForwards(elb, { listenerArns: svc.listeners, slots: svc.slots, targetSlot: slot });
    },
    /** Weight of each slot in the checkout listener's default forward. */
    weights: () => {
      const w = aws.elb.weightsOf(DEMO.checkout.listenerArn);
      return { blue: w[DEMO.checkout.blueArn] ?? 0, green: w[DEMO.checkout.greenArn] ?? 0 };
    },
    /** ModifyListener + ModifyRule calls the load balancer received so far. */
    modifyCalls: () =>
      aws.elb.calls.filter((c) => c.operation === 'ModifyListener' || c.operation === 'ModifyRule').length,
    /** Thread replies under the deployment's card whose text matches. */
    thread: (d: Deployment, match?: RegExp) =>
      posts(slackApi).filter(
        (c) => c.args['thread_ts'] === d.messages.card && (!match || match.test(textOf(c))),
      ),
    /** chat.update calls that edited the deployment's card, in the order Slack received them. */
    cardUpdates: (d: Deployment) => updates(slackApi).filter((c) => c.args['ts'] === d.messages.card),
    close: async () => {
      await queue.close();
      await aws.close();
      await slackApi.close();
      connection.disconnect();
      bullConnection.disconnect();
    },
  };
}
