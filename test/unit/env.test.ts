import { describe, expect, it } from 'vitest';
import { cloudwatchIsSimulated, type Env, readEnv } from '../../src/config/env.js';

const BOT = 'xoxb-1111-2222-SECRETBOT';
const APP = 'xapp-1-A1-3333-SECRETAPP';
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

function ok(vars: Record<string, string | undefined>): Env {
  const r = readEnv(vars);
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.env;
}

function problems(vars: Record<string, string | undefined>): string[] {
  const r = readEnv(vars);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.problems;
}

describe('readEnv: modes', () => {
  it('starts the sandbox with defaults when no Slack token is set', () => {
    expect(ok({})).toEqual({
      mode: 'sandbox',
      role: 'all',
      slackApiUrl: 'https://slack.com/api/',
      port: 3000,
      opsPort: 9091,
      configPath: './greenlight.yml',
      logLevel: 'info',
    });
  });

  it('reads OPS_PORT, and refuses it on the Slack port', () => {
    expect(ok({ OPS_PORT: '9100' }).opsPort).toBe(9100);
    expect(problems({ PORT: '8080', OPS_PORT: '8080' })).toEqual([
      'OPS_PORT must differ from PORT (both 8080): /readyz and /metrics stay off the Slack port',
    ]);
    expect(problems({ OPS_PORT: 'x' })[0]).toMatch(/^OPS_PORT must be a whole number/);
  });

  it.each([
    ['http', { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET }],
    ['socket', { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP }],
    ['socket', { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, SLACK_SIGNING_SECRET: SECRET }],
    ['sandbox', { SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '' }],
  ] as const)('chooses %s mode for %j', (mode, vars) => {
    expect(ok(vars).mode).toBe(mode);
  });

  it('keeps the tokens it was given', () => {
    expect(ok({ SLACK_BOT_TOKEN: ` ${BOT}\n`, SLACK_APP_TOKEN: APP })).toMatchObject({
      slackBotToken: BOT,
      slackAppToken: APP,
    });
  });
});

describe('readEnv: settings', () => {
  it.each([
    [{ SLACK_API_URL: 'http://localhost:4010' }, { slackApiUrl: 'http://localhost:4010/' }],
    [{ SLACK_API_URL: 'http://127.0.0.1:4010/api' }, { slackApiUrl: 'http://127.0.0.1:4010/api/' }],
    [{ SLACK_API_URL: 'https://slack.com/api/' }, { slackApiUrl: 'https://slack.com/api/' }],
    [{ PORT: '8080' }, { port: 8080 }],
    [{ PORT: '1' }, { port: 1 }],
    [{ PORT: '65535' }, { port: 65535 }],
    [
      { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET, REDIS_URL: 'redis://localhost:6379' },
      { redisUrl: 'redis://localhost:6379' },
    ],
    [
      {
        SLACK_BOT_TOKEN: BOT,
        SLACK_SIGNING_SECRET: SECRET,
        REDIS_URL: 'rediss://:pw@cache.example.com:6380/2',
      },
      { redisUrl: 'rediss://:pw@cache.example.com:6380/2' },
    ],
    [
      { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET, GREENLIGHT_CONFIG: '/etc/greenlight.yml' },
      { configPath: '/etc/greenlight.yml' },
    ],
    [{ SANDBOX_HOST: '0.0.0.0' }, { mode: 'sandbox', sandboxHost: '0.0.0.0' }],
    [{ SANDBOX_HOST: '::1' }, { sandboxHost: '::1' }],
    [{ SANDBOX_HOST: 'devbox.local' }, { sandboxHost: 'devbox.local' }],
    [{ LOG_LEVEL: 'DEBUG' }, { logLevel: 'debug' }],
    [{ LOG_LEVEL: 'silent' }, { logLevel: 'silent' }],
    [{ GREENLIGHT_ROLE: 'worker' }, { role: 'worker' }],
    [{ GREENLIGHT_ROLE: 'Web' }, { role: 'web' }],
    [{ WORKER_CONCURRENCY: '64' }, { workerConcurrency: 64 }],
    [
      { PORT: '', LOG_LEVEL: ' ', GREENLIGHT_ROLE: '' },
      { port: 3000, logLevel: 'info', role: 'all' },
    ],
  ])('reads %j', (vars, expected) => {
    expect(ok(vars)).toMatchObject(expected);
  });
});

