/**
 * The local sandbox: the real bot with its network endpoints pointed at local stand-ins — a
 * private redis-server (unless REDIS_URL is set), the local Slack Web API and the simulated ELBv2
 * endpoint with a demo load balancer. Nothing else in src/ knows it is in a sandbox.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Env } from '../config/env.js';
import { formatProblems, loadConfigFile } from '../config/load-config.js';
import type { GreenlightConfig } from '../config/schema.js';
import type { Logger } from '../ops/logger.js';
import { demoState } from './fake-elb/demo.js';
import { startFakeElb } from './fake-elb/server.js';
import { startFakeSlackApi } from './fake-slack-api.js';
import { startRedis } from './redis-process.js';

export const SANDBOX_CONFIG = fileURLToPath(new URL('../../sandbox/greenlight.sandbox.yml', import.meta.url));
export const SANDBOX_USERS = {
  requester: 'U0REQUESTER',
  approver: 'U0APPROVER',
  sre: 'U0SREMEMBER',
  stranger: 'U0STRANGER',
};

/** The real SDK client, pointed at a local ELBv2 endpoint (dummy credentials, no retries). */
export function localElbClient(endpoint: string): ElasticLoadBalancingV2Client {
  return new ElasticLoadBalancingV2Client({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCALSANDBOX', secretAccessKey: 'local-sandbox' },
    maxAttempts: 1,
  });
}

export interface Sandbox {
  env: Pick<Env, 'slackBotToken' | 'slackSigningSecret' | 'slackApiUrl' | 'mode'>;
  config: GreenlightConfig;
  redisUrl: string;
  elbClient: ElasticLoadBalancingV2Client;
  close(): Promise<void>;
}

export async function startSandbox(opts: { log: Logger; redisUrl?: string; port: number }): Promise<Sandbox> {
  const loaded = loadConfigFile(SANDBOX_CONFIG);
  if (!loaded.ok) throw new Error(`sandbox config is invalid:\n${formatProblems(loaded.problems)}`);
  const token = `xoxb-sandbox-${randomBytes(6).toString('hex')}`;
  const signingSecret = randomBytes(16).toString('hex');

  const redis = opts.redisUrl ? undefined : await startRedis();
  const slack = await startFakeSlackApi({ token, host: '127.0.0.1' });
  slack.setUsergroupMembers('S0SRE', [SANDBOX_USERS.sre]);
  const elb = await startFakeElb({ state: demoState(), host: '127.0.0.1' });
  opts.log.info(
    { slackApi: slack.url, elb: elb.url, redis: redis ? redis.url : 'REDIS_URL' },
    `Greenlight sandbox: no SLACK_BOT_TOKEN, so Slack and AWS are local stand-ins; the bot listens on http://localhost:${opts.port}/slack/events`,
  );

  return {
    env: { mode: 'sandbox', slackBotToken: token, slackSigningSecret: signingSecret, slackApiUrl: slack.url },
    config: loaded.config,
    redisUrl: opts.redisUrl ?? (redis as NonNullable<typeof redis>).url,
    elbClient: localElbClient(elb.url),
    async close() {
      await elb.close();
      await slack.close();
      await redis?.stop();
    },
  };
}
