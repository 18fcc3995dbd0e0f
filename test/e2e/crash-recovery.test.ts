/**
 * A worker SIGKILLed in the middle of a cutover — the listener's default action switched, its rule
 * not — and another worker process started: the same deployment's cutover resumes, takes over its
 * own forward lock at once, and finishes the switch. Real processes, real redis-server, the local
 * AWS endpoint over HTTP. The time from the kill to a consistent load balancer is printed (a
 * figure, not an assertion: the target is about 15 s after a worker is available).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type BotProcess, startBotProcess } from '../../chaos/processes.js';
import { DEMO } from '../../sandbox/fake-elb/demo.js';
import { type FakeSlackApi, startFakeSlackApi } from '../../sandbox/fake-slack-api.js';
import { type LocalAws, startLocalAws } from '../../sandbox/local-aws.js';
import { parseConfigText } from '../../src/config/load-config.js';
import { createLogger } from '../../src/ops/logger.js';
import { type Running, startRuntime } from '../../src/runtime.js';
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

let redis: RedisProcess;
let aws: LocalAws;
let slack: FakeSlackApi;
let web: Running;
const workers: BotProcess[] = [];

afterEach(async () => {
  for (const w of workers) await w.stop();
  workers.length = 0;
  await web?.close();
  await aws?.close();
  await slack?.close();
  await redis?.stop();
});

describe('a worker killed mid-cutover', () => {
  it('is replaced by another that finishes the same switch: every forward ends on green, once', async () => {
    redis = await startRedis({ appendonly: true });
    aws = await startLocalAws({ periodMs: PERIOD_MS, tickMs: 50, timeScale: AWS_TIME_SCALE });
    // A second forward of checkout on the same listener: the switch takes two Modify calls.
    const rule = aws.elb.addRule({
      listenerArn: DEMO.checkout.listenerArn,
      priority: 20,
      actions: [{ Type: 'forward', TargetGroupArn: DEMO.checkout.blueArn }],
      conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/checkout*'] } }],
    });
    slack = await startFakeSlackApi({ token: BOT_TOKEN });
    const configYaml = e2eConfigYaml({
      soak: '1h',
      remindBefore: '10m',
      approvalTimeout: '5m',
      verifyWindow: '20s',
    });
    const parsed = parseConfigText(configYaml, undefined, { simulatedMetrics: true });
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    const prefix = 'crash1';
    const port = await freePort();
    web = await startRuntime({
      env: {
        mode: 'http',
        role: 'web',
        slackBotToken: BOT_TOKEN,
        slackSigningSecret: SIGNING_SECRET,
        slackApiUrl: slack.url,
        port,
        opsPort: 0,
        redisUrl: redis.url,
        configPath: '(test)',
        logLevel: 'silent',
      },
      config: parsed.config,
      log: createLogger({ level: 'silent' }),
      redisUrl: redis.url,
      aws: aws.clients,
      prefix,
    });
    const url = `http://127.0.0.1:${web.port}/slack/events`;
    const worker = () =>
      startBotProcess({
        role: 'worker',
        redisUrl: redis.url,
        awsUrl: aws.url,
        slackUrl: slack.url,
        prefix,
        configYaml,
        token: BOT_TOKEN,
        secret: SIGNING_SECRET,
      });
    const first = await worker();
    workers.push(first);

    await postToSlackEndpoint(
      url,
      slashCommandBody({
        text: 'checkout green',
        userId: USERS.requester,
        channelId: 'C0CHECKOUT',
        responseUrl: slack.responseUrl(),
      }),
      { signingSecret: SIGNING_SECRET },
    );
    const [d] = await web.store.listByService('checkout', 1);
    const id = d?.id as string;
    const approve = await waitUntil(() => latestButton(slack, 'gl_approve'), {
      timeoutMs: 30_000,
      what: 'Approve',
    });
    // The rule's ModifyRule will hang: the worker dies with the default action switched, the rule not.
    aws.elb.hangNext('ModifyRule', 60_000);
    await postToSlackEndpoint(
      url,
      blockActionBody({
        actionId: 'gl_approve',
        value: approve.value,
        userId: USERS.approver,
        channelId: 'C0CHECKOUT',
        messageTs: '1.000',
        responseUrl: slack.responseUrl(),
      }),
      { signingSecret: SIGNING_SECRET },
    );
    await waitUntil(() => aws.elb.weightsOf(DEMO.checkout.listenerArn)[DEMO.checkout.greenArn] === 1, {
      timeoutMs: 30_000,
      what: 'the default action to be switched',
    });
    // The hang was taken: the ModifyRule call is in flight (it is recorded when it is answered).
    await waitUntil(() => aws.elb.hangs.length === 0, { what: 'the hanging ModifyRule' });
    first.kill();
    const killedAt = Date.now();
    // Split: the default action on green, the rule still on blue.
    expect(aws.elb.weightsOf(rule)).toEqual({ [DEMO.checkout.blueArn]: 1 });

    const second = await worker();
    workers.push(second);
    const availableAt = Date.now();
    const done = await waitUntil(
      async () => {
        const cur = await web.store.get(id);
        const consistent = aws.elb.weightsOf(rule)[DEMO.checkout.greenArn] === 1;
        return consistent && (cur?.state === 'verifying' || cur?.state === 'soaking') ? cur : undefined;
      },
      { timeoutMs: 90_000, what: 'the switch to finish on the second worker' },
    );
    const consistentAt = Date.now();
    console.log(
      `crash recovery: ${((consistentAt - killedAt) / 1000).toFixed(1)} s from SIGKILL to every forward on green ` +
        `(${((consistentAt - availableAt) / 1000).toFixed(1)} s after the second worker was up)`,
    );
    expect(aws.elb.weightsOf(DEMO.checkout.listenerArn)).toEqual({ [DEMO.checkout.greenArn]: 1 });
    expect(done.history.filter((h) => h.event === 'cutover_succeeded')).toHaveLength(1);
    expect(done.history.some((h) => h.event === 'cutover_failed')).toBe(false);
  });
});
