/**
 * One Greenlight process for multi-process runs (the crash-recovery test, the chaos run): the real
 * runtime in a child process, against the test's redis-server, local AWS endpoint and local Slack
 * Web API, told apart only by its environment:
 *   GL_TEST_ROLE (web | worker | all), GL_TEST_REDIS, GL_TEST_AWS, GL_TEST_SLACK, GL_TEST_PREFIX,
 *   GL_TEST_CONFIG (the config YAML), GL_TEST_PORT (its HTTP port: the Slack receiver or ops).
 * Prints `ready <port>` once started; SIGTERM closes it, SIGKILL is what tests use to crash it.
 */

import { localAwsClients } from '../sandbox/local-aws.js';
import { parseConfigText } from '../src/config/load-config.js';
import { createLogger } from '../src/ops/logger.js';
import { startRuntime } from '../src/runtime.js';

// The chaos run counts these: a rejection nobody handled is a bug even when the process survives.
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`UNHANDLED_REJECTION ${reason instanceof Error ? reason.stack : String(reason)}\n`);
});

const need = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const parsed = parseConfigText(need('GL_TEST_CONFIG'), undefined, { simulatedMetrics: true });
if (!parsed.ok) throw new Error(parsed.problems.join('; '));
const role = need('GL_TEST_ROLE') as 'web' | 'worker' | 'all';
const port = Number(need('GL_TEST_PORT'));
const running = await startRuntime({
  env: {
    mode: 'http',
    role,
    slackBotToken: need('GL_TEST_TOKEN'),
    slackSigningSecret: need('GL_TEST_SECRET'),
    slackApiUrl: need('GL_TEST_SLACK'),
    port,
    opsPort: 0,
    redisUrl: need('GL_TEST_REDIS'),
    configPath: '(test)',
    logLevel: 'silent',
  },
  config: parsed.config,
  log: createLogger({ level: process.env.GL_TEST_LOG ?? 'silent' }),
  redisUrl: need('GL_TEST_REDIS'),
  // GL_TEST_AWS_ATTEMPTS=3: the SDK's default retries, as production has them (the chaos run).
  aws: localAwsClients(need('GL_TEST_AWS'), { maxAttempts: Number(process.env.GL_TEST_AWS_ATTEMPTS ?? 1) }),
  prefix: need('GL_TEST_PREFIX'),
  drainPollMs: 50,
  healthPollMs: 50,
  computePollMs: 50,
  closeTimeoutMs: 1_000,
});
process.stdout.write(`ready ${running.port ?? port}\n`);
process.on('SIGTERM', () => {
  void running.close().then(() => process.exit(0));
});
