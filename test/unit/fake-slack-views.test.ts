/** The fake Slack's views methods answer as Slack documents them (through the real WebClient). */
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlackApi, startFakeSlackApi } from '../../sandbox/fake-slack-api.js';
import { quietSlackLogger } from '../helpers/quiet-logger.js';

const TOKEN = 'xoxb-unit-views-token';
let slack: FakeSlackApi;
let client: WebClient;

const quiet = quietSlackLogger;

beforeEach(async () => {
  slack = await startFakeSlackApi({ token: TOKEN });
  client = new WebClient(TOKEN, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, logger: quiet });
});
afterEach(async () => {
  await slack.close();
});

async function slackError(p: Promise<unknown>): Promise<{ error?: string; messages?: string[] }> {
  try {
    await p;
    return {};
  } catch (err) {
    const data = (err as { data?: { error?: string; response_metadata?: { messages?: string[] } } }).data;
    return {
      ...(data?.error ? { error: data.error } : {}),
      ...(data?.response_metadata?.messages ? { messages: data.response_metadata.messages } : {}),
    };
  }
}

const section = (text: string) => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text } });
const modal = (blocks = [section('hello')], title = 'Deploy') => ({
  type: 'modal' as const,
  title: { type: 'plain_text' as const, text: title },
  blocks,
});

describe('views.open / views.update', () => {
  it('opens a modal once per trigger id, with an id and a hash', async () => {
    const res = await client.views.open({ trigger_id: '123.456.abc', view: modal() });
    expect(res.view?.id).toMatch(/^V/);
    expect(res.view?.hash).toMatch(/^\d+\.\d+$/);
    expect(res.view?.type).toBe('modal');
    expect(slack.views).toHaveLength(1);
    expect(await slackError(client.views.open({ trigger_id: '123.456.abc', view: modal() }))).toEqual({
      error: 'exchanged_trigger_id',
    });
  });

  it('updates a view only with its current hash; a new hash each time', async () => {
    const opened = await client.views.open({ trigger_id: '1.2.a', view: modal() });
    const id = opened.view?.id as string;
    const first = opened.view?.hash as string;
    const updated = await client.views.update({ view_id: id, hash: first, view: modal([section('filled')]) });
    expect(updated.view?.hash).not.toBe(first);
    expect(slack.views[0]?.revisions).toBe(1);
    expect(await slackError(client.views.update({ view_id: id, hash: first, view: modal() }))).toEqual({
      error: 'hash_conflict',
    });
    expect(await slackError(client.views.update({ view_id: 'V0NOPE', view: modal() }))).toEqual({
      error: 'not_found',
    });
  });

  it('refuses views over Slack’s limits with invalid_arguments and says why', async () => {
    const tooMany = Array.from({ length: 101 }, (_, i) => section(`s${i}`));
    const res = await slackError(client.views.open({ trigger_id: '9.9.a', view: modal(tooMany) }));
    expect(res.error).toBe('invalid_arguments');
    expect(res.messages?.join(' ')).toContain('101 blocks (max 100)');
    // 100 blocks are fine in a view (50 in a message).
    await client.views.open({ trigger_id: '9.9.b', view: modal(tooMany.slice(0, 100)) });
    expect(
      (await slackError(client.views.open({ trigger_id: '9.9.c', view: modal(undefined, 'x'.repeat(25)) })))
        .messages,
    ).toEqual(['[ERROR] view.title: text is 25 chars (max 24)']);
  });

  it('checks input blocks: a submit button, option counts and lengths, and an initial option that is listed', async () => {
    const select = (options: { text: string; value: string }[], initial?: string) => ({
      type: 'input' as const,
      block_id: 'b',
      label: { type: 'plain_text' as const, text: 'Pick' },
      element: {
        type: 'static_select' as const,
        action_id: 'a',
        options: options.map((o) => ({
          text: { type: 'plain_text' as const, text: o.text },
          value: o.value,
        })),
        ...(initial
          ? { initial_option: { text: { type: 'plain_text' as const, text: initial }, value: initial } }
          : {}),
      },
    });
    const noSubmit = await slackError(
      client.views.open({ trigger_id: '7.1', view: modal([select([{ text: 'a', value: 'a' }])] as never) }),
    );
    expect(noSubmit.messages).toContain('[ERROR] view.submit: required when the view has an input block');
    const submit = { type: 'plain_text' as const, text: 'Go' };
    const bad = await slackError(
      client.views.open({
        trigger_id: '7.2',
        view: { ...modal([select([{ text: 't'.repeat(76), value: 'a' }], 'zzz')] as never), submit },
      }),
    );
    expect(bad.messages).toEqual([
      '[ERROR] view.blocks[0].element.options[0].text: text is 76 chars (max 75)',
      '[ERROR] view.blocks[0].element.initial_option: must be one of the options',
    ]);
  });
});

describe('views.publish', () => {
  it('sets one user’s Home tab, replacing what was published before', async () => {
    const home = (text: string) => ({ type: 'home' as const, blocks: [section(text)] });
    await client.views.publish({ user_id: 'U0ALICE', view: home('one') });
    await client.views.publish({ user_id: 'U0ALICE', view: home('two') });
    await client.views.publish({ user_id: 'U0BOB', view: home('bob') });
    const tabs = slack.views.filter((v) => v.type === 'home');
    expect(tabs.map((v) => [v.user, JSON.stringify(v.view.blocks)])).toEqual([
      ['U0ALICE', JSON.stringify([section('two')])],
      ['U0BOB', JSON.stringify([section('bob')])],
    ]);
    expect(await slackError(client.views.publish({ user_id: 'nobody', view: home('x') }))).toEqual({
      error: 'invalid_arguments',
      messages: ['[ERROR] invalid `user_id`'],
    });
    expect(
      (await slackError(client.views.publish({ user_id: 'U0ALICE', view: modal() as never }))).error,
    ).toBe('invalid_arguments');
  });
});
