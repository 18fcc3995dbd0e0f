import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO, demoState } from '../../sandbox/fake-elb/demo.js';
import type { FakeElbState } from '../../sandbox/fake-elb/state.js';
import { type FakeSlackApi, startFakeSlackApi } from '../../sandbox/fake-slack-api.js';
import { SANDBOX_CONFIG } from '../../sandbox/sandbox.js';
import { createSandboxApi, type SandboxApi, type SandboxApiDeps } from '../../sandbox/sandbox-api.js';
import { SandboxFeed } from '../../sandbox/sandbox-feed.js';
import { signSlackRequest } from '../../sandbox/slack-signing.js';
import { loadConfigFile } from '../../src/config/load-config.js';
import type { GreenlightConfig } from '../../src/domain/service.js';

const TOKEN = 'xoxb-sandbox-api-test';
const SECRET = 'sandbox-api-test-secret';
const REQUESTER = 'U0REQUESTER';
const APPROVER = 'U0APPROVER';
const CHANNEL = 'C0CHECKOUT';

interface Received {
  body: string;
  headers: IncomingMessage['headers'];
}

let slack: FakeSlackApi;
let feed: SandboxFeed;
let elb: FakeElbState;
/** The simulated AWS's clock (health checks take their interval × threshold on it). */
let clock: number;
let bot: Server;
let received: Received[];
let answer: (res: ServerResponse) => void;
let deps: SandboxApiDeps;
let api: SandboxApi;
function demoConfig(): GreenlightConfig {
  const loaded = loadConfigFile(SANDBOX_CONFIG, { simulatedMetrics: true });
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  return loaded.config;
}
const config = demoConfig();

const post = (path: string, body: unknown) =>
  api(
    'POST',
    `/sandbox/api/${path}`,
    new URLSearchParams(),
    typeof body === 'string' ? body : JSON.stringify(body),
  );
const errorOf = (r: { body: unknown }) => (r.body as { error: string }).error;

/** `/deploy status` from REQUESTER, acked by the bot with 'Working on it…'; the response_url it got. */
async function ackedWithResponseUrl(): Promise<string> {
  answer = (res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ response_type: 'ephemeral', text: 'Working on it…' }));
  };
  await post('command', { user: REQUESTER, channel: CHANNEL, text: '/deploy status' });
  return new URLSearchParams(received[0]?.body).get('response_url') as string;
}

async function botMessage(blocks: unknown[], threadTs?: string): Promise<string> {
  const res = await fetch(`${slack.url}chat.postMessage`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      channel: CHANNEL,
      text: 'card',
      blocks,
      ...(threadTs ? { thread_ts: threadTs } : {}),
    }),
  });
  return ((await res.json()) as { ts: string }).ts;
}

const approveBlocks = [
  { type: 'section', text: { type: 'mrkdwn', text: 'Approval needed' } },
  {
    type: 'actions',
    block_id: 'approval',
    elements: [
      {
        type: 'button',
        action_id: 'gl_approve',
        value: '{"deploymentId":"checkout-1"}',
        text: { type: 'plain_text', text: 'Approve' },
        style: 'primary',
      },
    ],
  },
];

