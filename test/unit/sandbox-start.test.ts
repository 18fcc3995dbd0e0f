import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BOT_RECEIVER,
  SANDBOX_PREFIX,
  type Sandbox,
  type SandboxOptions,
  SDK_NODE_WARNING,
  startSandbox,
} from '../../sandbox/sandbox.js';
import { createLogger } from '../../src/ops/logger.js';
import { freePort } from '../helpers/redis-server.js';

const log = createLogger({ level: 'silent' });
let sandbox: Sandbox | undefined;

afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

/** REDIS_URL given: the sandbox itself never connects to it (the runtime does). */
const start = (port: number, opts: Partial<SandboxOptions> = {}) =>
  startSandbox({ log, port, redisUrl: 'redis://127.0.0.1:9', ...opts });

/** A logger whose lines land in `lines` (parsed). */
function recording(): { log: ReturnType<typeof createLogger>; lines: { msg: string; level: number }[] } {
  const lines: { msg: string; level: number }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { log: createLogger({ level: 'info', destination }), lines };
}

describe('starting the sandbox', () => {
  it('serves the page on the port asked for, and points the bot at free local ports and stand-ins', async () => {
    const port = await freePort();
    sandbox = await start(port);
    expect(sandbox.url).toBe(`http://127.0.0.1:${port}`);
    expect(sandbox.env).toMatchObject({ mode: 'sandbox', role: 'all' });
    expect(sandbox.env.slackBotToken).toMatch(/^xoxb-sandbox-/);
    expect(sandbox.env.slackApiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    expect(process.env.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const config = (await (await fetch(`http://127.0.0.1:${port}/sandbox/api/config`)).json()) as {
      channels: { id: string; name: string }[];
      people: { id: string }[];
    };
    expect(config.channels.map((c) => `${c.id} #${c.name}`)).toEqual([
      'C0CHECKOUT #checkout',
      'C0SEARCH #search',
    ]);
    expect(config.people.map((p) => p.id)).toEqual([
      'U0REQUESTER',
      'U0APPROVER',
      'U0SREMEMBER',
      'U0STRANGER',
    ]);
  });

  it('keeps the bot apart from production: its own Redis prefix, its receiver on 127.0.0.1, role all', async () => {
    sandbox = await start(await freePort());
    expect(sandbox.prefix).toBe(SANDBOX_PREFIX);
    expect(SANDBOX_PREFIX).toBe('glsandbox');
    // The bot's receiver: a free port (0) on 127.0.0.1 only.
    expect(sandbox.env.port).toBe(0);
    expect(sandbox.listenHost).toBe('127.0.0.1');
    expect(BOT_RECEIVER).toEqual({ port: 0, host: '127.0.0.1' });
  });

  it('takes the next free port when PORT is busy, and says so in its first line with where it listens', async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(port, r));
    try {
      const { log: logged, lines } = recording();
      sandbox = await start(port, { log: logged });
      expect(sandbox.port).toBeGreaterThan(port);
      expect(lines[0]?.msg).toBe(
        `Greenlight sandbox: open http://127.0.0.1:${sandbox.port} (port ${port} was busy) — no SLACK_BOT_TOKEN, so Slack and AWS are local stand-ins; listening on 127.0.0.1 only`,
      );
      expect(lines).toHaveLength(1);
    } finally {
      blocker.close();
    }
  });

  it('listens where SANDBOX_HOST says, and says that others can reach it', async () => {
    const { log: logged, lines } = recording();
    sandbox = await start(await freePort(), { log: logged, host: '0.0.0.0' });
    expect(sandbox.url).toBe(`http://localhost:${sandbox.port}`);
    expect(lines[0]?.msg).toMatch(
      /; listening on 0\.0\.0\.0 \(SANDBOX_HOST\): anyone who can reach this machine can use it$/,
    );
  });

  it('runs as role all and says so when GREENLIGHT_ROLE asked for another, after the URL line', async () => {
    const { log: logged, lines } = recording();
    sandbox = await start(await freePort(), { log: logged, role: 'worker' });
    expect(sandbox.env.role).toBe('all');
    expect(lines.map((l) => l.msg)).toEqual([
      expect.stringMatching(/^Greenlight sandbox: open /),
      'GREENLIGHT_ROLE=worker overridden: the sandbox runs the Slack receiver and the worker in one process (role all)',
    ]);
  });

  it("turns off the AWS SDK's Node-version notice for the sandbox only, unless it was set", async () => {
    const before = process.env[SDK_NODE_WARNING];
    delete process.env[SDK_NODE_WARNING];
    try {
      sandbox = await start(await freePort());
      expect(process.env[SDK_NODE_WARNING]).toBe('true');
      await sandbox.close();
      sandbox = undefined;
      expect(process.env[SDK_NODE_WARNING]).toBeUndefined();
      process.env[SDK_NODE_WARNING] = 'false';
      sandbox = await start(await freePort());
      expect(process.env[SDK_NODE_WARNING]).toBe('false');
    } finally {
      if (before === undefined) delete process.env[SDK_NODE_WARNING];
      else process.env[SDK_NODE_WARNING] = before;
    }
  });

  it('gives the environment back and stops its servers on close', async () => {
    const before = process.env.AWS_ENDPOINT_URL;
    sandbox = await start(await freePort());
    const page = sandbox.url;
    await sandbox.close();
    sandbox = undefined;
    expect(process.env.AWS_ENDPOINT_URL).toBe(before);
    await expect(fetch(`${page}/sandbox/api/config`)).rejects.toThrow();
  });
});
