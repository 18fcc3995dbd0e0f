/**
 * The `/deploy` form and the App Home tab as pure builders: what they show, and that Slack would
 * accept them however many services, slots or kept slots there are — checked by the fake Slack's
 * own view checker (sandbox/fake-slack-views.ts), which is written from Slack's documented limits
 * and not from the builders' caps.
 */
import { describe, expect, it } from 'vitest';
import { viewProblems } from '../../sandbox/fake-slack-views.js';
import type { ForgottenSlot } from '../../src/domain/cost.js';
import { recordedLiveSlot } from '../../src/domain/expected-slot.js';
import {
  APP_HOME_CALLBACK_ID,
  appHome,
  DEPLOY_FORM,
  type DeployFormModel,
  deployForm,
  formErrorText,
  lockRefusal,
  MAX_HOME_LINES,
  MAX_HOME_SERVICES,
  reasonRefusal,
  type ServiceOverview,
} from '../../src/messages/index.js';
import { readDeployForm, type SubmittedView } from '../../src/slack/deploy-form.js';
import { slotStates } from '../../src/slack/service-overview.js';
import { deployment, T0 } from '../helpers/block-fixtures.js';
import { serviceConfig } from '../helpers/service-config.js';
import { inputBlock, menuOptions } from '../helpers/slack-views.js';

type Json = Record<string, unknown>;

function overview(name: string, over: Partial<ServiceOverview> = {}): ServiceOverview {
  return {
    name,
    channel: 'C0DEPLOYS',
    live: 'blue',
    liveSource: 'load balancer',
    slots: [
      {
        name: 'blue',
        state: 'live',
        health: { slot: 'blue', targetGroupArn: 'arn:b', targets: [], healthy: 2, total: 2 },
      },
      { name: 'green', state: 'idle' },
    ],
    active: null,
    last: null,
    kept: [],
    ...over,
  };
}

function form(services: ServiceOverview[], over: Partial<DeployFormModel> = {}): DeployFormModel {
  return { channelId: 'C0DEPLOYS', services, elsewhere: [], notAllowed: [], readAt: T0, ...over };
}

const blocksOf = (v: { blocks: unknown[] }) => v.blocks as Json[];
/** The text of each section block (viewText joins every text of a block, fields and context too). */
const sectionTexts = (v: { blocks: unknown[] }) =>
  blocksOf(v)
    .filter((b) => b['type'] === 'section')
    .map((b) => String((b['text'] as Json)['text']));

describe('the /deploy form', () => {
  it('chooses the only service for the user and lists its slots with their status and health', () => {
    const view = deployForm(form([overview('checkout')]));
    expect(viewProblems(view, 'modal')).toEqual([]);
    const service = inputBlock(view, 'service') as Json;
    expect((service['element'] as Json)['initial_option']).toMatchObject({ value: 'checkout' });
    expect(service['dispatch_action']).toBe(true);
    const slot = inputBlock(view, 'slot');
    expect(slot?.['block_id']).toBe('slot.checkout');
    expect(menuOptions(slot)).toEqual([
      { text: 'blue — live', value: 'checkout/blue', description: '2/2 healthy' },
      { text: 'green — idle', value: 'checkout/green', description: undefined },
    ]);
    expect(JSON.parse(String(view.private_metadata))).toEqual({ channel: 'C0DEPLOYS' });
  });

  it('shows a slot’s version after its health once versions are known', () => {
    const svc = overview('checkout');
    svc.slots[1] = { name: 'green', state: 'idle', version: '1.42.0 (3f9c2e1)' };
    const view = deployForm(form([svc]));
    expect(menuOptions(inputBlock(view, 'slot'))[1]?.description).toBe('runs 1.42.0 (3f9c2e1)');
  });

  it('stays within Slack’s limits with 150 services and names of every length', () => {
    const many = Array.from({ length: 150 }, (_, i) => overview(`svc-${i}-${'x'.repeat(30)}`));
    const view = deployForm(
      form(many, {
        notAllowed: many.map((s) => ({ name: s.name, allowed: { users: ['U0A'], usergroups: [] } })),
      }),
    );
    expect(viewProblems(view, 'modal')).toEqual([]);
    expect(menuOptions(inputBlock(view, 'service'))).toHaveLength(100);
  });

  it('offers nothing to submit when the channel serves no service the user may request, and says where to go', () => {
    const view = deployForm(form([], { elsewhere: [{ name: 'search', channel: 'C0SEARCH' }] }));
    expect(viewProblems(view, 'modal')).toEqual([]);
    expect(view.submit).toBeUndefined();
    expect(blocksOf(view).some((b) => b['type'] === 'input')).toBe(false);
    expect(JSON.stringify(view.blocks)).toContain('*search* in <#C0SEARCH>');
  });
});

