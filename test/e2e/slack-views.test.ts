/**
 * The Slack-native ways in: `/deploy` alone opens a form (a modal), its submission requests a
 * deployment exactly as `/deploy <service> <slot> <reason…>` does, and the App Home tab shows every
 * service. Through the real path: signed requests to the real Bolt receiver, the local Slack Web
 * API recording every views.* call, the simulated load balancer behind the real AWS SDK.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeView } from '../../sandbox/fake-slack-views.js';
import { demoServiceYaml } from '../helpers/demo-service-yaml.js';
import { CHANNEL, FAST, type Rig, SIGNING_SECRET, startRig, USERS } from '../helpers/e2e-harness.js';
import { ephemerals, latestButton, posts, textOf, threadPosts } from '../helpers/slack-inspect.js';
import { postToSlackEndpoint, slashCommandBody } from '../helpers/slack-requests.js';
import {
  appHomeOpenedBody,
  freshTriggerId,
  inputBlock,
  menuOptions,
  type SentView,
  selected,
  typed,
  viewOf,
  viewSelectBody,
  viewSubmissionBody,
  viewText,
} from '../helpers/slack-views.js';
import { waitUntil } from '../helpers/wait.js';

/** A second service in the same channel, on the demo's search rule; only the requester may deploy it. */
const SEARCH = [
  ...demoServiceYaml({ name: 'search', channel: CHANNEL, demo: 'search', users: [USERS.approver] }),
  '    deployers:',
  `      users: [${USERS.requester}]`,
  '    traffic:',
  '      period: 1000ms',
  '      pollInterval: 200ms',
];
const OTHER_CHANNEL = 'C0ELSEWHERE';

async function typeDeploy(rig: Rig, user: string, channel = CHANNEL) {
  const triggerId = freshTriggerId();
  const res = await postToSlackEndpoint(
    rig.url,
    slashCommandBody({
      text: '',
      userId: user,
      channelId: channel,
      responseUrl: rig.slack.responseUrl(),
      triggerId,
    }),
    { signingSecret: SIGNING_SECRET },
  );
  return { res, triggerId };
}

/** The form opened with `triggerId`, once the bot has filled it in (its status read). */
function filledForm(rig: Rig, triggerId: string): Promise<FakeView> {
  return waitUntil(
    () => {
      const v = rig.slack.views.find((x) => x.triggerId === triggerId);
      return v && v.revisions > 0 ? v : undefined;
    },
    { what: 'the form to be filled in (views.update)' },
  );
}

const asSent = (v: FakeView) => viewOf({ method: 'views', args: { view: v.view }, at: 0 });

/** Submits the form as it is now with these choices, under the block ids the form has. */
function submit(
  rig: Rig,
  user: string,
  form: FakeView,
  chosen: { service: string | null; slot: string | null; reason?: string | null },
) {
  const view = asSent(form);
  const slotBlock = String(inputBlock(view, 'slot')?.['block_id']);
  const values = {
    service: { glv_service: selected(chosen.service) },
    [slotBlock]: { glv_slot: selected(chosen.slot) },
    ...(chosen.reason !== undefined ? { reason: { glv_reason: typed(chosen.reason) } } : {}),
  };
  return postToSlackEndpoint(
    rig.url,
    viewSubmissionBody({ userId: user, view, viewId: form.id, hash: form.hash, values }),
    { signingSecret: SIGNING_SECRET },
  );
}

