/**
 * Process environment → validated settings. Every problem is reported at once; token and secret
 * values are never echoed. Empty variables count as unset.
 */
import { isIP } from 'node:net';

export type Mode = 'http' | 'socket' | 'sandbox';
export type Role = 'all' | 'web' | 'worker';

export interface Env {
  mode: Mode;
  role: Role;
  slackBotToken?: string;
  slackSigningSecret?: string;
  slackAppToken?: string;
  /** Slack Web API base URL, always ending with `/`. */
  slackApiUrl: string;
  port: number;
  /**
   * OPS_PORT (default 9091): /readyz and /metrics, kept off the public Slack port. /healthz answers
   * on both (a load balancer in front of the Slack port may need it). (Tests and the sandbox pass
   * 0 to the runtime for a free port; the variable itself takes 1–65535.)
   */
  opsPort: number;
  redisUrl?: string;
  configPath: string;
  logLevel: string;
  /** Sandbox only: the address the sandbox page listens on (default 127.0.0.1, this machine only). */
  sandboxHost?: string;
  /**
   * GREENLIGHT_REDIS_DURABILITY=managed: Redis is durable in a way INFO does not show (ElastiCache
   * durability, MemoryDB), so `appendonly no` is not reported. noeviction is still checked.
   */
  redisDurability?: 'managed';
  /**
   * WORKER_CONCURRENCY (default 128, 1–256): jobs one worker process runs at once. Jobs wait on
   * AWS, Slack and Redis, not on the CPU, and their AWS requests are paced by the rate limiter
   * (src/aws/rate-limit.ts), so fifty cutovers at once need fifty slots, not fifty processes. A job
   * holds its slot until it ends, and a rollback waits for a free one like any job: the default
   * leaves room for a release train of 100 and the rollbacks clicked during it.
   */
  workerConcurrency?: number;
}

export const DEFAULT_WORKER_CONCURRENCY = 128;
const MAX_WORKER_CONCURRENCY = 256;

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const ROLES: readonly Role[] = ['all', 'web', 'worker'];
/** Settings only a production bot has: any of them without a bot token refuses the sandbox. */
const PRODUCTION_SETTINGS = ['GREENLIGHT_CONFIG', 'REDIS_URL', 'SLACK_SIGNING_SECRET'] as const;

function get(vars: Record<string, string | undefined>, name: string): string | undefined {
  const v = Object.hasOwn(vars, name) ? vars[name]?.trim() : undefined;
  return v === undefined || v === '' ? undefined : v;
}

/** A short, harmless rendering of a non-secret value for a problem message. */
function shown(value: string): string {
  const clean = value.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(clean.length > 60 ? `${clean.slice(0, 59)}…` : clean);
}

function token(
  problems: string[],
  name: string,
  value: string | undefined,
  prefix: string,
  what: string,
): void {
  if (value === undefined) return;
  if (!value.startsWith(prefix) || /\s/.test(value)) {
    problems.push(`${name} must be ${what} starting with ${prefix} (value not shown)`);
  }
}

function slackApiUrl(problems: string[], value: string | undefined): string {
  if (value === undefined) return DEFAULT_SLACK_API_URL;
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    problems.push(
      `SLACK_API_URL must be an http(s) URL such as ${DEFAULT_SLACK_API_URL}, got ${shown(value)}`,
    );
    return DEFAULT_SLACK_API_URL;
  }
  if (url.username || url.password) {
    problems.push('SLACK_API_URL must not contain credentials (value not shown)');
  }
  if (url.search || url.hash)
    problems.push(`SLACK_API_URL must not have a query or fragment, got ${shown(value)}`);
  const text = url.toString();
  return text.endsWith('/') ? text : `${text}/`;
}

export const DEFAULT_OPS_PORT = 9091;

function port(problems: string[], value: string | undefined, name = 'PORT', fallback = 3000): number {
  if (value === undefined) return fallback;
  const n = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= 65_535)) {
    problems.push(`${name} must be a whole number from 1 to 65535, got ${shown(value)}`);
    return fallback;
  }
  return n;
}

/** An IP address or a host name (no port, no scheme). */
function sandboxHost(problems: string[], value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (isIP(value) !== 0 || /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(value))
    return value;
  problems.push(
    `SANDBOX_HOST must be an IP address or a host name such as 127.0.0.1 or 0.0.0.0, got ${shown(value)}`,
  );
  return undefined;
}

