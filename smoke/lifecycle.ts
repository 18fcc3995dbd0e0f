/**
 * The smoke's lifecycle through Greenlight's real runtime (the same code production runs): a
 * private redis-server, the local Slack Web API standing in for Slack (the smoke has no Slack
 * workspace), signed requests to the real Bolt receiver — and the AWS account the clients point
 * at. deploy green → verify → Rollback → deploy green again → Tear down now.
 */
import { randomBytes } from 'node:crypto';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { startFakeSlackApi } from '../sandbox/fake-slack-api.js';
import { freePort, startRedis } from '../sandbox/redis-process.js';
import { blockActionsForm, postToSlackEndpoint, slashCommandForm } from '../sandbox/slack-payloads.js';
import { parseConfigText } from '../src/config/load-config.js';
import type { Deployment } from '../src/domain/deployment.js';
import type { State } from '../src/domain/states.js';
import { renderReason } from '../src/messages/reasons.js';
import { createLogger } from '../src/ops/logger.js';
import { startRuntime } from '../src/runtime.js';
import type { Stack } from './stack.js';

export interface LifecycleTimings {
  /** CloudWatch period of the verification (60 s against real ALB metrics). */
  period: string;
  pollInterval: string;
  verifyWindow: string;
  soak: string;
  remindBefore: string;
  /** How long to wait for each state. */
  stepTimeoutMs: number;
  /** Polls of the bot's jobs (health, drain). */
  jobPollMs: number;
  /** The endpoint is simulated (the smoke's own test): sub-minute periods are allowed. */
  simulatedMetrics?: boolean;
}

export interface Step {
  step: string;
  state: State;
  ms: number;
  note?: string;
}

const CHANNEL = 'C0SMOKE';
const REQUESTER = 'U0SMOKEREQ';
const APPROVER = 'U0SMOKEAPP';
const TOKEN = 'xoxb-smoke-local';
const SECRET = randomBytes(16).toString('hex');

function configYaml(stack: Stack, t: LifecycleTimings): string {
  return [
    'defaults:',
    `  soak: ${t.soak}`,
    `  remindBefore: ${t.remindBefore}`,
    '  approvalTimeout: 10m',
    `  verifyWindow: ${t.verifyWindow}`,
    'services:',
    '  smoke:',
    `    channel: ${CHANNEL}`,
    `    listeners: [${stack.listenerArn}]`,
    `    slots: { blue: ${stack.blueArn}, green: ${stack.greenArn} }`,
    `    approvers: { users: [${APPROVER}] }`,
    `    traffic: { period: ${t.period}, pollInterval: ${t.pollInterval} }`,
    '    gates: { maxErrorRate: 0.5, autoRollback: false }',
    '',
  ].join('\n');
}

/** The value of the newest button with this action id the bot has sent. */
function latestButton(calls: { method: string; args: Record<string, unknown> }[], actionId: string) {
  for (const c of [...calls].reverse()) {
    const blocks = c.args['blocks'];
    const text = typeof blocks === 'string' ? blocks : JSON.stringify(blocks ?? []);
    const m = new RegExp(`"action_id":"${actionId}"[^}]*?"value":"((?:[^"\\\\]|\\\\.)*)"`).exec(text);
    if (m?.[1]) return JSON.parse(`"${m[1]}"`) as string;
  }
  return undefined;
}

export async function runLifecycle(
  clients: { elb: ElasticLoadBalancingV2Client; cloudwatch: CloudWatchClient },
  stack: Stack,
  t: LifecycleTimings,
  say: (line: string) => void,
): Promise<Step[]> {
  const parsed = parseConfigText(configYaml(stack, t), undefined, {
    simulatedMetrics: t.simulatedMetrics === true,
  });
  if (!parsed.ok) throw new Error(`smoke config: ${parsed.problems.join('; ')}`);
  const redis = await startRedis();
  const slack = await startFakeSlackApi({ token: TOKEN, host: '127.0.0.1' });
  const port = await freePort();
  const bot = await startRuntime({
    env: {
      mode: 'http',
      role: 'all',
      slackBotToken: TOKEN,
      slackSigningSecret: SECRET,
      slackApiUrl: slack.url,
      port,
      opsPort: 0,
      redisUrl: redis.url,
      configPath: '(smoke)',
      logLevel: 'warn',
    },
    config: parsed.config,
    log: createLogger({ level: process.env.SMOKE_LOG_LEVEL ?? 'warn' }),
    redisUrl: redis.url,
    aws: clients,
    listenHost: '127.0.0.1',
    prefix: 'glsmoke',
    drainPollMs: t.jobPollMs,
    healthPollMs: t.jobPollMs,
    computePollMs: t.jobPollMs,
  });
  const url = `http://127.0.0.1:${bot.port}/slack/events`;
  const steps: Step[] = [];
  const started = Date.now();
  const latest = async () => (await bot.store.listByService('smoke', 1))[0] as Deployment;
  const waitFor = async (id: string, want: State[]): Promise<Deployment> => {
    const deadline = Date.now() + t.stepTimeoutMs;
    for (;;) {
      const d = await bot.store.get(id);
      if (d && want.includes(d.state)) return d;
      if (Date.now() > deadline)
        throw new Error(`deployment ${id} did not reach ${want.join('/')} (is ${d?.state})`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  const record = (step: string, d: Deployment, note?: string) => {
    steps.push({ step, state: d.state, ms: Date.now() - started, ...(note ? { note } : {}) });
    say(`${step}: ${d.state}${note ? ` (${note})` : ''}`);
  };
  const slash = (text: string) =>
    postToSlackEndpoint(
      url,
      slashCommandForm({ text, userId: REQUESTER, channelId: CHANNEL, responseUrl: slack.responseUrl() }),
      { signingSecret: SECRET },
    );
  const click = async (actionId: string, user: string) => {
    const value = latestButton(slack.calls, actionId);
    if (!value) throw new Error(`no ${actionId} button was posted`);
    await postToSlackEndpoint(
      url,
      blockActionsForm({
        actionId,
        value,
        userId: user,
        channelId: CHANNEL,
        messageTs: '1.000',
        responseUrl: slack.responseUrl(),
      }),
      { signingSecret: SECRET },
    );
  };
  const deploy = async (label: string) => {
    await slash('smoke green');
    const d = await latest();
    record(`${label}: precheck`, await waitFor(d.id, ['awaiting_approval', 'blocked']));
    await click('gl_approve', APPROVER);
    const verified = await waitFor(d.id, ['soaking', 'failed']);
    record(
      `${label}: cutover + verification`,
      verified,
      verified.reason ? renderReason(verified.reason) : undefined,
    );
    return verified;
  };
  try {
    const first = await deploy('deploy green');
    if (first.state === 'soaking') {
      await click('gl_rollback', REQUESTER);
      record('rollback', await waitFor(first.id, ['rolled_back', 'failed']));
    }
    const second = await deploy('deploy green again');
    if (second.state === 'soaking') {
      await click('gl_teardown_now', APPROVER);
      const done = await waitFor(second.id, ['done', 'failed']);
      record(
        'teardown',
        done,
        done.drain ? `drained in ${Math.round(done.drain.drainMs / 1000)}s` : undefined,
      );
    }
    return steps;
  } finally {
    await bot.close();
    await slack.close();
    await redis.stop();
  }
}
