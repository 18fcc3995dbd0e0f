/**
 * Assembles one Greenlight process from its parts. Production (`src/main.ts`), the sandbox and
 * the tests all start the bot through here; only endpoints and timings differ.
 */

import type { Server } from 'node:http';
import type { App } from '@slack/bolt';
import type { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { type Clock, systemClock } from './app/clock.js';
import type { JobContext } from './app/context.js';
import { AwsClientRegistry, type AwsClients } from './aws/aws-clients.js';
import { routerPerService } from './aws/service-router.js';
import type { Env } from './config/env.js';
import type { GreenlightConfig } from './domain/service.js';
import { callWebhook } from './hooks/webhook.js';
import { sweepEvents } from './jobs/event-delivery-job.js';
import { reconcileAll } from './jobs/reconcile.js';
import { RedisWatch } from './jobs/redis-watch.js';
import { startWorker } from './jobs/worker.js';
import { opsRoutes } from './ops/http-routes.js';
import type { Logger } from './ops/logger.js';
import { createMetrics, type Metrics } from './ops/metrics.js';
import { startOpsServer } from './ops/ops-server.js';
import { createQueue, JobScheduler } from './queue/queue.js';
import { eventsWiring } from './runtime-events.js';
import { createBoltApp } from './slack/bolt-app.js';
import { createSlackGateway, createWebClient } from './slack/gateway.js';
import { createGroupResolver } from './slack/usergroup-cache.js';
import { randomHex, type WebContext } from './slack/web-context.js';
import { DeploymentStore } from './store/deployment-store.js';
import { RedisForwardLock } from './store/forward-lock.js';
import { ReplayGuard } from './store/replay-guard.js';

export interface RuntimeOptions {
  env: Env;
  config: GreenlightConfig;
  log: Logger;
  redisUrl: string;
  /**
   * SDK clients of the process's own account and Region to use instead of the defaults (which
   * follow the AWS SDK's standard env); services with `aws:` settings get clients of their own.
   */
  aws?: Partial<AwsClients>;
  clock?: Clock;
  /** Key prefix for the store and the queue (tests use one per test). */
  prefix?: string;
  drainPollMs?: number;
  /** How often the precheck polls a slot's targets while they pass their first checks (default 5 s). */
  healthPollMs?: number;
  computePollMs?: number;
  reconcileEveryMs?: number;
  /** Address the HTTP receiver listens on (default: every interface, as Bolt does). */
  listenHost?: string;
  /** How long shutdown waits for running jobs before closing the connections anyway. */
  closeTimeoutMs?: number;
  worker?: { lockDuration?: number; stalledInterval?: number; concurrency?: number };
  /** How often the Redis data sentinel is checked (default 10 s). */
  redisCheckMs?: number;
  /** False: a new Redis dataset does not make the first scan report every idle slot (the sandbox). */
  reportNewDataset?: boolean;
  /** How long /readyz fails after a detected Redis data loss, at least (default 60 s). */
  redisLossHoldMs?: number;
  /** How often AWS is scanned for forgotten environments (default 10 min; worker processes). */
  forgottenScanMs?: number;
}

export type { AwsClients } from './aws/aws-clients.js';

async function bounded(work: Promise<unknown> | undefined, ms: number, log: Logger, what: string) {
  if (!work) return;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  const outcome = await Promise.race([
    work.then(
      () => 'done' as const,
      () => 'done' as const,
    ),
    late,
  ]);
  clearTimeout(timer);
  if (outcome === 'late') log.warn(`${what} did not close within ${ms} ms; closing the connections anyway`);
}

export interface Running {
  app?: App;
  worker?: Worker;
  queue: Queue;
  store: DeploymentStore;
  metrics: Metrics;
  /** The port the HTTP receiver listens on (web role, HTTP mode). */
  port?: number;
  /** The port /healthz, /readyz and /metrics answer on (OPS_PORT; every role). */
  opsPort: number;
  close(): Promise<void>;
}

export async function startRuntime(opts: RuntimeOptions): Promise<Running> {
  const { env, config, log } = opts;
  const prefix = opts.prefix ?? 'gl';
  // The store fails fast when Redis is down (a user gets an error); BullMQ needs retries forever.
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 3, lazyConnect: false });
  const bullConnection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  bullConnection.on('error', (err) => log.warn({ err: err.message }, 'redis (queue) connection error'));

  const baseClock = opts.clock ?? systemClock;
  const queue = createQueue(bullConnection, prefix);
  queue.on('error', (err) => log.warn({ err: err.message }, 'queue error'));
  // The events webhook (config `events`): every transition into the store's outbox, then a job.
  const events = eventsWiring(redis, prefix, queue, config.events, log, () => baseClock.now());
  const store = new DeploymentStore(redis, {
    prefix: `${prefix}:`,
    ...(events.store && { events: events.store }),
  });
  const scheduler = new JobScheduler(queue, () => baseClock.now());
  const metrics = createMetrics({ services: Object.keys(config.services) });
  metrics.setCollectors({
    queueDepth: () => queue.getJobCounts('waiting', 'active', 'delayed', 'failed'),
    pendingTeardowns: async () => (await store.listActive()).filter((d) => d.state === 'soaking').length,
    ...events.collectors,
  });
  const token = env.slackBotToken ?? '';
  const client = createWebClient(token, env.slackApiUrl, metrics.slackApiError);
  const slack = createSlackGateway(client);
  // One set of clients per account and Region the services live in, built when first used: a
  // rate-limited ELBv2 client per account and Region (src/aws/rate-limit.ts), reads shared while
  // in flight, CloudWatch reads due together sharing GetMetricData calls, AWS errors and throttled
  // requests counted on every client (src/aws/aws-clients.ts).
  const aws = new AwsClientRegistry({
    ...(opts.aws ? { given: opts.aws } : {}),
    metrics,
    log,
  });

  const ctx: JobContext = {
    store,
    scheduler,
    router: routerPerService((svc) => aws.forService(svc).router),
    metricsFor: (svc) => aws.forService(svc).metrics,
    computeFor: (svc) => aws.forService(svc).compute,
    webhook: (input) => callWebhook(input),
    events: events.delivery,
    secret: (name) => process.env[name],
    slack,
    config,
    clock: baseClock,
    log,
    metrics,
    forwardLock: new RedisForwardLock(redis, `${prefix}:`),
    drainPollMs: opts.drainPollMs ?? 5_000,
    healthPollMs: opts.healthPollMs ?? 5_000,
    computePollMs: opts.computePollMs ?? 5_000,
  };

  let app: App | undefined;
  let worker: Worker | undefined;
  let port: number | undefined;
  let reconcileTimer: NodeJS.Timeout | undefined;
  let opsServer: Server | undefined;
  const watch = new RedisWatch(redis, ctx, {
    prefix,
    checkEveryMs: opts.redisCheckMs ?? 10_000,
    managedDurability: env.redisDurability === 'managed',
    ...(opts.reportNewDataset === false ? { reportNewDataset: false } : {}),
    ...(opts.redisLossHoldMs !== undefined ? { lossHoldMs: opts.redisLossHoldMs } : {}),
    scanEveryMs: env.role === 'web' ? 0 : (opts.forgottenScanMs ?? 10 * 60_000),
  });
  await watch.start();
  const routes = opsRoutes({
    ready: async () => {
      await redis.ping();
      if (!watch.ready()) throw new Error('redis lost its data; waiting for the AWS scan to finish');
    },
    metrics,
    log,
  });

  if (env.role !== 'worker') {
    const replays = new ReplayGuard(redis, `${prefix}:`);
    const web: WebContext = {
      ...ctx,
      groups: createGroupResolver(slack.usergroupMembers, { log, now: baseClock.now }),
      randomHex,
    };
    app = createBoltApp(
      {
        token,
        ...(env.slackSigningSecret ? { signingSecret: env.slackSigningSecret } : {}),
        ...(env.mode === 'socket' && env.slackAppToken ? { appToken: env.slackAppToken } : {}),
        slackApiUrl: env.slackApiUrl,
        // Only liveness on the public Slack port; readiness and metrics are on OPS_PORT.
        customRoutes: routes.filter((r) => r.path === '/healthz'),
        port: env.port,
        log,
        firstSeen: (signature) => replays.firstSeen(signature),
      },
      web,
    );
    const started = await app.start(opts.listenHost ? { port: env.port, host: opts.listenHost } : env.port);
    const address = started && 'address' in started ? started.address() : null;
    port = typeof address === 'object' && address ? address.port : env.port;
  }
  opsServer = await startOpsServer(routes, env.opsPort, opts.listenHost);
  const opsAddress = opsServer.address();
  const opsPort = typeof opsAddress === 'object' && opsAddress ? opsAddress.port : env.opsPort;
  if (env.role !== 'web') {
    worker = startWorker(ctx, bullConnection, {
      prefix,
      ...(env.workerConcurrency !== undefined ? { concurrency: env.workerConcurrency } : {}),
      ...opts.worker,
    });
    await reconcileAll(ctx);
    await sweepEvents(ctx).catch((err: unknown) => log.warn({ err }, 'events sweep failed'));
    reconcileTimer = setInterval(() => {
      reconcileAll(ctx).catch((err: unknown) => log.warn({ err }, 'reconcile failed'));
      sweepEvents(ctx).catch((err: unknown) => log.warn({ err }, 'events sweep failed'));
    }, opts.reconcileEveryMs ?? 60_000);
    reconcileTimer.unref();
  }

  return {
    ...(app ? { app } : {}),
    ...(worker ? { worker } : {}),
    queue,
    store,
    metrics,
    ...(port !== undefined ? { port } : {}),
    opsPort,
    async close() {
      if (reconcileTimer) clearInterval(reconcileTimer);
      await bounded(watch.stop(), 2_000, log, 'redis watch');
      await app?.stop().catch(() => {});
      await new Promise((resolve) => (opsServer ? opsServer.close(resolve) : resolve(undefined)));
      // Let running jobs finish, but never hang on an unreachable Redis: a job cut short is
      // retried by another worker (stalled-job recovery), and every job is idempotent.
      await bounded(worker?.close(), opts.closeTimeoutMs ?? 10_000, log, 'worker');
      await bounded(queue.close(), 2_000, log, 'queue');
      redis.disconnect();
      bullConnection.disconnect();
    },
  };
}
