import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/ops/logger.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox.js';
import { freePort } from '../helpers/redis-server.js';

const log = createLogger({ level: 'silent' });
let sandbox: Sandbox | undefined;

afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

/** REDIS_URL given: the sandbox itself never connects to it (the runtime does). */
const start = (port: number) => startSandbox({ log, port, redisUrl: 'redis://127.0.0.1:9' });

describe('starting the sandbox', () => {
  it('serves the page on the port asked for, and points the bot at free local ports and stand-ins', async () => {
    const port = await freePort();
    sandbox = await start(port);
    expect(sandbox.url).toBe(`http://localhost:${port}`);
    expect(sandbox.env).toMatchObject({ mode: 'sandbox', port: 0 });
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

  it('takes the next free port when PORT is busy, and says so', async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(port, r));
    try {
      const lines: string[] = [];
      const destination = new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      });
      const logged = createLogger({ level: 'info', destination });
      sandbox = await startSandbox({ log: logged, port, redisUrl: 'redis://127.0.0.1:9' });
      expect(sandbox.port).toBeGreaterThan(port);
      expect(JSON.parse(lines[0] ?? '{}').msg).toBe(
        `Greenlight sandbox: open http://localhost:${sandbox.port} (port ${port} was busy) — no SLACK_BOT_TOKEN, so Slack and AWS are local stand-ins`,
      );
    } finally {
      blocker.close();
    }
  });

  it('gives the environment back and stops its servers on close', async () => {
    const before = process.env.AWS_ENDPOINT_URL;
    sandbox = await start(await freePort());
    const page = sandbox.url.replace('localhost', '127.0.0.1');
    await sandbox.close();
    sandbox = undefined;
    expect(process.env.AWS_ENDPOINT_URL).toBe(before);
    await expect(fetch(`${page}/sandbox/api/config`)).rejects.toThrow();
  });
});
