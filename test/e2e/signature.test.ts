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

describe('requests that Slack signed once', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(async () => {
    await rig.close();
  });

  it('ignores a replay of a signed request inside the 5-minute window', async () => {
    const body = slashCommandBody({
      text: 'checkout green',
      userId: USERS.requester,
      channelId: 'C0CHECKOUT',
      responseUrl: rig.slack.responseUrl(),
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const first = await postToSlackEndpoint(rig.url, body, { signingSecret: SIGNING_SECRET, timestamp });
    expect(first.status).toBe(200);
    const d = await rig.latest();
    await rig.waitForState(d.id, 'awaiting_approval');
    await rig.slash('cancel checkout', USERS.requester);
    await rig.waitForState(d.id, 'cancelled');

    // The same bytes, the same signature: a captured request sent again.
    const replay = await postToSlackEndpoint(rig.url, body, { signingSecret: SIGNING_SECRET, timestamp });
    expect(replay.status).toBe(200);
    expect(replay.text).toBe('');
    // A fresh request after it is handled (so the replay was not merely slow).
    await rig.slash('checkout green', USERS.requester);
    const next = await rig.latest();
    expect(next.id).not.toBe(d.id);
    const all = await rig.bot.store.listByService('checkout', 10);
    expect(all.map((x) => x.id)).toEqual([next.id, d.id]);
  });

  it('refuses a body over the limit before checking its signature (413, not 401)', async () => {
    const huge = `text=${'a'.repeat(300 * 1024)}`;
    const res = await postToSlackEndpoint(rig.url, huge, { signingSecret: 'not-the-secret' });
    expect(res.status).toBe(413);
  });
});