describe('reading a submitted form', () => {
  const services = { checkout: serviceConfig(), search: serviceConfig({ name: 'search' }) };
  const view = (
    values: SubmittedView['state']['values'],
    meta = '{"channel":"C0DEPLOYS"}',
  ): SubmittedView => ({
    private_metadata: meta,
    blocks: [{ block_id: 'service' }, { block_id: 'slot.checkout' }, { block_id: 'reason' }],
    state: { values },
  });
  const pick = (value: string | null) => ({ selected_option: value === null ? null : { value } });

  it('reads service, slot and the trimmed reason, in the channel the form was opened in', () => {
    const r = readDeployForm(
      view({
        service: { glv_service: pick('checkout') },
        'slot.checkout': { glv_slot: pick('checkout/green') },
        reason: { glv_reason: { value: '  JIRA-1  ' } },
      }),
      services,
    );
    expect(r).toEqual({
      ok: true,
      form: { channelId: 'C0DEPLOYS', service: 'checkout', slot: 'green', reason: 'JIRA-1' },
    });
  });

  it('puts each problem under its own field, keyed by the block id the form has', () => {
    expect(
      readDeployForm(
        view({ service: { glv_service: pick('checkout') }, 'slot.checkout': { glv_slot: pick(null) } }),
        services,
      ),
    ).toEqual({
      ok: false,
      errors: { 'slot.checkout': 'Choose the slot of checkout to switch to: blue, green.' },
    });
    expect(
      readDeployForm(
        view({
          service: { glv_service: pick('checkout') },
          'slot.checkout': { glv_slot: pick('checkout/purple') },
          reason: { glv_reason: { value: 'x'.repeat(301) } },
        }),
        services,
      ),
    ).toEqual({
      ok: false,
      errors: {
        'slot.checkout': 'checkout has no slot “purple”: choose one of blue, green.',
        reason:
          'The reason is 301 characters long; at most 300 are kept. Shorten it (a ticket link says a lot).',
      },
    });
    expect(readDeployForm(view({ service: { glv_service: pick('billing') } }), services)).toEqual({
      ok: false,
      errors: { service: '“billing” is not a configured service. Configured: checkout, search.' },
    });
  });

  it('refuses a form whose metadata is not ours', () => {
    const r = readDeployForm(
      view({ service: { glv_service: pick('checkout') } }, '{"channel":"<!channel>"}'),
      services,
    );
    expect(r.ok).toBe(false);
    expect(r.ok ? {} : r.errors).toHaveProperty(DEPLOY_FORM.serviceBlock);
  });
});

