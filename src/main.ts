/**
 * Entry point (`npm start`, `node dist/main.js`). With SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET:
 * HTTP mode; with SLACK_APP_TOKEN too: Socket Mode; with no Slack token: the local sandbox.
 * Bad configuration is reported in full and the process exits 1 — never a stack trace.
 */

import { cloudwatchIsSimulated, type Env, readEnv } from './config/env.js';
import { formatProblems, loadConfigFile } from './config/load-config.js';
import type { GreenlightConfig } from './domain/service.js';
import { errorMessage } from './errors.js';
import type { LocalSandboxModule } from './local-sandbox.js';
import { createLogger, type Logger } from './ops/logger.js';
import { type Running, type RuntimeOptions, startRuntime } from './runtime.js';

/** A path the compiler does not follow: the sandbox stays out of `dist/`. */
const SANDBOX_MODULE = '../sandbox/sandbox.js';

function fail(title: string, problems: string[]): never {
  process.stderr.write(`greenlight: ${title}\n${formatProblems(problems)}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const parsed = readEnv(process.env);
  if (!parsed.ok) fail('invalid environment', parsed.problems);
  let env: Env = parsed.env;
  const secrets = [env.slackBotToken, env.slackSigningSecret, env.slackAppToken].filter(
    (s): s is string => !!s,
  );
  const log: Logger = createLogger({ level: env.logLevel, secrets });
  // A promise rejection nobody handled is a bug, but not a reason to drop every job in flight:
  // log it loudly and keep serving (Node's default would exit the process).
  process.on('unhandledRejection', (reason) => {
    log.error({ err: errorMessage(reason) }, 'unhandled promise rejection (a bug: please report it)');
  });

  let config: GreenlightConfig;
  let redisUrl = env.redisUrl;
  const extra: Partial<RuntimeOptions> = {};
  let closeSandbox = async () => {};
  let attachSandbox: ((bot: Running) => number) | undefined;

  if (env.mode === 'sandbox') {
    // Loaded only here: the sandbox (simulated AWS and Slack, the page) is not part of the
    // product's build (`dist/`, the image); it runs from the source tree with `npm start`.
    const { startSandbox } = (await import(SANDBOX_MODULE).catch((err: unknown) =>
      fail('the local sandbox is not part of this build', [
        `no Slack token is set, so Greenlight would start its local sandbox, which lives in the source tree (sandbox/), not in dist/ or the image: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or run \`npm start\` from a clone (${errorMessage(err)})`,
      ]),
    )) as LocalSandboxModule;
    const sandbox = await startSandbox({
      log,
      redisUrl: env.redisUrl,
      port: env.port,
      role: env.role,
      ...(env.sandboxHost ? { host: env.sandboxHost } : {}),
    });
    env = { ...env, ...sandbox.env };
    config = sandbox.config;
    redisUrl = sandbox.redisUrl;
    extra.prefix = sandbox.prefix;
    extra.listenHost = sandbox.listenHost;
    extra.drainPollMs = 500;
    extra.healthPollMs = 1_000;
    extra.clock = sandbox.clock;
    // Every sandbox start is a new dataset, and the demo keeps idle slots on purpose.
    extra.reportNewDataset = false;
    closeSandbox = sandbox.close;
    attachSandbox = sandbox.attach;
  } else {
    const loaded = loadConfigFile(env.configPath, { simulatedMetrics: cloudwatchIsSimulated(process.env) });
    if (!loaded.ok) fail(`invalid configuration in ${env.configPath}`, loaded.problems);
    config = loaded.config;
    if (!redisUrl) fail('missing setting', ['REDIS_URL: required (e.g. redis://localhost:6379)']);
  }

  let running: Running;
  try {
    running = await startRuntime({ env, config, log, redisUrl: redisUrl as string, ...extra });
  } catch (err) {
    log.error({ err: errorMessage(err) }, 'greenlight could not start');
    await closeSandbox();
    process.exit(1);
  }
  // In the sandbox PORT serves the page, which passes Slack's requests on to the bot's receiver.
  const port = attachSandbox ? attachSandbox(running) : running.port;
  log.info(
    {
      mode: env.mode,
      role: env.role,
      port,
      opsPort: running.opsPort,
      services: Object.keys(config.services),
    },
    `greenlight started in ${env.mode} mode (role ${env.role})${port ? ` on port ${port}` : ''}`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing running jobs');
    await running.close();
    await closeSandbox();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`greenlight: could not start: ${errorMessage(err)}\n`);
  process.exit(1);
});
