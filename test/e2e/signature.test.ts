import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, SIGNING_SECRET, startRig, USERS } from '../helpers/e2e-harness.js';
import { postToSlackEndpoint, slashCommandBody } from '../helpers/slack-requests.js';

describe('requests that Slack did not sign', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(async () => {
    await rig.close();
  });

  const body = () =>
    slashCommandBody({
      text: 'checkout green',
      userId: USERS.requester,
      channelId: 'C0CHECKOUT',
      responseUrl: 'x',
    });

  it.each([
    ['a forged signature', { signingSecret: 'not-the-secret' }],
    [
      'a stale timestamp (10 minutes old)',
      { signingSecret: SIGNING_SECRET, timestamp: Math.floor(Date.now() / 1000) - 600 },
    ],
    ['a garbage signature header', { signingSecret: SIGNING_SECRET, signature: 'v0=deadbeef' }],
  ])('rejects %s with 401 and posts nothing', async (_name, opts) => {
    const before = rig.slack.calls.filter((c) => c.method !== 'auth.test').length;
    const res = await postToSlackEndpoint(rig.url, body(), opts);
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(rig.slack.calls.filter((c) => c.method !== 'auth.test').length).toBe(before);
    expect(await rig.bot.store.listByService('checkout', 5)).toHaveLength(0);
  });

  it('accepts the same request when it is signed with the right secret', async () => {
    const res = await postToSlackEndpoint(rig.url, body(), { signingSecret: SIGNING_SECRET });
    expect(res.status).toBe(200);
    expect(await rig.bot.store.listByService('checkout', 5)).toHaveLength(1);
  });
});