describe('the /deploy form', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig({ services: SEARCH });
  });
  afterEach(async () => {
    await rig.close();
  });

  it('opens with the command’s trigger id, listing the channel’s services, then shows which slot is live', async () => {
    const { res, triggerId } = await typeDeploy(rig, USERS.requester);
    expect(res.status).toBe(200);
    // The ack is empty: the form is the answer.
    expect(res.text).toBe('');
    const open = await waitUntil(() => rig.slack.callsTo('views.open')[0], { what: 'views.open' });
    expect(open.args['trigger_id']).toBe(triggerId);
    const first = viewOf(open);
    expect(first['type']).toBe('modal');
    expect(first['callback_id']).toBe('glv_deploy');
    expect(JSON.parse(String(first['private_metadata']))).toEqual({ channel: CHANNEL });
    expect(menuOptions(inputBlock(first, 'service')).map((o) => o.value)).toEqual(['checkout', 'search']);
    // Before anything is read, every slot of every service is offered, grouped by service.
    expect(menuOptions(inputBlock(first, 'slot')).map((o) => `${o.group}:${o.value}`)).toEqual([
      'checkout:checkout/blue',
      'checkout:checkout/green',
      'search:search/blue',
      'search:search/green',
    ]);

    const form = await filledForm(rig, triggerId);
    const update = rig.slack.callsTo('views.update')[0];
    expect(update?.args['view_id']).toBe(form.id);
    const filled = asSent(form);
    // Read from the load balancer: blue is live for both demo services.
    const slots = menuOptions(inputBlock(filled, 'slot'));
    expect(slots.map((o) => o.text)).toEqual(['blue — live', 'green — idle', 'blue — live', 'green — idle']);
    // Health and the version tags of each slot's target group, read now (sandbox/fake-elb/demo.ts).
    expect(slots.find((o) => o.value === 'checkout/green')?.description).toBe(
      '2/2 healthy · runs 1.42.0 (3f9c2e1)',
    );
    // No forward names search-green yet: AWS does not health-check it.
    expect(slots.find((o) => o.value === 'search/green')?.description).toMatch(
      /^not health-checked .* · runs 2\.8\.0-rc\.1$/,
    );
    expect(menuOptions(inputBlock(filled, 'service')).map((o) => o.description)).toEqual([
      'live: blue',
      'live: blue',
    ]);
    expect(inputBlock(filled, 'reason')?.['optional']).toBe(true);
  });

  it('answers with the usage when Slack will not open the form (a trigger id used twice)', async () => {
    const { triggerId } = await typeDeploy(rig, USERS.requester);
    await waitUntil(() => rig.slack.callsTo('views.open')[0], { what: 'the first views.open' });
    const responseUrl = rig.slack.responseUrl('again');
    await postToSlackEndpoint(
      rig.url,
      slashCommandBody({ text: '', userId: USERS.sre, channelId: CHANNEL, responseUrl, triggerId }),
      { signingSecret: SIGNING_SECRET },
    );
    const usage = await waitUntil(() => rig.slack.responses.find((r) => r.url === responseUrl), {
      what: 'the usage through the response_url',
    });
    expect(JSON.stringify(usage.body)).toContain('/deploy status');
    expect(rig.slack.views).toHaveLength(1);
    // Slack's refusal is counted as every Web API error is.
    const scraped = await (await fetch(`${rig.opsUrl}/metrics`)).text();
    expect(scraped).toMatch(
      /greenlight_slack_api_errors_total\{method="views\.open",error="exchanged_trigger_id"\} 1/,
    );
  });

  it('offers only what the user may request, naming who may request the rest', async () => {
    const { triggerId } = await typeDeploy(rig, USERS.stranger);
    const form = asSent(await filledForm(rig, triggerId));
    expect(menuOptions(inputBlock(form, 'service')).map((o) => o.value)).toEqual(['checkout']);
    expect(viewText(form)).toContain('You may not request *search*');
    expect(viewText(form)).toContain(`<@${USERS.requester}>`);
  });

  it('in a channel that serves no service, says where services are requested', async () => {
    const { triggerId } = await typeDeploy(rig, USERS.requester, OTHER_CHANNEL);
    const form = asSent(await filledForm(rig, triggerId));
    expect(inputBlock(form, 'service')).toBeUndefined();
    expect(form['submit']).toBeUndefined();
    expect(viewText(form)).toContain(`*checkout* in <#${CHANNEL}>`);
  });

  it('lists only the chosen service’s slots once a service is chosen', async () => {
    const { triggerId } = await typeDeploy(rig, USERS.requester);
    const form = await filledForm(rig, triggerId);
    const before = rig.aws.elb.calls.length;
    const res = await postToSlackEndpoint(
      rig.url,
      viewSelectBody({
        userId: USERS.requester,
        view: asSent(form),
        viewId: form.id,
        hash: form.hash,
        values: { service: { glv_service: selected('search') } },
        blockId: 'service',
        actionId: 'glv_service',
        value: 'search',
      }),
      { signingSecret: SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    const narrowed = await waitUntil(
      () => {
        const v = rig.slack.views.find((x) => x.triggerId === triggerId);
        return v && v.revisions > 1 ? asSent(v) : undefined;
      },
      { what: 'the form narrowed to search' },
    );
    expect(inputBlock(narrowed, 'slot')?.['block_id']).toBe('slot.search');
    expect(menuOptions(inputBlock(narrowed, 'slot')).map((o) => o.value)).toEqual([
      'search/blue',
      'search/green',
    ]);
    // Only the chosen service's slots were read again for their health and version tags.
    const reread = rig.aws.elb.calls
      .slice(before)
      .filter((c) => c.operation === 'DescribeTargetHealth' || c.operation === 'DescribeTags');
    expect(reread.length).toBeGreaterThan(0);
    expect(JSON.stringify(reread.map((c) => c.params))).not.toContain('checkout-');
  });

  it('answers a submission without a slot with an error under the slot, and records nothing', async () => {
    const { triggerId } = await typeDeploy(rig, USERS.requester);
    const form = await filledForm(rig, triggerId);
    const res = await submit(rig, USERS.requester, form, { service: 'checkout', slot: null, reason: null });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({
      response_action: 'errors',
      errors: { slot: 'Choose the slot of checkout to switch to: blue, green.' },
    });
    expect(await rig.bot.store.listByService('checkout', 5)).toEqual([]);
    expect(await rig.bot.store.lockHolder('checkout')).toBeNull();
  });

  it('refuses a slot of another service under the slot field', async () => {
    const { triggerId } = await typeDeploy(rig, USERS.requester);
    const form = await filledForm(rig, triggerId);
    const res = await submit(rig, USERS.requester, form, { service: 'checkout', slot: 'search/green' });
    expect(JSON.parse(res.text)).toEqual({
      response_action: 'errors',
      errors: { slot: 'green is a slot of search, not of checkout: choose one of blue, green.' },
    });
  });

  it('requests a deployment as /deploy checkout green <reason> does: precheck and approval in the channel', async () => {
    const { triggerId } = await typeDeploy(rig, USERS.requester);
    const form = await filledForm(rig, triggerId);
    const res = await submit(rig, USERS.requester, form, {
      service: 'checkout',
      slot: 'checkout/green',
      // Cleaned as a typed reason is: on one line, without the bidi override that could reorder it.
      reason: '  1.42.0: new\u202e pricing,\n\nJIRA-123 ',
    });
    expect(res.status).toBe(200);
    // An empty answer closes the form.
    expect(res.text).toBe('');
    const d = await rig.latest();
    expect(d).toMatchObject({
      service: 'checkout',
      toSlot: 'green',
      requester: USERS.requester,
      channel: CHANNEL,
      requestReason: '1.42.0: new pricing, JIRA-123',
    });
    await rig.waitForState(d.id, 'awaiting_approval');
    // The status card in the channel and the precheck in its thread, as for the command.
    const card = posts(rig.slack).find((c) => c.args['channel'] === CHANNEL && !c.args['thread_ts']);
    expect(card).toBeDefined();
    const cardTs = (await rig.bot.store.get(d.id))?.messages.card as string;
    expect(threadPosts(rig.slack, cardTs, /healthy/i).length).toBeGreaterThan(0);
    // The prompt is posted after the state is recorded: wait for it.
    await waitUntil(() => latestButton(rig.slack, 'gl_approve', d.id), { what: 'the Approve button' });
    // The requester is told where to follow it, in the channel, as the command's reply says.
    const note = await waitUntil(
      () => ephemerals(rig.slack).find((c) => c.args['user'] === USERS.requester),
      { what: 'the note to the requester' },
    );
    expect(note.args['channel']).toBe(CHANNEL);
    expect(textOf(note)).toContain(`Deployment ${d.id} requested`);
  });

  it('puts a refusal of the request (the service is busy) under the service field', async () => {
    expect((await rig.slash('checkout green', USERS.requester)).status).toBe(200);
    const holder = await rig.latest();
    const { triggerId } = await typeDeploy(rig, USERS.sre);
    const form = await filledForm(rig, triggerId);
    const res = await submit(rig, USERS.sre, form, { service: 'checkout', slot: 'checkout/blue' });
    const answer = JSON.parse(res.text) as { response_action: string; errors: Record<string, string> };
    expect(answer.response_action).toBe('errors');
    expect(Object.keys(answer.errors)).toEqual(['service']);
    expect(answer.errors['service']).toContain(
      `checkout is busy: deployment ${holder.id} by @${USERS.requester}`,
    );
    expect((await rig.bot.store.listByService('checkout', 5)).map((x) => x.id)).toEqual([holder.id]);
  });
});