beforeEach(async () => {
  slack = await startFakeSlackApi({ token: TOKEN });
  feed = new SandboxFeed(slack);
  clock = 1_800_000_000_000;
  elb = demoState({ now: () => clock });
  received = [];
  answer = (res) => res.end();
  bot = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      received.push({ body, headers: req.headers });
      answer(res);
    });
  });
  await new Promise<void>((r) => bot.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(bot.address() as AddressInfo).port}/slack/events`;
  deps = { feed, elb, config, signingSecret: SECRET, botUrl: () => url, ackTimeoutMs: 500 };
  api = createSandboxApi(deps);
});

afterEach(async () => {
  feed.close();
  bot.closeAllConnections();
  await new Promise((r) => bot.close(r));
  await slack.close();
});

describe('the sandbox control API refuses malformed input with 400 and says why', () => {
  it('refuses a body that is not JSON, or not an object', async () => {
    expect(await post('command', '{nope')).toEqual({
      status: 400,
      body: { ok: false, error: 'the request body is not valid JSON' },
    });
    expect(errorOf(await post('command', '[1,2]'))).toBe('the request body must be a JSON object');
  });

  it('names each bad field of a command', async () => {
    const r = await post('command', { user: 'U0NOBODY', channel: CHANNEL, text: '   ' });
    expect(r.status).toBe(400);
    expect(errorOf(r)).toMatch(/^user: not a sandbox user.*; text: empty$/);
    expect(
      errorOf(await post('command', { user: REQUESTER, channel: CHANNEL, text: 'x'.repeat(4001) })),
    ).toBe('text: longer than 4000 characters');
    expect(errorOf(await post('command', { user: REQUESTER, channel: CHANNEL, text: 'hi', extra: 1 }))).toBe(
      'unknown field(s) extra',
    );
    expect(errorOf(await post('command', { user: REQUESTER, channel: 'C0NOWHERE', text: 'hi' }))).toMatch(
      /^channel: not a sandbox channel/,
    );
    expect(
      errorOf(await post('command', { user: REQUESTER, channel: CHANNEL, text: 'hi', threadTs: 'abc' })),
    ).toMatch(/^threadTs: not a Slack message ts/);
  });

  it('refuses a bad target-health change, a state read without a user and an unknown endpoint', async () => {
    const bad = await post('target-health', {
      targetGroup: DEMO.checkout.greenArn,
      target: 'i-1',
      state: 'sick',
    });
    expect(bad.status).toBe(400);
    expect(errorOf(bad)).toMatch(/^state: /);
    expect((await api('GET', '/sandbox/api/state', new URLSearchParams(), '')).status).toBe(400);
    expect(await api('DELETE', '/sandbox/api/aws', new URLSearchParams(), '')).toEqual({
      status: 404,
      body: { ok: false, error: 'no such endpoint: DELETE /sandbox/api/aws' },
    });
    expect(errorOf(await post('fast-forward', { all: 'yes' }))).toMatch(/^all: /);
  });
});

describe('the sandbox control API plays the Slack client', () => {
  it('sends /deploy as a signed slash command and shows the ack only to the person who typed it', async () => {
    answer = (res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          response_type: 'ephemeral',
          text: 'requested',
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '👍 requested' } }],
        }),
      );
    };
    const r = await post('command', { user: REQUESTER, channel: CHANNEL, text: '/deploy checkout green' });
    expect(r).toEqual({ status: 200, body: { ok: true, ack: 'ok' } });
    const [req] = received;
    const ts = req?.headers['x-slack-request-timestamp'] as string;
    expect(req?.headers['x-slack-signature']).toBe(signSlackRequest(SECRET, ts, req?.body ?? ''));
    const form = new URLSearchParams(req?.body);
    expect(
      Object.fromEntries(
        ['command', 'text', 'user_id', 'channel_id', 'channel_name'].map((k) => [k, form.get(k)]),
      ),
    ).toEqual({
      command: '/deploy',
      text: 'checkout green',
      user_id: REQUESTER,
      channel_id: CHANNEL,
      channel_name: 'checkout',
    });
    expect(form.get('response_url')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/response\//);
    expect(feed.itemsFor(REQUESTER).map((i) => [i.kind, i.forUser, i.text])).toEqual([
      ['ephemeral', REQUESTER, 'requested'],
    ]);
    expect(feed.itemsFor(APPROVER)).toEqual([]);
  });

  it('replaces the ack when the bot answers later through the response_url', async () => {
    const responseUrl = await ackedWithResponseUrl();
    await fetch(responseUrl, {
      method: 'POST',
      body: JSON.stringify({ replace_original: true, text: 'all quiet' }),
    });
    expect(feed.itemsFor(REQUESTER).map((i) => i.text)).toEqual(['all quiet']);
  });

  it('does not show a response_url post that Slack refused, so a Block Kit limit bug stays visible', async () => {
    const responseUrl = await ackedWithResponseUrl();
    const tooLong = await fetch(responseUrl, {
      method: 'POST',
      body: JSON.stringify({ replace_original: true, text: 'x'.repeat(5000) }),
    });
    expect(tooLong.status).toBe(400);
    const tooMany = {
      response_type: 'ephemeral',
      text: 'y',
      blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })),
    };
    expect((await fetch(responseUrl, { method: 'POST', body: JSON.stringify(tooMany) })).status).toBe(400);
    expect(feed.itemsFor(REQUESTER).map((i) => i.text)).toEqual(['Working on it…']);
  });

  it('escapes &, < and > in what people type, as Slack does before the app or the page sees it', async () => {
    await post('command', {
      user: APPROVER,
      channel: CHANNEL,
      text: 'a <@U0REQUESTER> & <!date^99999999999999^x|y>',
    });
    expect(feed.itemsFor(APPROVER).map((i) => i.text)).toEqual([
      'a &lt;@U0REQUESTER&gt; &amp; &lt;!date^99999999999999^x|y&gt;',
    ]);
    await post('command', { user: REQUESTER, channel: CHANNEL, text: '/deploy checkout <green> & co' });
    expect(new URLSearchParams(received[0]?.body).get('text')).toBe('checkout &lt;green&gt; &amp; co');
  });

  it('says that /deploy alone opens a form in Slack, which the page does not draw', async () => {
    answer = (res) => {
      res.statusCode = 200;
      res.end();
    };
    await post('command', { user: REQUESTER, channel: CHANNEL, text: '/deploy' });
    expect(new URLSearchParams(received[0]?.body).get('trigger_id')).toBeTruthy();
    const said = feed.itemsFor(REQUESTER).map((i) => [i.user, i.text]);
    expect(said).toHaveLength(1);
    expect(said[0]?.[0]).toBe('USLACKBOT');
    expect(said[0]?.[1]).toContain('opens the request form');
    await post('command', { user: REQUESTER, channel: CHANNEL, text: '/deploy help' });
    expect(feed.itemsFor(REQUESTER)).toHaveLength(1);
  });

  it('answers like Slack when the bot does not ack in time or fails', async () => {
    answer = () => {}; // never answers
    await post('command', { user: REQUESTER, channel: CHANNEL, text: '/deploy help' });
    answer = (res) => {
      res.statusCode = 500;
      res.end();
    };
    await post('command', { user: REQUESTER, channel: CHANNEL, text: '/deploy help' });
    expect(feed.itemsFor(REQUESTER).map((i) => [i.user, i.text])).toEqual([
      ['USLACKBOT', '/deploy failed with the error "operation_timeout"'],
      ['USLACKBOT', '/deploy failed with the error "dispatch_failed"'],
    ]);
  });

  it('posts plain text as a message and answers unknown commands as Slackbot, without calling the bot', async () => {
    await post('command', { user: APPROVER, channel: CHANNEL, text: 'looks good to me' });
    await post('command', { user: APPROVER, channel: CHANNEL, text: '/weather 94070' });
    expect(received).toEqual([]);
    expect(feed.itemsFor(REQUESTER).map((i) => [i.kind, i.user, i.text])).toEqual([
      ['message', APPROVER, 'looks good to me'],
    ]);
    expect(feed.itemsFor(APPROVER).at(-1)?.text).toMatch(/^`\/weather` is not a valid command/);
  });

  it('sends a button click as a signed block_actions payload with the value from the message', async () => {
    const parent = await botMessage([{ type: 'section', text: { type: 'mrkdwn', text: 'card' } }]);
    const ts = await botMessage(approveBlocks, parent);
    const r = await post('action', { user: APPROVER, item: `m:${CHANNEL}:${ts}`, actionId: 'gl_approve' });
    expect(r).toEqual({ status: 200, body: { ok: true } });
    const req = received[0] as Received;
    expect(req.headers['x-slack-signature']).toBe(
      signSlackRequest(SECRET, req.headers['x-slack-request-timestamp'] as string, req.body),
    );
    const payload = JSON.parse(new URLSearchParams(req.body).get('payload') as string);
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: APPROVER },
      channel: { id: CHANNEL },
      container: { message_ts: ts, channel_id: CHANNEL, is_ephemeral: false },
      message: { ts, thread_ts: parent },
    });
    expect(payload.actions).toEqual([
      expect.objectContaining({
        action_id: 'gl_approve',
        block_id: 'approval',
        value: '{"deploymentId":"checkout-1"}',
        style: 'primary',
        type: 'button',
      }),
    ]);
  });

  it('clicks only buttons that exist on a message the person can see', async () => {
    const ts = await botMessage(approveBlocks);
    expect(
      (await post('action', { user: APPROVER, item: `m:${CHANNEL}:${ts}`, actionId: 'gl_rollback' })).status,
    ).toBe(404);
    expect(
      (await post('action', { user: APPROVER, item: 'm:C0CHECKOUT:1.000001', actionId: 'gl_approve' }))
        .status,
    ).toBe(404);
    expect(received).toEqual([]);
  });

  it('reports a bot that does not ack a click in time', async () => {
    answer = () => {};
    const ts = await botMessage(approveBlocks);
    const r = await post('action', { user: APPROVER, item: `m:${CHANNEL}:${ts}`, actionId: 'gl_approve' });
    expect(r.body).toEqual({
      ok: false,
      error: 'the app did not respond within 0.5 s (operation_timeout)',
    });
  });
});

describe('the sandbox control API drives the simulated AWS and the bot’s schedule', () => {
  it('makes a target fail its health checks, and pass again, as AWS reports it after its checks', async () => {
    const [target] = elb.targetsOf(DEMO.checkout.greenArn);
    const state = () => elb.healthOf(DEMO.checkout.greenArn).find((h) => h.target.id === target?.id)?.health;
    const r = await post('target-health', {
      targetGroup: 'checkout-green',
      target: target?.id,
      state: 'unhealthy',
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ok: true, target: { id: target?.id, answers: 'failing' } });
    // Still healthy until UnhealthyThresholdCount (2) checks at the interval (30 s) have failed.
    expect(state()?.state).toBe('healthy');
    clock += 60_000;
    expect(state()).toMatchObject({ state: 'unhealthy', reason: 'Target.FailedHealthChecks' });
    await post('target-health', {
      targetGroup: DEMO.checkout.greenArn,
      target: target?.id,
      state: 'healthy',
    });
    clock += 5 * 30_000; // HealthyThresholdCount (5) passing checks
    expect(state()?.state).toBe('healthy');
    expect(
      (await post('target-health', { targetGroup: 'nope', target: 'i-1', state: 'healthy' })).status,
    ).toBe(404);
    expect(
      (await post('target-health', { targetGroup: 'checkout-green', target: 'i-0nope', state: 'healthy' }))
        .status,
    ).toBe(404);
  });

  it('will not flip a target that is draining', async () => {
    elb.startDraining(DEMO.checkout.blueArn, elb.targetsOf(DEMO.checkout.blueArn));
    const [target] = elb.targetsOf(DEMO.checkout.blueArn);
    const r = await post('target-health', {
      targetGroup: 'checkout-blue',
      target: target?.id,
      state: 'unhealthy',
    });
    expect(r.status).toBe(409);
  });

  it('reads the weights of every forward of the demo load balancer', async () => {
    const r = await api('GET', '/sandbox/api/aws', new URLSearchParams(), '');
    const body = r.body as {
      forwards: { port: number; rule: string; weights: { name: string; percent: number }[] }[];
    };
    const checkout = body.forwards.find((f) => f.port === 443 && f.rule === 'default');
    expect(checkout?.weights.map((w) => [w.name, w.percent])).toEqual([
      ['checkout-blue', 100],
      ['checkout-green', 0],
    ]);
  });

  it('fast-forwards the next scheduled deadline, or all of them, once the bot is attached', async () => {
    expect((await post('fast-forward', {})).status).toBe(503);
    const calls: boolean[] = [];
    deps.jobs = {
      list: async () => [],
      promote: async ({ all }) => {
        calls.push(all);
        return [{ id: 'remind-x', name: 'remind', dueAt: 1 }];
      },
    };
    expect((await post('fast-forward', {})).body).toEqual({
      ok: true,
      promoted: [{ id: 'remind-x', name: 'remind', dueAt: 1 }],
    });
    await post('fast-forward', { all: true });
    expect(calls).toEqual([false, true]);
  });
});
