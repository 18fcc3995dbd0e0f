/**
 * The bot is a real child process (`tsx src/main.ts`, production HTTP mode, config file, AWS via
 * AWS_ENDPOINT_URL). It is SIGKILLed during the soak and started again: the teardown, a delayed
 * job in Redis, must still run at its time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../sandbox/fake-elb/demo.js';
import { type FakeSlackApi, startFakeSlackApi } from '../../sandbox/fake-slack-api.js';
import { type LocalAws, startLocalAws } from '../../sandbox/local-aws.js';
import { DeploymentStore } from '../../src/store/deployment-store.js';
import {
  AWS_TIME_SCALE,
  BOT_TOKEN,
  e2eConfigYaml,
  PERIOD_MS,
  SIGNING_SECRET,
  USERS,
} from '../helpers/e2e-harness.js';
import { freePort, type RedisProcess, startRedis } from '../helpers/redis-server.js';
import { latestButton } from '../helpers/slack-inspect.js';
import { blockActionBody, postToSlackEndpoint, slashCommandBody } from '../helpers/slack-requests.js';
import { waitUntil } from '../helpers/wait.js';

const repoRoot = new URL('../../', import.meta.url).pathname;

describe('a bot process killed during the soak', () => {
  let redis: RedisProcess;
  let slack: FakeSlackApi;
  let aws: LocalAws;
  let port: number;
  let opsPort: number;
  let configPath: string;
  let bot: ChildProcess | undefined;
  let logs = '';

  const startBot = async () => {
    const child = spawn(join(repoRoot, 'node_modules/.bin/tsx'), ['src/main.ts'], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.url,
        PORT: String(port),
        OPS_PORT: String(opsPort),
        REDIS_URL: redis.url,
        GREENLIGHT_CONFIG: configPath,
        LOG_LEVEL: 'info',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: aws.url,
        AWS_ACCESS_KEY_ID: 'AKIDRESTART',
        AWS_SECRET_ACCESS_KEY: 'restart-secret',
        AWS_MAX_ATTEMPTS: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (b: Buffer) => {
      logs += b.toString();
    });
    child.stderr?.on('data', (b: Buffer) => {
      logs += b.toString();
    });
    bot = child;
    await waitUntil(
      async () => {
        const res = await fetch(`http://127.0.0.1:${opsPort}/readyz`).catch(() => undefined);
        return res?.status === 200;
      },
      { timeoutMs: 30_000, what: 'the bot to be ready', last: () => logs.slice(-2000) },
    );
  };

  beforeAll(async () => {
    redis = await startRedis({ appendonly: true });
    slack = await startFakeSlackApi({ token: BOT_TOKEN });
    aws = await startLocalAws({ periodMs: PERIOD_MS, tickMs: 50, timeScale: AWS_TIME_SCALE });
    port = await freePort();
    opsPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'greenlight-restart-'));
    configPath = join(dir, 'greenlight.yml');
    writeFileSync(
      configPath,
      e2eConfigYaml({ soak: '8s', remindBefore: '2s', approvalTimeout: '1m', verifyWindow: '5s' }),
    );
  });
  afterAll(async () => {
    bot?.kill('SIGKILL');
    await aws?.close();
    await slack?.close();
    await redis?.stop();
  });

  it('still tears blue down on time after a SIGKILL and restart', async () => {
    await startBot();
    const url = `http://127.0.0.1:${port}/slack/events`;
    const slash = slashCommandBody({
      text: 'checkout green',
      userId: USERS.requester,
      channelId: 'C0CHECKOUT',
      responseUrl: slack.responseUrl(),
    });
    expect((await postToSlackEndpoint(url, slash, { signingSecret: SIGNING_SECRET })).status).toBe(200);
    const approve = await waitUntil(() => latestButton(slack, 'gl_approve'), { what: 'the Approve button' });
    const click = blockActionBody({
      actionId: 'gl_approve',
      value: approve.value,
      userId: USERS.approver,
      channelId: 'C0CHECKOUT',
      messageTs: '1.000',
      responseUrl: slack.responseUrl(),
    });
    await postToSlackEndpoint(url, click, { signingSecret: SIGNING_SECRET });

    const reader = new Redis(redis.url);
    const store = new DeploymentStore(reader, { prefix: 'gl:' });
    const soaking = await waitUntil(
      async () => {
        const [d] = await store.listByService('checkout', 1);
        return d?.state === 'soaking' ? d : undefined;
      },
      { what: 'the soak to start', last: () => logs.slice(-2000) },
    );

    bot?.kill('SIGKILL');
    await new Promise((r) => bot?.once('exit', r));
    await startBot();

    const done = await waitUntil(
      async () => {
        const d = await store.get(soaking.id);
        return d?.state === 'done' ? d : undefined;
      },
      { timeoutMs: 30_000, what: 'the teardown after the restart', last: () => logs.slice(-2000) },
    );
    reader.disconnect();
    expect(done.teardownStartedAt).toBeGreaterThanOrEqual(soaking.teardownAt as number);
    // On time: it started within a few seconds of its deadline, not after a manual nudge.
    expect((done.teardownStartedAt as number) - (soaking.teardownAt as number)).toBeLessThan(5_000);
    expect(aws.elb.targetsOf(DEMO.checkout.blueArn)).toHaveLength(0);
    expect(logs).not.toContain(BOT_TOKEN);
    expect(logs).not.toContain(SIGNING_SECRET);
  });
});