describe('a refusal as a form error', () => {
  it('is plain text: people as @ids, no formatting marks, entities decoded', () => {
    const busy = lockRefusal(deployment('awaiting_approval'));
    expect(formErrorText(busy)).toBe(
      'checkout is busy: deployment checkout-20240102150400-a1b2 by @U0REQUESTER is awaiting approval',
    );
    const notDeployer = reasonRefusal({
      code: 'not_deployer',
      params: { service: 'a<b>&c', allowed: { users: ['U0A'], usergroups: ['S0OPS'] } },
    });
    const text = formErrorText(notDeployer);
    expect(text).toContain('a<b>&c');
    expect(text).toContain('@U0A');
    expect(text).not.toMatch(/[*`]|&amp;|&lt;|<@/);
  });
});

describe('the App Home tab', () => {
  it('shows each service with its live slot, slots, active deployment and the slot kept for rollback', () => {
    const soaking = deployment('soaking', { requestReason: 'new pricing' });
    const kept: ForgottenSlot = {
      service: 'checkout',
      slot: 'blue',
      since: T0,
      ageMs: 3_600_000,
      why: 'kept for rollback during the soak',
      deploymentId: soaking.id,
    };
    const view = appHome({
      services: [
        overview('checkout', {
          live: 'green',
          slots: [
            { name: 'blue', state: 'idle' },
            { name: 'green', state: 'live', version: '1.42.0' },
          ],
          active: soaking,
          last: soaking,
          kept: [kept],
        }),
        overview('search', {
          live: undefined,
          liveSource: undefined,
          slots: [{ name: 'blue', state: 'unknown' }],
        }),
      ],
      now: T0 + 3_600_000,
    });
    expect(viewProblems(view, 'home')).toEqual([]);
    expect(view.callback_id).toBe(APP_HOME_CALLBACK_ID);
    const [checkout, search] = sectionTexts(view).filter((t) => /^\*(checkout|search)\*/.test(t));
    expect(checkout).toContain('Live: *green*');
    expect(checkout).toContain('• *green* — live\n    runs `1.42.0`');
    expect(checkout).toContain(
      `Active: 🟢 *soaking* → *green* · \`${soaking.id}\` requested by <@U0REQUESTER>`,
    );
    // Not the reason: every member may open the Home tab, and the service's channel may be private.
    expect(checkout).not.toContain('new pricing');
    expect(checkout).toMatch(/• \*blue\* kept for rollback until <!date\^/);
    expect(search).toContain('Live: _unknown_');
    expect(search).toContain('• *blue* — status unknown');
  });

  it('says when a slot is kept past its soak', () => {
    const soaking = deployment('soaking');
    const view = appHome({
      services: [
        overview('checkout', {
          active: soaking,
          kept: [
            { service: 'checkout', slot: 'blue', since: T0, ageMs: 1, why: 'kept', deploymentId: soaking.id },
          ],
        }),
      ],
      now: (soaking.teardownAt as number) + 60_000,
    });
    expect(JSON.stringify(view.blocks)).toContain('⚠️ *blue* kept past its soak: teardown was due <!date^');
  });

  it('keeps to 100 blocks with 200 services and says how many it left out', () => {
    const services = Array.from({ length: 200 }, (_, i) => overview(`svc-${i}`));
    const view = appHome({ services, now: T0 });
    expect(viewProblems(view, 'home')).toEqual([]);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const shown = sectionTexts(view).filter((t) => t.startsWith('*svc-'));
    expect(shown).toHaveLength(MAX_HOME_SERVICES);
    expect(JSON.stringify(view.blocks)).toContain(
      `…and ${200 - MAX_HOME_SERVICES} more service(s) not shown here`,
    );
  });

  it('caps a service’s kept slots and keeps its section under 3000 characters', () => {
    const kept: ForgottenSlot[] = Array.from({ length: 40 }, (_, i) => ({
      service: 'checkout',
      slot: `slot-${i}`,
      since: T0,
      ageMs: 1000,
      why: 'w'.repeat(500),
      deploymentId: `checkout-${i}`,
    }));
    const view = appHome({ services: [overview('checkout', { kept })], now: T0 });
    expect(viewProblems(view, 'home')).toEqual([]);
    const text = sectionTexts(view).find((t) => t.startsWith('*checkout*')) as string;
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text).toContain(`…and ${40 - MAX_HOME_LINES} more slots`);
  });
});

describe('the live slot by the records (when the load balancer cannot be read)', () => {
  it('is what the newest deployment that knows says', () => {
    const requested = deployment('requested', { fromSlot: null });
    expect(recordedLiveSlot([requested, deployment('done')])).toBe('green');
    expect(
      recordedLiveSlot([deployment('awaiting_approval', { fromSlot: 'blue' }), deployment('done')]),
    ).toBe('blue');
    expect(recordedLiveSlot([deployment('rolled_back')])).toBe('blue');
    expect(recordedLiveSlot([deployment('blocked', { fromSlot: 'green' }), deployment('done')])).toBe(
      'green',
    );
  });

  it('is unknown while traffic moves, and with no record', () => {
    expect(recordedLiveSlot([deployment('cutting_over'), deployment('done')])).toBeUndefined();
    expect(recordedLiveSlot([deployment('requested', { fromSlot: null })])).toBeUndefined();
    expect(recordedLiveSlot([])).toBeUndefined();
  });

  it('marks each configured slot live, idle, sharing or unknown', () => {
    const svc = serviceConfig();
    expect(slotStates(svc, 'green').map((s) => s.state)).toEqual(['idle', 'live']);
    expect(slotStates(svc, 'mixed').map((s) => s.state)).toEqual(['mixed', 'mixed']);
    expect(slotStates(svc, null).map((s) => s.state)).toEqual(['idle', 'idle']);
    expect(slotStates(svc, undefined).map((s) => s.state)).toEqual(['unknown', 'unknown']);
  });
});
