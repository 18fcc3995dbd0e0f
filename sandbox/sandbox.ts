/**
 * The local sandbox: the real bot with its network endpoints pointed at local stand-ins — a
 * private redis-server (unless REDIS_URL is set), the local Slack Web API, one local AWS endpoint
 * (ELBv2 with a demo load balancer, CloudWatch with synthetic traffic that follows the weights,
 * ECS, Auto Scaling) reached through the SDK's standard `AWS_ENDPOINT_URL` — and the sandbox page
 * on PORT, which plays the Slack client: it sends the bot signed requests exactly as Slack does.
 * The bot's own receiver listens on a free port of 127.0.0.1. Nothing else in src/ knows it is in
 * a sandbox.
 *
 * It never touches production state: everything listens on 127.0.0.1 (the page on SANDBOX_HOST
 * if set), the bot keeps its records and jobs under its own Redis prefix (`glsandbox`, so even
 * with REDIS_URL it cannot see a real deployment's records or delayed jobs), every AWS call goes
 * to the local endpoint with dummy credentials, and it runs as one process (role all).
 */

import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Role } from '../src/config/env.js';
import { formatProblems, loadConfigFile } from '../src/config/load-config.js';
import type { LocalSandbox, LocalSandboxOptions } from '../src/local-sandbox.js';
import type { Logger } from '../src/ops/logger.js';
import { demoState } from './fake-elb/demo.js';
import { startFakeSlackApi } from './fake-slack-api.js';
import { LOCAL_CREDENTIALS, startLocalAws } from './local-aws.js';
import { startRedis } from './redis-process.js';
import { createSandboxApi, type SandboxApiDeps } from './sandbox-api.js';
import { awsView } from './sandbox-aws-view.js';
import { SandboxClock } from './sandbox-clock.js';
import { SANDBOX_GROUPS } from './sandbox-directory.js';
import { SandboxFeed } from './sandbox-feed.js';
import { delayedJobs } from './sandbox-jobs.js';
import { SANDBOX_HOST, startSandboxServer } from './sandbox-server.js';

export { SANDBOX_USERS } from './sandbox-directory.js';

export const SANDBOX_CONFIG = fileURLToPath(new URL('./greenlight.sandbox.yml', import.meta.url));

/** How much faster than AWS the sandbox's simulated AWS runs its health checks and draining. */
export const SANDBOX_AWS_TIME_SCALE = 0.2;

/** The Redis key prefix and BullMQ prefix of the sandbox bot (production uses `gl`). */
export const SANDBOX_PREFIX = 'glsandbox';

/**
 * Where the bot's own receiver listens: a free port of 127.0.0.1 (given to the runtime as
 * `env.port` and `listenHost`), so the receiver is never on the network.
 */
export const BOT_RECEIVER = { port: 0, host: '127.0.0.1' } as const;

/**
 * The AWS SDK's documented switch for its notice that releases after January 2027 need Node 22
 * (aws/aws-sdk-js-v3#7983). Set for the sandbox only — unless already set — so that the first
 * line of `npm start` on Node 20 is the page's URL; production (Node 22 in the image) is untouched.
 */
export const SDK_NODE_WARNING = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

const isLoopback = (host: string) => /^127\./.test(host) || host === '::1' || host === 'localhost';

/**
 * The SDK's standard variables for a local endpoint: every client the bot creates goes there, with
 * dummy credentials (no credential lookup, nothing that could reach a real account).
 */
export function localAwsEnv(endpoint: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
  };
  // A per-service endpoint would win over AWS_ENDPOINT_URL.
  for (const name of Object.keys(process.env))
    if (name.startsWith('AWS_ENDPOINT_URL_')) out[name] = undefined;
  return out;
}