describe('readEnv: the sandbox never starts in place of a production bot', () => {
  const refusal =
    'the sandbox only starts when none of NODE_ENV=production, GREENLIGHT_CONFIG, REDIS_URL, SLACK_SIGNING_SECRET is set';

  it.each([
    ['NODE_ENV=production', { NODE_ENV: 'production' }],
    [
      'NODE_ENV=production and SLACK_SIGNING_SECRET',
      { NODE_ENV: ' Production ', SLACK_SIGNING_SECRET: SECRET },
    ],
    ['GREENLIGHT_CONFIG', { GREENLIGHT_CONFIG: '/etc/greenlight.yml' }],
    ['NODE_ENV=production and GREENLIGHT_CONFIG', { NODE_ENV: 'production', GREENLIGHT_CONFIG: 'g.yml' }],
    ['REDIS_URL', { REDIS_URL: 'redis://prod-cache.internal:6379' }],
    ['SLACK_SIGNING_SECRET', { SLACK_SIGNING_SECRET: SECRET }],
  ])('refuses to start the sandbox without SLACK_BOT_TOKEN when %s is set', (why, vars) => {
    const [problem] = problems(vars);
    expect(problem).toMatch(new RegExp(`^SLACK_BOT_TOKEN is not set; ${why} (is|are) set`));
    expect(problem).toContain(refusal);
  });

  it('starts the sandbox under other NODE_ENV values and with an empty GREENLIGHT_CONFIG', () => {
    expect(ok({ NODE_ENV: 'development' }).mode).toBe('sandbox');
    expect(ok({ NODE_ENV: 'test', GREENLIGHT_CONFIG: ' ' }).mode).toBe('sandbox');
  });

  it('runs the bot in production when the token is there', () => {
    expect(
      ok({
        NODE_ENV: 'production',
        GREENLIGHT_CONFIG: '/etc/g.yml',
        SLACK_BOT_TOKEN: BOT,
        SLACK_SIGNING_SECRET: SECRET,
      }).mode,
    ).toBe('http');
  });

  it('reads SANDBOX_HOST only for the sandbox', () => {
    expect(
      ok({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET, SANDBOX_HOST: 'bad host' }),
    ).not.toHaveProperty('sandboxHost');
  });
});

describe('readEnv: problems', () => {
  it.each([
    [{ SLACK_BOT_TOKEN: BOT }, 'SLACK_SIGNING_SECRET is required in HTTP mode'],
    [
      { SLACK_BOT_TOKEN: 'xoxp-user-SECRETUSER', SLACK_SIGNING_SECRET: SECRET },
      'SLACK_BOT_TOKEN must be a bot token starting with xoxb-',
    ],
    [
      { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: 'xoxb-SECRETWRONG' },
      'SLACK_APP_TOKEN must be an app-level token starting with xapp-',
    ],
    [{ SLACK_APP_TOKEN: APP }, 'SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not'],
    [{ SLACK_API_URL: 'ftp://slack.example' }, 'SLACK_API_URL must be an http(s) URL'],
    [{ SLACK_API_URL: 'slack.com/api' }, 'SLACK_API_URL must be an http(s) URL'],
    [{ SLACK_API_URL: 'https://slack.com/api?x=1' }, 'SLACK_API_URL must not have a query'],
    [{ PORT: '0' }, 'PORT must be a whole number from 1 to 65535, got "0"'],
    [{ PORT: '65536' }, 'PORT must be a whole number from 1 to 65535'],
    [{ PORT: '3000abc' }, 'PORT must be a whole number'],
    [{ PORT: '-1' }, 'PORT must be a whole number'],
    [{ PORT: '80.5' }, 'PORT must be a whole number'],
    [
      { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET, REDIS_URL: 'http://localhost:6379' },
      'REDIS_URL must be a redis:// or rediss:// URL',
    ],
    [
      { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET, REDIS_URL: 'localhost:6379' },
      'REDIS_URL must be a redis:// or rediss:// URL',
    ],
    [
      { LOG_LEVEL: 'verbose' },
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"',
    ],
    [{ GREENLIGHT_ROLE: 'both' }, 'GREENLIGHT_ROLE must be one of all, web, worker, got "both"'],
    [{ WORKER_CONCURRENCY: '0' }, 'WORKER_CONCURRENCY must be a whole number from 1 to 256'],
    [{ WORKER_CONCURRENCY: '2.5' }, 'WORKER_CONCURRENCY must be a whole number from 1 to 256'],
    [{ WORKER_CONCURRENCY: 'lots' }, 'got "lots"'],
    [{ SANDBOX_HOST: 'http://0.0.0.0:3000' }, 'SANDBOX_HOST must be an IP address or a host name'],
    [{ SANDBOX_HOST: 'two words' }, 'SANDBOX_HOST must be an IP address or a host name'],
  ])('reports %j', (vars, expected) => {
    expect(problems(vars)).toEqual([expect.stringContaining(expected)]);
  });

  it('reports every problem at once', () => {
    expect(
      problems({ SLACK_BOT_TOKEN: BOT, PORT: 'x', LOG_LEVEL: 'loud', GREENLIGHT_ROLE: 'x', REDIS_URL: 'x' }),
    ).toHaveLength(5);
  });

  it.each([
    ['a malformed bot token', { SLACK_BOT_TOKEN: 'hush42-not-a-token', SLACK_SIGNING_SECRET: SECRET }],
    ['a malformed app token', { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: 'hush42-not-a-token' }],
    ['a signing secret with spaces', { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: 'hush42 with spaces' }],
    ['a Redis URL with a password', { REDIS_URL: 'http://:hush42PW@localhost' }],
    ['a Slack API URL with credentials', { SLACK_API_URL: 'https://user:hush42PW@slack.example/api' }],
  ])('never echoes secret values: %s', (_name, vars) => {
    const found = problems(vars);
    expect(found.length).toBeGreaterThan(0);
    for (const p of found) expect(p).not.toContain('hush42');
  });
});

describe('cloudwatchIsSimulated', () => {
  it('is true only when the SDK endpoint variables point CloudWatch elsewhere', () => {
    expect(cloudwatchIsSimulated({})).toBe(false);
    expect(cloudwatchIsSimulated({ AWS_ENDPOINT_URL: ' ' })).toBe(false);
    expect(cloudwatchIsSimulated({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' })).toBe(true);
    expect(cloudwatchIsSimulated({ AWS_ENDPOINT_URL_CLOUDWATCH: 'http://127.0.0.1:4566' })).toBe(true);
  });
});
