/**
 * Many services, one load balancer (issue 11): N services on one shared listener, all deployed at
 * once, against the simulated ELBv2 with AWS-like latency (100–300 ms a call) and AWS's token
 * buckets, the bot's ELBv2 client paced by its own limiter as production's is. For each size it
 * measures, from the signed Approve POSTs (all sent at once):
 *   - first click → every service switched (`cutover.finishedAt` in the records);
 *   - ELB calls by action per cutover (Approve → switched, and Approve → soaking: verification too);
 *   - requests AWS throttled (each one a retry) and deployments that failed;
 *   - CloudWatch metrics requested per deployment (GetMetricData queries, Approve → soaking);
 *   - Rollback click → switched back for services already soaking, clicked one every
 *     `probeEveryMs` while a train of `probeSize` runs (a run of its own: the trains' figures are
 *     measured with nothing else competing for AWS's buckets);
 *   - the process's resident memory (the bot and the simulators: they share the process).
 * BENCH_MANY_TRACE=1 prints each service's switch time and each rollback's parts.
 * `limits: 'describe'` is the issue's set-up (only AWS's Describe bucket, on the endpoint and in the
 * bot's limiter); `limits: 'aws'` adds AWS's mutating and registration buckets, as AWS has them.
 */
import { randomBytes } from 'node:crypto';
import { ApiThrottle, AWS_API_LIMITS } from '../sandbox/fake-elb/api-limits.js';
import { startFakeSlackApi } from '../sandbox/fake-slack-api.js';
import { localAwsClients, startLocalAws } from '../sandbox/local-aws.js';
import { AWS_ELB_RATE_LIMITS, type ElbRateLimits, rateLimitClient } from '../src/aws/rate-limit.js';
import { parseConfigText } from '../src/config/load-config.js';
import type { Deployment } from '../src/domain/deployment.js';
import { callJob } from '../src/ops/call-priority.js';
import { createLogger } from '../src/ops/logger.js';
import { startRuntime } from '../src/runtime.js';
import { freePort, startRedis } from '../test/helpers/redis-server.js';
import { latestButton } from '../test/helpers/slack-inspect.js';
import { blockActionBody, postToSlackEndpoint, slashCommandBody } from '../test/helpers/slack-requests.js';
import { waitUntil } from '../test/helpers/wait.js';
import { buildSharedListenerWorld, type WorldService } from './shared-listener-world.js';
import { type Summary, summarize } from './stats.js';

const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
const TOKEN = 'xoxb-bench-0000-token';
const REQUESTER = 'U0REQUESTER';
const APPROVER = 'U0APPROVER';
/** AWS-like latency of one ELBv2 call. */
const LATENCY_MS = [100, 300] as const;
/** A bucket no run empties: "no limit" for the buckets a run leaves out. */
const UNLIMITED = { capacity: 1e9, refillPerSecond: 1e9 };

export type LimitSet = 'describe' | 'aws';

export interface ManyServicesOptions {
  sizes: number[];
  limits: LimitSet;
  /** Services already soaking, rolled back one every `probeEveryMs` while a train of `probeSize` runs. */
  probes: number;
  probeSize: number;
  probeEveryMs: number;
}

export interface SizeResult {
  size: number;
  limits: LimitSet;
  /** First Approve POST → the last service's switch finished. */
  allSwitchedMs: number;
  /** Approve POST → that service's switch finished, per service. */
  switched: Summary;
  /** ELB calls by action per rollback (the probes'). */
  rollbackCalls: Record<string, number>;
  /** Background ELB calls (verification's read-back and scan) per deployment, Approve → soaking. */
  backgroundCalls: Record<string, number>;
  /** HTTP requests the endpoint served, Approve → soaking (every page and retry). */
  requests: number;
  /** ELB calls by action per cutover (the cutover jobs' own), Approve → every service switched. */
  callsToSwitched: Record<string, number>;
  /** The cutover jobs' calls per cutover, Approve → every service soaking. */
  callsToSoaking: Record<string, number>;
  describePerCutover: number;
  /** Requests the endpoint throttled (the SDK retried each), Approve → soaking. */
  throttled: number;
  /** Requests the bot's limiter held back for a token, Approve → soaking. */
  limiterWaits: number;
  /** Deployments that did not reach soaking (failed, stopped). */
  failed: number;
  /** Slack messages that mention throttling. */
  throttlingShown: number;
  /** GetMetricData calls and the metrics they requested per deployment, Approve → soaking. */
  cloudwatch: { calls: number; metricsPerDeployment: number };
  /** Rollback click → switched back, per probe. */
  rollback: Summary;
  rssMiB: { before: number; peak: number };
}

