import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, createScrubber, REDACTED } from '../../src/ops/logger.js';

const BOT_TOKEN = 'xoxb-1111111111-2222222222222-AbCdEfGhIjKlMnOpQrStUvWx';
const APP_TOKEN = 'xapp-1-A0123456789-1234567890123-0123456789abcdef0123456789abcdef';
const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const USER_TOKEN_UNLISTED = 'xoxp-9999999999-8888888888-777777777777-0123456789abcdef0123456789abcdef';
const SECRETS = [BOT_TOKEN, APP_TOKEN, SIGNING_SECRET];

/** A logger writing into an array of parsed JSON lines (and the raw text). */
function capture(level = 'trace', secrets: string[] = SECRETS) {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      raw.push(String(chunk));
      done();
    },
  });
  const log = createLogger({ level, secrets, destination });
  const text = () => raw.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, text, lines };
}

function expectNoSecret(text: string) {
  for (const s of [...SECRETS, USER_TOKEN_UNLISTED, SIGNING_SECRET.slice(0, 16)])
    expect(text).not.toContain(s);
  expect(text).not.toMatch(/xox[abposr]-|xapp-/);
}

describe('createLogger', () => {
  it('writes one JSON line per call with level, time, message and fields', () => {
    const { log, lines } = capture('info');
    log.info({ service: 'checkout' }, 'cutover finished');
    log.debug('not written below the level');

    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatchObject({
      level: 'info',
      name: 'greenlight',
      service: 'checkout',
      msg: 'cutover finished',
    });
    expect(typeof lines()[0]?.time).toBe('string');
  });

  it('blanks credential fields by name at the top level, nested and in headers', () => {
    const { log, text, lines } = capture();
    log.info(
      {
        token: 'opaque-value-1',
        botToken: 'opaque-value-2',
        signingSecret: 'opaque-value-3',
        slack: { appToken: 'opaque-value-4', token: 'opaque-value-5' },
        headers: { authorization: 'Bearer opaque-value-6', cookie: 'sid=opaque-value-7', accept: 'json' },
      },
      'config loaded',
    );

    expect(text()).not.toMatch(/opaque-value/);
    const line = lines()[0]!;
    expect(line.token).toBe(REDACTED);
    expect(line.slack).toEqual({ appToken: REDACTED, token: REDACTED });
    expect(line.headers).toEqual({ authorization: REDACTED, cookie: REDACTED, accept: 'json' });
  });

  it('scrubs secret values and Slack-shaped tokens from messages', () => {
    const { log, text, lines } = capture();
    log.warn(`auth failed for ${BOT_TOKEN} with secret ${SIGNING_SECRET}`);
    log.info('user token %s leaked', USER_TOKEN_UNLISTED);

    expectNoSecret(text());
    expect(lines()[0]?.msg).toBe(`auth failed for ${REDACTED} with secret ${REDACTED}`);
    expect(lines()[1]?.msg).toBe(`user token ${REDACTED} leaked`);
  });

  it('scrubs secrets from arbitrary nested fields, arrays and child bindings', () => {
    const { log, text, lines } = capture();
    const child = log.child({ connection: { url: `wss://example.test/?ticket=${APP_TOKEN}` } });
    child.info({ request: { body: { text: `token=${BOT_TOKEN}`, list: [SIGNING_SECRET] } } }, 'request');

    expectNoSecret(text());
    expect(lines()[0]?.request).toEqual({ body: { text: `token=${REDACTED}`, list: [REDACTED] } });
  });

  it('scrubs secrets from error messages, stacks and causes', () => {
    const { log, text, lines } = capture();
    const cause = new Error(`upstream rejected ${APP_TOKEN}`);
    const err = new Error(`invalid_auth for ${BOT_TOKEN} (${SIGNING_SECRET})`, { cause });
    log.error({ err, nested: { err: new Error(USER_TOKEN_UNLISTED) } }, 'slack call failed');
    log.error(err);

    expectNoSecret(text());
    const first = lines()[0]!;
    expect((first.err as { message: string }).message).toContain(
      `invalid_auth for ${REDACTED} (${REDACTED})`,
    );
    expect(JSON.stringify(first.err)).toContain(`upstream rejected ${REDACTED}`);
    expect((first.err as { stack: string }).stack).toContain(`invalid_auth for ${REDACTED}`);
  });

  it('scrubs a secret containing JSON special characters in its escaped form', () => {
    const tricky = 'pa"ss\\word-42';
    const { log, text } = capture('info', [tricky]);
    log.info({ note: `the secret is ${tricky}` }, `again ${tricky}`);

    expect(text()).not.toContain(JSON.stringify(tricky).slice(1, -1));
    expect(text()).not.toContain('word-42');
  });
});

describe('createScrubber', () => {
  it('replaces the longest secret first and ignores empty secrets', () => {
    const scrub = createScrubber(['abc', 'abcdef', '']);
    expect(scrub('x abcdef y abc z')).toBe(`x ${REDACTED} y ${REDACTED} z`);
    expect(scrub('nothing here')).toBe('nothing here');
  });
});