describe('the App Home tab', () => {
  let rig: Rig;
  beforeEach(async () => {
    // A long soak: the old slot stays kept while the tab is read.
    rig = await startRig({ services: SEARCH, timings: { ...FAST, soak: '1h', remindBefore: '10m' } });
  });
  afterEach(async () => {
    await rig.close();
  });

  const openHome = (user: string, tab: 'home' | 'messages' = 'home') =>
    postToSlackEndpoint(rig.url, appHomeOpenedBody(user, tab), {
      signingSecret: SIGNING_SECRET,
      contentType: 'application/json',
    });

  it('publishes every service with its live slot and the active deployment', async () => {
    expect((await rig.slash('checkout green ship the new pricing', USERS.requester)).status).toBe(200);
    const d = await rig.latest();
    await rig.waitForState(d.id, 'awaiting_approval');

    expect((await openHome(USERS.sre)).status).toBe(200);
    const call = await waitUntil(() => rig.slack.callsTo('views.publish')[0], { what: 'views.publish' });
    expect(call.args['user_id']).toBe(USERS.sre);
    const home: SentView = viewOf(call);
    expect(home['type']).toBe('home');
    const sections = home.blocks.filter((b) => b['type'] === 'section').map((b) => viewText({ blocks: [b] }));
    const checkout = sections.find((t) => t.startsWith('*checkout*'));
    const search = sections.find((t) => t.startsWith('*search*'));
    expect(checkout).toContain(`<#${CHANNEL}>`);
    expect(checkout).toContain('Live: *blue*');
    // What each slot ran at the precheck (its target group's tags).
    expect(checkout).toContain('• *green* — idle\n    runs `1.42.0 (3f9c2e1)`');
    expect(checkout).toContain('• *blue* — live\n    runs `1.41.2 (9b1d4e0)`');
    expect(checkout).toContain(
      `Active: ✋ *awaiting approval* → *green* · \`${d.id}\` requested by <@${USERS.requester}>`,
    );
    // Not the reason: every member may open the Home tab, and the service's channel may be private.
    expect(viewText(home)).not.toContain('ship the new pricing');
    expect(search).toContain('Live: *blue*');
    expect(search).toContain('No deployment yet.');
    expect(viewText(home)).toContain('2 service(s) · 1 with an active deployment');
    // What Slack stored for the user's tab is what the bot published.
    expect(rig.slack.views.find((v) => v.type === 'home' && v.user === USERS.sre)?.view).toEqual(
      call.args['view'],
    );
  });

  it('shows the slot kept for rollback during the soak, and publishes nothing for the Messages tab', async () => {
    await rig.slash('checkout green', USERS.requester);
    const d = await rig.latest();
    await rig.waitForState(d.id, 'awaiting_approval');
    const approve = await waitUntil(() => latestButton(rig.slack, 'gl_approve', d.id), { what: 'Approve' });
    await rig.click('gl_approve', approve.value, USERS.approver);
    const soaking = await rig.waitForState(d.id, 'soaking');

    // The Messages tab first (by someone else): nothing is published for it.
    expect((await openHome(USERS.sre, 'messages')).status).toBe(200);
    expect((await openHome(USERS.requester)).status).toBe(200);
    const call = await waitUntil(() => rig.slack.callsTo('views.publish')[0], { what: 'views.publish' });
    const text = viewText(viewOf(call));
    expect(rig.slack.callsTo('views.publish').map((c) => c.args['user_id'])).toEqual([USERS.requester]);
    expect(text).toContain('Live: *green*');
    expect(text).toContain('Still running after the last cutover:');
    expect(text).toMatch(
      new RegExp(
        `• \\*blue\\* kept for rollback until <!date\\^${Math.floor((soaking.teardownAt as number) / 1000)}\\^`,
      ),
    );
  });
});
