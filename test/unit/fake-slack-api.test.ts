import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlackApi, type FakeSlackChange, startFakeSlackApi } from '../../sandbox/fake-slack-api.js';
import { quietSlackLogger } from '../helpers/quiet-logger.js';

const TOKEN = 'xoxb-unit-test-token';
let slack: FakeSlackApi;
let client: WebClient;

const quiet = quietSlackLogger;
const web = (token: string | undefined) =>
  new WebClient(token, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, logger: quiet });

const section = (text: string) => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text } });

beforeEach(async () => {
  slack = await startFakeSlackApi({ token: TOKEN });
  client = web(TOKEN);
});
afterEach(async () => {
  await slack.close();
});

async function slackError(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as { data?: { error?: string } }).data?.error;
  }
}

describe('fake Slack Web API (through the real WebClient)', () => {
  it('serves under a base url ending with /api/ and answers auth.test', async () => {
    expect(slack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    const res = await client.auth.test();
    expect(res.ok).toBe(true);
    expect(res.user_id).toMatch(/^U/);
  });

  it('refuses a wrong or missing token with invalid_auth', async () => {
    const wrong = web('xoxb-wrong');
    expect(await slackError(wrong.auth.test())).toBe('invalid_auth');
    const none = web(undefined);
    expect(await slackError(none.auth.test())).toBe('invalid_auth');
  });

  it('posts messages with unique increasing ts and records blocks sent form-encoded', async () => {
    const a = await client.chat.postMessage({ channel: 'C1', text: 'card', blocks: [section('hello')] });
    const b = await client.chat.postMessage({ channel: 'C1', text: 'reply', thread_ts: a.ts });
    expect(a.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(b.ts)).toBeGreaterThan(Number(a.ts));
    expect(slack.messages[0]?.blocks).toEqual([section('hello')]);
    expect(slack.threadReplies('C1', a.ts as string).map((m) => m.text)).toEqual(['reply']);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(2);
    expect(slack.calls.every((c) => !('token' in c.args))).toBe(true);
  });

  it('edits a message in place and keeps its earlier versions', async () => {
    const { ts } = await client.chat.postMessage({ channel: 'C1', text: 'v1' });
    await client.chat.update({ channel: 'C1', ts: ts as string, text: 'v2', blocks: [section('v2')] });
    expect(slack.messages).toHaveLength(1);
    expect(slack.messages[0]?.text).toBe('v2');
    expect(slack.messages[0]?.edits.map((e) => e.text)).toEqual(['v1']);
  });

  it('answers message_not_found when updating an unknown message', async () => {
    expect(await slackError(client.chat.update({ channel: 'C1', ts: '1.000', text: 'x' }))).toBe(
      'message_not_found',
    );
  });

  it('rejects 51 blocks with invalid_blocks and a 4000-char text with msg_too_long', async () => {
    const blocks = Array.from({ length: 51 }, () => section('x'));
    expect(await slackError(client.chat.postMessage({ channel: 'C1', text: 'x', blocks }))).toBe(
      'invalid_blocks',
    );
    expect(await slackError(client.chat.postMessage({ channel: 'C1', text: 'x'.repeat(4000) }))).toBe(
      'msg_too_long',
    );
    expect(slack.messages).toHaveLength(0);
  });

  it('records ephemeral messages and returns a message_ts', async () => {
    const res = await client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'only you' });
    expect(res.message_ts).toBeDefined();
    expect(slack.ephemerals).toEqual([
      expect.objectContaining({ channel: 'C1', user: 'U1', text: 'only you' }),
    ]);
  });

  it('gives permalinks for known messages', async () => {
    const { ts } = await client.chat.postMessage({ channel: 'C1', text: 'x' });
    const res = await client.chat.getPermalink({ channel: 'C1', message_ts: ts as string });
    expect(res.permalink).toMatch(/^https:\/\/.+\/archives\/C1\/p\d+$/);
    expect(await slackError(client.chat.getPermalink({ channel: 'C1', message_ts: '9.9' }))).toBe(
      'message_not_found',
    );
  });

  it('lists user group members and answers no_such_subteam for unknown groups', async () => {
    slack.setUsergroupMembers('S0SRE', ['U1', 'U2']);
    expect((await client.usergroups.users.list({ usergroup: 'S0SRE' })).users).toEqual(['U1', 'U2']);
    expect(await slackError(client.usergroups.users.list({ usergroup: 'S0NOPE' }))).toBe('no_such_subteam');
  });

  it('answers users.info and conversations.info minimally', async () => {
    expect((await client.users.info({ user: 'U0ALICE' })).user?.id).toBe('U0ALICE');
    expect((await client.conversations.info({ channel: 'C0DEPLOYS' })).channel?.id).toBe('C0DEPLOYS');
  });

  it('answers unknown_method for methods it does not implement', async () => {
    expect(await slackError(client.apiCall('reactions.add', { channel: 'C1' }))).toBe('unknown_method');
  });

  it('accepts JSON bodies too', async () => {
    const res = await fetch(`${slack.url}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C1', text: 'json', blocks: [section('j')] }),
    });
    expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
    expect(slack.messages[0]?.blocks).toEqual([section('j')]);
  });

  it('notes a thread reply aimed at a reply instead of the thread parent', async () => {
    const parent = await client.chat.postMessage({ channel: 'C1', text: 'p' });
    const reply = await client.chat.postMessage({ channel: 'C1', text: 'r', thread_ts: parent.ts });
    expect(slack.problems).toEqual([]);
    await client.chat.postMessage({ channel: 'C1', text: 'rr', thread_ts: reply.ts });
    expect(slack.problems).toEqual([expect.stringContaining('is a reply')]);
  });

  it('emits a change event for every call and every new or edited message', async () => {
    const seen: FakeSlackChange['type'][] = [];
    slack.on('change', (c: FakeSlackChange) => seen.push(c.type));
    const { ts } = await client.chat.postMessage({ channel: 'C1', text: 'x' });
    await client.chat.update({ channel: 'C1', ts: ts as string, text: 'y' });
    expect(seen).toEqual(['call', 'message', 'call', 'update']);
  });

  it('records what is POSTed to a response_url and refuses a sixth use', async () => {
    const url = slack.responseUrl();
    const post = (text: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
      });
    for (let i = 0; i < 5; i++) expect((await post(`r${i}`)).status).toBe(200);
    expect((await post('r5')).status).toBe(404);
    expect(slack.responses.map((r) => r.body)).toContainEqual({ text: 'r0' });
    expect(slack.responses[5]?.error).toBe('used_url');
    expect(slack.responseUrl()).not.toBe(url);
  });

  it('waitFor resolves with the probe value once it is truthy', async () => {
    setTimeout(() => void client.chat.postMessage({ channel: 'C9', text: 'later' }), 30);
    const m = await slack.waitFor(() => slack.messages.find((x) => x.channel === 'C9'));
    expect(m.text).toBe('later');
  });

  it('waitFor rejects with the last calls when the condition never holds', async () => {
    await client.auth.test();
    await expect(slack.waitFor(() => false, 50)).rejects.toThrow(/Last calls:\n\s+auth\.test/);
  });
});
