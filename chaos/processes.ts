/** Starting and crashing the Greenlight processes of chaos/bot-process.ts. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../sandbox/redis-process.js';

export interface BotProcess {
  child: ChildProcess;
  port: number;
  /** What it wrote to stderr (the last 64 KiB), and how many unhandled rejections it reported. */
  stderr(): string;
  unhandledRejections(): number;
  /** SIGKILL: no shutdown, no lock released — a crash. */
  kill(): void;
  stop(): Promise<void>;
}

export interface BotProcessEnv {
  role: 'web' | 'worker' | 'all';
  redisUrl: string;
  awsUrl: string;
  slackUrl: string;
  prefix: string;
  configYaml: string;
  token: string;
  secret: string;
  /** The HTTP port (default: a free one); a restarted web process keeps its port. */
  port?: number;
  /** Extra environment (GL_TEST_LOG, …). */
  extraEnv?: Record<string, string>;
  /** Where its stdout and stderr are appended (its logs), when given. */
  logFile?: string;
}

const SCRIPT = fileURLToPath(new URL('./bot-process.ts', import.meta.url));

export async function startBotProcess(e: BotProcessEnv): Promise<BotProcess> {
  const port = e.port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      GL_TEST_ROLE: e.role,
      GL_TEST_REDIS: e.redisUrl,
      GL_TEST_AWS: e.awsUrl,
      GL_TEST_SLACK: e.slackUrl,
      GL_TEST_PREFIX: e.prefix,
      GL_TEST_CONFIG: e.configYaml,
      GL_TEST_TOKEN: e.token,
      GL_TEST_SECRET: e.secret,
      GL_TEST_PORT: String(port),
      ...e.extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (e.logFile) {
    const out = createWriteStream(e.logFile, { flags: 'a' });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
  }
  let stderr = '';
  let unhandled = 0;
  child.stderr?.on('data', (c: Buffer) => {
    const text = c.toString();
    unhandled += text.split('UNHANDLED_REJECTION').length - 1;
    stderr = (stderr + text).slice(-65_536);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`bot process did not start: ${stderr.slice(-2000)}`)),
      60_000,
    );
    child.stdout?.on('data', (c: Buffer) => {
      if (c.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bot process exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
  return {
    child,
    port,
    stderr: () => stderr,
    unhandledRejections: () => unhandled,
    kill: () => child.kill('SIGKILL'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
