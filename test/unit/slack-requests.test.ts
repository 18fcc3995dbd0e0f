import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../sandbox/slack-signing.js';
import { blockActionBody, postToSlackEndpoint, slashCommandBody } from '../helpers/slack-requests.js';

describe('Slack request builders', () => {
  it('builds a /deploy slash command from the fixture with our fields', () => {
    const form = new URLSearchParams(
      slashCommandBody({ text: 'checkout green', userId: 'U1', channelId: 'C1', responseUrl: 'http://x/r1' }),
    );
    expect(form.get('command')).toBe('/deploy');
    expect(form.get('text')).toBe('checkout green');
    expect(form.get('user_id')).toBe('U1');
    expect(form.get('channel_id')).toBe('C1');
    expect(form.get('response_url')).toBe('http://x/r1');
    expect(form.get('team_id')).toBe('T0001');
    expect(form.get('trigger_id')).toBeTruthy();
  });

  it('builds a block_actions payload form field from the fixture', () => {
    const body = blockActionBody({
      actionId: 'gl_approve',
      value: '{"deploymentId":"d-1"}',
      userId: 'U2',
      channelId: 'C2',
      messageTs: '1700000000.000200',
      threadTs: '1700000000.000100',
      responseUrl: 'http://x/r2',
    });
    const payload = JSON.parse(new URLSearchParams(body).get('payload') ?? '{}');
    expect(payload.type).toBe('block_actions');
    expect(payload.user.id).toBe('U2');
    expect(payload.channel.id).toBe('C2');
    expect(payload.container).toMatchObject({ message_ts: '1700000000.000200', channel_id: 'C2' });
    expect(payload.message).toMatchObject({ ts: '1700000000.000200', thread_ts: '1700000000.000100' });
    expect(payload.actions).toEqual([
      expect.objectContaining({ action_id: 'gl_approve', value: '{"deploymentId":"d-1"}', type: 'button' }),
    ]);
    expect(payload.response_url).toBe('http://x/r2');
  });

  it('posts with the content type, timestamp and a valid signature header', async () => {
    let seen: Record<string, string | string[] | undefined> = {};
    let raw = '';
    const server = createServer((req, res) => {
      seen = req.headers;
      req.on('data', (c: Buffer) => {
        raw += c.toString();
      });
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    try {
      const res = await postToSlackEndpoint(url, 'a=1&b=2', {
        signingSecret: 's3cret',
        timestamp: 1531420618,
      });
      expect(res).toEqual({ status: 200, text: 'ok' });
      expect(raw).toBe('a=1&b=2');
      expect(seen['content-type']).toBe('application/x-www-form-urlencoded');
      expect(seen['x-slack-request-timestamp']).toBe('1531420618');
      expect(seen['x-slack-signature']).toBe(signSlackRequest('s3cret', 1531420618, 'a=1&b=2'));
    } finally {
      server.close();
    }
  });
});
