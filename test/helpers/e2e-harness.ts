/**
 * End-to-end rig: a real redis-server, the local Slack Web API, the simulated ELBv2 endpoint
 * (reached through the real AWS SDK), and Greenlight's real runtime with its HTTP receiver.
 * Tests talk to the bot only as Slack does: signed POSTs to /slack/events.
 */
import { randomBytes } from 'node:crypto';
import { type FakeSlackApi, startFakeSlackApi } from '../../sandbox/fake-slack-api.js';
import { type LocalAws, startLocalAws } from '../../sandbox/local-aws.js';
import type { Env } from '../../src/config/env.js';
import { parseConfigText } from '../../src/config/load-config.js';
import type { Deployment } from '../../src/domain/deployment.js';
import type { GreenlightConfig } from '../../src/domain/service.js';
import type { State } from '../../src/domain/states.js';
import { createLogger } from '../../src/ops/logger.js';
import { type Running, type RuntimeOptions, startRuntime } from '../../src/runtime.js';
import { demoServiceYaml } from './demo-service-yaml.js';
import { freePort, type RedisProcess, startRedis } from './redis-server.js';
import { blockActionBody, postToSlackEndpoint, slashCommandBody } from './slack-requests.js';
import { waitUntil } from './wait.js';

export const USERS = {
  requester: 'U0REQUESTER',
  approver: 'U0APPROVER',
  sre: 'U0SREMEMBER',
  stranger: 'U0STRANGER',
};
export const CHANNEL = 'C0CHECKOUT';
export const SIGNING_SECRET = 'e2e-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-e2e-0000-test-token';

export interface Timings {
  soak: string;
  remindBefore: string;
  approvalTimeout: string;
  verifyWindow: string;
}

export const FAST: Timings = { soak: '4s', remindBefore: '2s', approvalTimeout: '30s', verifyWindow: '8s' };

/** CloudWatch period of the synthetic traffic in end-to-end tests (real ALB metrics: 60 s). */
export const PERIOD_MS = 1000;
/**
 * AWS's own durations in end-to-end tests, scaled: 5 health checks × 30 s take 1.5 s, the demo's
 * 30 s deregistration delay 0.3 s.
 */
export const AWS_TIME_SCALE = 0.01;

/** The config file the e2e tests use, as YAML: it goes through the real loader. */
export function e2eConfigYaml(
  t: Timings = FAST,
  checkoutExtra: string[] = [],
  extraServices: string[] = [],
): string {
  return [
    'defaults:',
    `  soak: ${t.soak}`,
    `  remindBefore: ${t.remindBefore}`,
    `  approvalTimeout: ${t.approvalTimeout}`,
    `  verifyWindow: ${t.verifyWindow}`,
    'services:',
    ...demoServiceYaml({
      name: 'checkout',
      channel: CHANNEL,
      users: [USERS.approver],
      usergroups: ['S0SRE'],
    }),
    '    allowSelfApproval: false',
    '    traffic:',
    `      period: ${PERIOD_MS}ms`,
    '      pollInterval: 200ms',
    ...checkoutExtra.map((l) => `    ${l}`),
    ...extraServices,
    '',
  ].join('\n');
}

export function e2eConfig(
  t: Timings = FAST,
  checkoutExtra: string[] = [],
  extraServices: string[] = [],
): GreenlightConfig {
  const parsed = parseConfigText(e2eConfigYaml(t, checkoutExtra, extraServices), undefined, {
    simulatedMetrics: true,
  });
  if (!parsed.ok) throw new Error(`e2e config invalid: ${parsed.problems.join('; ')}`);
  return parsed.config;
}

export interface Rig {
  redis: RedisProcess;
  slack: FakeSlackApi;
  aws: LocalAws;
  bot: Running;
  url: string;
  /** The ops port's base URL (/healthz, /readyz, /metrics). */
  opsUrl: string;
  slash(text: string, user: string, channel?: string): Promise<{ status: number; text: string }>;
  click(actionId: string, value: string, user: string): Promise<{ status: number; text: string }>;
  waitForState(id: string, state: State, timeoutMs?: number): Promise<Deployment>;
  latest(): Promise<Deployment>;
  close(): Promise<void>;
}

export interface RigOptions {
  timings?: Timings;
  redis?: RedisProcess;
  /** YAML lines added to the checkout service (indented relative to it). */
  checkout?: string[];
  /** YAML lines of further services (already indented under `services:`). */
  services?: string[];
  /** Runtime options that differ from the rig's (check intervals, say). */
  runtime?: Partial<Pick<RuntimeOptions, 'redisCheckMs' | 'forgottenScanMs' | 'redisLossHoldMs'>>;
}

export async function startRig(opts: RigOptions = {}): Promise<Rig> {
  const redis = opts.redis ?? (await startRedis());
  const slack = await startFakeSlackApi({ token: BOT_TOKEN });
  slack.setUsergroupMembers('S0SRE', [USERS.sre]);
  const aws = await startLocalAws({ periodMs: PERIOD_MS, tickMs: 50, timeScale: AWS_TIME_SCALE });
  const port = await freePort();
  const env: Env = {
    mode: 'http',
    role: 'all',
    slackBotToken: BOT_TOKEN,
    slackSigningSecret: SIGNING_SECRET,
    slackApiUrl: slack.url,
    port,
    opsPort: 0,
    redisUrl: redis.url,
    configPath: '(e2e)',
    logLevel: 'silent',
  };
  const bot = await startRuntime({
    env,
    config: e2eConfig(opts.timings, opts.checkout, opts.services),
    log: createLogger({ level: process.env.E2E_LOG_LEVEL ?? 'silent' }),
    redisUrl: redis.url,
    aws: aws.clients,
    computePollMs: 50,
    closeTimeoutMs: 1_000,
    prefix: `e2e${randomBytes(3).toString('hex')}`,
    drainPollMs: 50,
    healthPollMs: 50,
    ...opts.runtime,
  });
  const url = `http://127.0.0.1:${bot.port}/slack/events`;

  const rig: Rig = {
    redis,
    slack,
    aws,
    bot,
    url,
    opsUrl: `http://127.0.0.1:${bot.opsPort}`,
    slash: (text, user, channel = CHANNEL) =>
      postToSlackEndpoint(
        url,
        slashCommandBody({ text, userId: user, channelId: channel, responseUrl: slack.responseUrl() }),
        { signingSecret: SIGNING_SECRET },
      ),
    click: (actionId, value, user) =>
      postToSlackEndpoint(
        url,
        blockActionBody({
          actionId,
          value,
          userId: user,
          channelId: CHANNEL,
          messageTs: '1.000',
          responseUrl: slack.responseUrl(),
        }),
        { signingSecret: SIGNING_SECRET },
      ),
    waitForState: (id, state, timeoutMs = 15_000) =>
      waitUntil(
        async () => {
          const d = await bot.store.get(id);
          return d?.state === state ? d : undefined;
        },
        {
          timeoutMs,
          what: `deployment ${id} to reach ${state}`,
          last: async () => (await bot.store.get(id))?.state,
        },
      ),
    latest: async () => {
      const [d] = await bot.store.listByService('checkout', 1);
      if (!d) throw new Error('no deployment recorded');
      return d;
    },
    close: async () => {
      await bot.close();
      await aws.close();
      await slack.close();
      if (!opts.redis) await redis.stop();
    },
  };
  return rig;
}