const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

function perCutover(calls: { operation: string }[], n: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of calls) counts[c.operation] = (counts[c.operation] ?? 0) + 1;
  return Object.fromEntries(
    Object.entries(counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([op, k]) => [op, Math.round((k / n) * 100) / 100]),
  );
}

/** One train of `size` services, with `probes` services rolled back while it runs. */
export async function runManyServicesSize(
  size: number,
  opts: ManyServicesOptions,
  probes = 0,
): Promise<SizeResult> {
  const world = buildSharedListenerWorld(size, probes);
  const redis = await startRedis();
  const slack = await startFakeSlackApi({ token: TOKEN });
  const aws = await startLocalAws({ elb: world.state, periodMs: 1000, tickMs: 100 });
  // The production client: the SDK's default 3 attempts, paced by the limiter at AWS's buckets.
  const clients = localAwsClients(aws.url, { maxAttempts: 3 });
  const limits: ElbRateLimits =
    opts.limits === 'aws'
      ? AWS_ELB_RATE_LIMITS
      : { describe: AWS_ELB_RATE_LIMITS.describe, mutate: UNLIMITED, registration: UNLIMITED };
  const limiter = rateLimitClient(clients.elb, limits);
  // Every ELBv2 command the bot sends, with the job it was sent for: the train's
  // cutovers (switch), the probes' rollbacks, and background work (verification) told apart.
  const sent: { op: string; job: string }[] = [];
  clients.elb.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({ op: (context.commandName ?? '?').replace(/Command$/, ''), job: callJob() ?? 'none' });
      return next(args);
    },
    { step: 'initialize', name: 'benchCountByJob' },
  );
  const parsed = parseConfigText(world.configYaml, undefined, { simulatedMetrics: true });
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const port = await freePort();
  const bot = await startRuntime({
    env: {
      mode: 'http',
      role: 'all',
      slackBotToken: TOKEN,
      slackSigningSecret: SIGNING_SECRET,
      slackApiUrl: slack.url,
      port,
      opsPort: 0,
      redisUrl: redis.url,
      configPath: '(bench)',
      logLevel: 'silent',
    },
    config: parsed.config,
    log: createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' }),
    redisUrl: redis.url,
    aws: clients,
    prefix: `bench${randomBytes(3).toString('hex')}`,
    drainPollMs: 200,
    healthPollMs: 200,
    computePollMs: 200,
    closeTimeoutMs: 2_000,
  });
  const url = `http://127.0.0.1:${bot.port}/slack/events`;
  const post = (body: string) => postToSlackEndpoint(url, body, { signingSecret: SIGNING_SECRET });
  const deploy = async (s: WorldService): Promise<string> => {
    const res = await post(
      slashCommandBody({
        text: `${s.name} green`,
        userId: REQUESTER,
        channelId: s.channel,
        responseUrl: slack.responseUrl(),
      }),
    );
    if (res.status !== 200) throw new Error(`/deploy ${s.name} answered HTTP ${res.status}: ${res.text}`);
    const d = await waitUntil(async () => (await bot.store.listByService(s.name, 1))[0], {
      timeoutMs: 120_000,
      what: `the deployment of ${s.name}`,
    });
    return d.id;
  };
  const click = async (actionId: string, id: string, user: string, channel: string) => {
    const value = await waitUntil(() => latestButton(slack, actionId, id)?.value, {
      timeoutMs: 120_000,
      what: `${actionId} of ${id}`,
    });
    const res = await post(
      blockActionBody({
        actionId,
        value,
        userId: user,
        channelId: channel,
        messageTs: '1.000',
        responseUrl: slack.responseUrl(),
      }),
    );
    if (res.status !== 200) throw new Error(`${actionId} answered HTTP ${res.status}: ${res.text}`);
  };
  const inState = (id: string, states: string[], timeoutMs = 300_000) =>
    waitUntil(
      async () => {
        const d = await bot.store.get(id);
        return d && states.includes(d.state) ? d : undefined;
      },
      {
        timeoutMs,
        intervalMs: 50,
        what: `${id} to reach ${states.join(' or ')}`,
        last: async () => (await bot.store.get(id))?.state,
      },
    );
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  try {
    // The probes soak on green first (not measured).
    const probeIds: string[] = [];
    for (const p of world.probes) {
      const id = await deploy(p);
      await inState(id, ['awaiting_approval']);
      await click('gl_approve', id, APPROVER, p.channel);
      await inState(id, ['soaking']);
      probeIds.push(id);
    }
    // Every train service requested and prechecked (its preview rules created), not measured.
    const ids = await Promise.all(world.train.map(deploy));
    await Promise.all(ids.map((id) => inState(id, ['awaiting_approval'])));
    // Clicks start with full buckets, as after a quiet minute: AWS's and the limiter's.
    world.state.latencyMs = LATENCY_MS;
    await new Promise((r) => setTimeout(r, 8_000));
    world.state.throttle = new ApiThrottle(
      opts.limits === 'aws' ? AWS_API_LIMITS : { describe: AWS_API_LIMITS.describe },
      world.state.now(),
    );
    const rssBefore = process.memoryUsage().rss;
    peak = rssBefore;
    const elbFrom = world.state.calls.length;
    const sentFrom = sent.length;
    const cwFrom = aws.traffic.calls.length;
    const waitedFrom = Object.values(limiter.waited).reduce((a, b) => a + b, 0);
    const slackFrom = slack.calls.length;

    const t0 = Date.now();
    const approvals = world.train.map((s, i) => click('gl_approve', ids[i] as string, APPROVER, s.channel));
    // Rollbacks clicked while the train switches, a quarter of a second apart.
    const rollbackClicks: number[] = [];
    const rollbacks = (async () => {
      for (const [i, id] of probeIds.entries()) {
        await new Promise((r) => setTimeout(r, i === 0 ? 100 : opts.probeEveryMs));
        rollbackClicks.push(Date.now());
        await click('gl_rollback', id, REQUESTER, world.probes[i]?.channel ?? '');
      }
    })();
    await Promise.all([...approvals, rollbacks]);
    const finished = await waitUntil(
      async () => {
        const all = await Promise.all(ids.map((id) => bot.store.get(id)));
        return all.every((d) => d?.cutover?.finishedAt !== undefined || isEnded(d)) ? all : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 50, what: 'every service switched' },
    );
    const sentAtSwitched = sent.length;
    const rolled = await Promise.all(probeIds.map((id) => inState(id, ['rolled_back', 'failed'])));
    const settled = await Promise.all(
      ids.map((id) => inState(id, ['soaking', 'failed', 'stopped', 'rolled_back', 'done'])),
    );
    const cutoverCalls = (to: number) =>
      sent
        .slice(sentFrom, to)
        .filter((c) => c.job === 'cutover')
        .map((c) => ({ operation: c.op }));
    const toSwitched = cutoverCalls(sentAtSwitched);
    const others = sent.slice(sentFrom).filter((c) => c.job !== 'cutover');
    const requests = world.state.calls.length - elbFrom;
    const cw = aws.traffic.calls.slice(cwFrom).filter((c) => c.operation === 'GetMetricData');
    const metrics = cw.reduce(
      (n, c) => n + ((c.input as { MetricDataQueries?: unknown[] }).MetricDataQueries?.length ?? 0),
      0,
    );
    const finishedAt = finished.map((d) => d?.cutover?.finishedAt ?? Number.NaN);
    if (process.env.BENCH_MANY_TRACE) {
      rolled.forEach((d, i) => {
        const click = rollbackClicks[i] ?? Number.NaN;
        const r = d.rollback;
        const recorded = d.history.find((h) => h.event === 'rollback')?.at ?? Number.NaN;
        console.log(
          `rollback ${i}: click→recorded ${recorded - click} ms, →job ${(r?.startedAt ?? Number.NaN) - click} ms, job ${(r?.finishedAt ?? Number.NaN) - (r?.startedAt ?? Number.NaN)} ms (AWS ${r?.awsMs} ms)`,
        );
      });
      console.log(
        'switched at (ms after the first click):',
        finishedAt
          .map((t) => t - t0)
          .sort((a, b) => a - b)
          .join(' '),
      );
      const started = finished.map((d) => (d?.cutover?.startedAt ?? Number.NaN) - t0);
      console.log('cutover jobs started at:', started.sort((a, b) => a - b).join(' '));
    }
    const callsToSoaking = perCutover(cutoverCalls(sent.length), size);
    return {
      size,
      limits: opts.limits,
      allSwitchedMs: Math.max(...finishedAt) - t0,
      switched: summarize(finishedAt.map((t) => t - t0)),
      callsToSwitched: perCutover(toSwitched, size),
      callsToSoaking,
      rollbackCalls: perCutover(
        others.filter((c) => c.job === 'rollback').map((c) => ({ operation: c.op })),
        Math.max(1, probeIds.length),
      ),
      backgroundCalls: perCutover(
        others.filter((c) => c.job !== 'rollback').map((c) => ({ operation: c.op })),
        size,
      ),
      requests,
      describePerCutover:
        Math.round((toSwitched.filter((c) => c.operation.startsWith('Describe')).length / size) * 100) / 100,
      throttled: [...(world.state.throttle?.throttled.values() ?? [])].reduce((a, b) => a + b, 0),
      limiterWaits: Object.values(limiter.waited).reduce((a, b) => a + b, 0) - waitedFrom,
      failed: settled.filter((d) => d.state !== 'soaking').length,
      throttlingShown: slack.calls
        .slice(slackFrom)
        .filter((c) => /throttl|rate exceeded/i.test(JSON.stringify(c.args))).length,
      cloudwatch: {
        calls: cw.length,
        metricsPerDeployment: Math.round((metrics / size) * 10) / 10,
      },
      rollback: summarize(
        rolled.map((d, i) => (d.rollback?.finishedAt ?? Number.NaN) - (rollbackClicks[i] ?? Number.NaN)),
      ),
      rssMiB: { before: mib(rssBefore), peak: mib(peak) },
    };
  } finally {
    clearInterval(sampler);
    world.state.latencyMs = null;
    world.state.throttle = null;
    await bot.close();
    await aws.close();
    await slack.close();
    await redis.stop();
  }
}

function isEnded(d: Deployment | null | undefined): boolean {
  return d != null && ['failed', 'stopped', 'rolled_back', 'done'].includes(d.state);
}

/**
 * Each size's train alone (nothing else competes for AWS's buckets), then a train of `probeSize`
 * with `probes` rollbacks clicked while it runs (the rollback figures).
 */
export async function runManyServices(
  opts: ManyServicesOptions,
): Promise<{ trains: SizeResult[]; withRollbacks?: SizeResult }> {
  const trains: SizeResult[] = [];
  for (const size of opts.sizes) trains.push(await runManyServicesSize(size, opts));
  if (opts.probes === 0) return { trains };
  return { trains, withRollbacks: await runManyServicesSize(opts.probeSize, opts, opts.probes) };
}