function redisUrl(problems: string[], value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // The URL may hold a password: never echo it.
  let ok = false;
  try {
    const url = new URL(value);
    ok = (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    ok = false;
  }
  if (!ok) problems.push('REDIS_URL must be a redis:// or rediss:// URL with a host (value not shown)');
  return ok ? value : undefined;
}

export function readEnv(
  vars: Record<string, string | undefined>,
): { ok: true; env: Env } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const botToken = get(vars, 'SLACK_BOT_TOKEN');
  const signingSecret = get(vars, 'SLACK_SIGNING_SECRET');
  const appToken = get(vars, 'SLACK_APP_TOKEN');

  token(problems, 'SLACK_BOT_TOKEN', botToken, 'xoxb-', 'a bot token');
  token(problems, 'SLACK_APP_TOKEN', appToken, 'xapp-', 'an app-level token');
  if (signingSecret !== undefined && /\s/.test(signingSecret)) {
    problems.push('SLACK_SIGNING_SECRET must not contain whitespace (value not shown)');
  }

  let mode: Mode;
  if (botToken === undefined) {
    mode = 'sandbox';
    // A production deployment whose token secret did not mount must fail, not become a sandbox
    // that writes its demo data into production's Redis or answers with production's secret.
    const present = [
      get(vars, 'NODE_ENV')?.toLowerCase() === 'production' ? 'NODE_ENV=production' : '',
      ...PRODUCTION_SETTINGS.filter((name) => get(vars, name) !== undefined),
    ].filter(Boolean);
    if (present.length > 0) {
      problems.push(
        `SLACK_BOT_TOKEN is not set; ${present.join(' and ')} ${present.length > 1 ? 'are' : 'is'} set, so this is not the local sandbox: ` +
          `give the bot token (is its secret mounted?) — the sandbox only starts when none of NODE_ENV=production, ${PRODUCTION_SETTINGS.join(', ')} is set`,
      );
    }
    if (appToken !== undefined) {
      problems.push(
        'SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not: Socket Mode needs both (unset both for the sandbox)',
      );
    }
  } else if (appToken !== undefined) {
    mode = 'socket';
  } else {
    mode = 'http';
    if (signingSecret === undefined) {
      problems.push(
        'SLACK_SIGNING_SECRET is required in HTTP mode (SLACK_BOT_TOKEN is set without SLACK_APP_TOKEN); ' +
          'find it under Basic Information in the Slack app settings',
      );
    }
  }

  const apiUrl = slackApiUrl(problems, get(vars, 'SLACK_API_URL'));
  const listenPort = port(problems, get(vars, 'PORT'));
  const opsPort = port(problems, get(vars, 'OPS_PORT'), 'OPS_PORT', DEFAULT_OPS_PORT);
  if (opsPort === listenPort) {
    problems.push(
      `OPS_PORT must differ from PORT (both ${listenPort}): /readyz and /metrics stay off the Slack port`,
    );
  }
  const redis = redisUrl(problems, get(vars, 'REDIS_URL'));
  const host = mode === 'sandbox' ? sandboxHost(problems, get(vars, 'SANDBOX_HOST')) : undefined;

  const levelText = get(vars, 'LOG_LEVEL')?.toLowerCase() ?? 'info';
  if (!LOG_LEVELS.includes(levelText)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${shown(levelText)}`);
  }
  const durabilityText = get(vars, 'GREENLIGHT_REDIS_DURABILITY')?.toLowerCase();
  if (durabilityText !== undefined && durabilityText !== 'managed') {
    problems.push(
      `GREENLIGHT_REDIS_DURABILITY must be managed (or unset), got ${shown(durabilityText)}: set it only when your Redis persists every write without appendonly (ElastiCache durability, MemoryDB)`,
    );
  }
  const roleText = get(vars, 'GREENLIGHT_ROLE')?.toLowerCase() ?? 'all';
  const role = ROLES.find((r) => r === roleText);
  if (role === undefined)
    problems.push(`GREENLIGHT_ROLE must be one of ${ROLES.join(', ')}, got ${shown(roleText)}`);

  const concurrencyText = get(vars, 'WORKER_CONCURRENCY');
  const concurrency = concurrencyText === undefined ? undefined : Number(concurrencyText);
  if (
    concurrency !== undefined &&
    !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= MAX_WORKER_CONCURRENCY)
  ) {
    problems.push(
      `WORKER_CONCURRENCY must be a whole number from 1 to ${MAX_WORKER_CONCURRENCY} (jobs run at once per worker; default ${DEFAULT_WORKER_CONCURRENCY}), got ${shown(concurrencyText ?? '')}`,
    );
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    env: {
      mode,
      role: role ?? 'all',
      ...(botToken !== undefined ? { slackBotToken: botToken } : {}),
      ...(signingSecret !== undefined ? { slackSigningSecret: signingSecret } : {}),
      ...(appToken !== undefined ? { slackAppToken: appToken } : {}),
      slackApiUrl: apiUrl,
      port: listenPort,
      opsPort,
      ...(redis !== undefined ? { redisUrl: redis } : {}),
      configPath: get(vars, 'GREENLIGHT_CONFIG') ?? './greenlight.yml',
      logLevel: levelText,
      ...(host !== undefined ? { sandboxHost: host } : {}),
      ...(durabilityText === 'managed' ? { redisDurability: 'managed' as const } : {}),
      ...(concurrency !== undefined ? { workerConcurrency: concurrency } : {}),
    },
  };
}

/**
 * CloudWatch is not AWS itself (the sandbox's simulated endpoint, LocalStack): the SDK's endpoint
 * variables point elsewhere, so sub-minute traffic periods can be served.
 */
export function cloudwatchIsSimulated(vars: Record<string, string | undefined>): boolean {
  return Boolean(get(vars, 'AWS_ENDPOINT_URL_CLOUDWATCH') ?? get(vars, 'AWS_ENDPOINT_URL'));
}