function applyEnv(vars: Record<string, string | undefined>): () => void {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const set = (all: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(all)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  set(vars);
  return () => set(before);
}

/** The sandbox as src/local-sandbox.ts describes it, with the simulated world's own clock. */
export interface Sandbox extends LocalSandbox {
  /** The clock of the simulated world; give it to the runtime (`clock`) so fast-forward moves the bot too. */
  clock: SandboxClock;
}

export interface SandboxOptions extends LocalSandboxOptions {
  log: Logger;
  redisUrl?: string;
  /** The page's port (the next free one if it is taken). */
  port: number;
  /** The page's address (SANDBOX_HOST); default 127.0.0.1, this machine only. */
  host?: string;
  /** GREENLIGHT_ROLE as given: anything but `all` is overridden (and said so). */
  role?: Role;
  /** Another demo config (tests); default `sandbox/greenlight.sandbox.yml`. */
  configPath?: string;
}

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const loaded = loadConfigFile(opts.configPath ?? SANDBOX_CONFIG, { simulatedMetrics: true });
  if (!loaded.ok) throw new Error(`sandbox config is invalid:\n${formatProblems(loaded.problems)}`);
  const config = loaded.config;
  const token = `xoxb-sandbox-${randomBytes(6).toString('hex')}`;
  const signingSecret = randomBytes(16).toString('hex');

  // Whatever started is stopped again, last first — also when a later step fails.
  const undo: (() => unknown)[] = [];
  const stopAll = async () => {
    for (const step of undo.splice(0).reverse()) await Promise.resolve(step()).catch(() => {});
  };
  try {
    undo.push(applyEnv({ [SDK_NODE_WARNING]: process.env[SDK_NODE_WARNING] ?? 'true' }));
    const redis = opts.redisUrl ? undefined : await startRedis({ appendonly: true });
    if (redis) undo.push(() => redis.stop());
    const slack = await startFakeSlackApi({ token, host: '127.0.0.1' });
    undo.push(() => slack.close());
    for (const g of SANDBOX_GROUPS) slack.setUsergroupMembers(g.id, g.members);

    const clock = new SandboxClock();
    const periods = Object.values(config.services).map((s) => s.traffic.periodMs);
    const aws = await startLocalAws({
      // AWS's health checks and deregistration delays at a fifth of their real length: attaching a
      // slot takes 30 s instead of 2m30s, draining the demo's 30 s delay 6 s.
      elb: demoState({ now: clock.now, timeScale: SANDBOX_AWS_TIME_SCALE }),
      // CloudWatch buckets no longer than the shortest period the config asks for.
      periodMs: Math.min(60_000, ...periods),
    });
    undo.push(() => aws.close());
    const { elb, traffic } = aws;
    traffic.now = clock.now;
    undo.push(applyEnv(localAwsEnv(aws.url)));

    const feed = new SandboxFeed(slack, clock.now);
    undo.push(() => feed.close());
    let botBase: string | undefined;
    let opsBase: string | undefined;
    const deps: SandboxApiDeps = {
      feed,
      elb,
      traffic,
      config,
      signingSecret,
      botUrl: () => (botBase ? `${botBase}/slack/events` : undefined),
      now: clock.now,
    };
    const api = createSandboxApi(deps);
    const page = await startSandboxServer({
      api,
      feed,
      botBase: () => botBase,
      opsBase: () => opsBase,
      panel: {
        panel: async () => ({
          aws: awsView({ state: elb, config, traffic, now: clock.now() }),
          jobs: deps.jobs ? await deps.jobs.list() : [],
        }),
      },
      port: opts.port,
      host: opts.host ?? SANDBOX_HOST,
    });
    undo.push(() => page.close());
    const busy = page.port !== opts.port ? ` (port ${opts.port} was busy)` : '';
    const reach = isLoopback(page.host)
      ? `listening on ${page.host} only`
      : `listening on ${page.host} (SANDBOX_HOST): anyone who can reach this machine can use it`;
    opts.log.info(
      {
        page: page.url,
        host: page.host,
        slackApi: slack.url,
        aws: aws.url,
        redis: redis ? redis.url : 'REDIS_URL',
        prefix: SANDBOX_PREFIX,
      },
      `Greenlight sandbox: open ${page.url}${busy} — no SLACK_BOT_TOKEN, so Slack and AWS are local stand-ins; ${reach}`,
    );
    if (opts.role !== undefined && opts.role !== 'all') {
      opts.log.warn(
        { role: opts.role },
        `GREENLIGHT_ROLE=${opts.role} overridden: the sandbox runs the Slack receiver and the worker in one process (role all)`,
      );
    }
    return {
      env: {
        mode: 'sandbox',
        role: 'all',
        slackBotToken: token,
        slackSigningSecret: signingSecret,
        slackApiUrl: slack.url,
        port: BOT_RECEIVER.port,
        // A free port on 127.0.0.1 (listenHost); the page passes /readyz and /metrics on to it.
        opsPort: 0,
      },
      config,
      redisUrl: opts.redisUrl ?? (redis as NonNullable<typeof redis>).url,
      listenHost: BOT_RECEIVER.host,
      prefix: SANDBOX_PREFIX,
      url: page.url,
      port: page.port,
      clock,
      attach(bot) {
        if (bot.port !== undefined) botBase = `http://127.0.0.1:${bot.port}`;
        opsBase = `http://127.0.0.1:${bot.opsPort}`;
        deps.jobs = delayedJobs(bot.queue, clock);
        return page.port;
      },
      close: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
