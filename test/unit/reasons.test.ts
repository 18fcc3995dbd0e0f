/**
 * The words of every reason (src/messages/reasons.ts): the refusals the domain returns, the
 * reasons a deployment ends with, and how the messages that show a reason render it. The domain
 * tests (authorization, state machine) check the codes and parameters; this checks the text,
 * which is exactly what Slack showed when the domain wrote it itself.
 */
import { describe, expect, it } from 'vitest';
import {
  type Actor,
  canApprove,
  canCancel,
  canExtend,
  canRequest,
  canRollback,
  canTeardownNow,
  canUnlock,
  type Decision,
  inServiceChannel,
} from '../../src/domain/authorization.js';
import type { DeploymentReason, DeploymentRef, Reason } from '../../src/domain/reasons.js';
import { FAILURE_STEPS } from '../../src/domain/reasons.js';
import { STATES } from '../../src/domain/states.js';
import { describeState, EVENT_TYPES } from '../../src/domain/transitions/rules.js';
import {
  approvalResolved,
  cutoverFailedMessage,
  reasonRefusal,
  refusalMessage,
  renderReason,
  rollbackMessage,
  statusCard,
  teardownMessage,
} from '../../src/messages/index.js';
import { deployment, HOUR, service, T0, TEARDOWN } from '../helpers/block-fixtures.js';
import { serviceConfig } from '../helpers/service-config.js';

const DAY = 24 * HOUR;

function refused(decision: Decision): Reason {
  if (decision.ok) throw new Error('expected a refusal');
  return decision.reason;
}

describe('authorization refusals', () => {
  const base = serviceConfig({ approvers: { users: ['U0APPROVER'], usergroups: ['S0SRE'] } });
  const withDeployers = { ...base, deployers: { users: ['U0DEV'], usergroups: ['S0DEVS', 'S0SRE'] } };
  const stranger: Actor = { userId: 'U0NOBODY', groups: ['S0OTHER'] };
  const sreMember: Actor = { userId: 'U0SRE', groups: ['S0SRE'] };
  const byDev = { requester: 'U0DEV' };
  const APPROVERS = '<@U0APPROVER>, <!subteam^S0SRE>';

  it.each([
    [
      'a stranger requesting where deployers are configured',
      () => canRequest(withDeployers, stranger),
      'Only deployers and approvers of *checkout* can deploy it: <@U0DEV>, <@U0APPROVER>, <!subteam^S0DEVS>, <!subteam^S0SRE>.',
    ],
    [
      'a non-approver approving',
      () => canApprove(base, byDev, stranger),
      `Only approvers of *checkout* can approve: ${APPROVERS}.`,
    ],
    [
      'the requester approving their own deployment',
      () => canApprove(base, { requester: 'U0SRE' }, sreMember),
      `You requested this deployment; *checkout* needs someone else to approve it (allowSelfApproval is off). Approvers: ${APPROVERS}.`,
    ],
    [
      'a stranger cancelling',
      () => canCancel(base, byDev, stranger),
      `Only the requester (<@U0DEV>) or an approver of *checkout* can cancel this deployment. Approvers: ${APPROVERS}.`,
    ],
    [
      'a stranger rolling back',
      () => canRollback(base, byDev, stranger),
      `Only the requester (<@U0DEV>) or an approver of *checkout* can roll back this deployment. Approvers: ${APPROVERS}.`,
    ],
    [
      'a non-approver extending',
      () => canExtend(base, stranger),
      `Only approvers of *checkout* can extend the soak: ${APPROVERS}.`,
    ],
    [
      'a non-approver tearing down early',
      () => canTeardownNow(base, stranger),
      `Only approvers of *checkout* can tear the previous slot down early: ${APPROVERS}.`,
    ],
    [
      'a non-approver unlocking',
      () => canUnlock(base, stranger),
      `Only approvers of *checkout* can unlock it (break-glass): ${APPROVERS}.`,
    ],
    [
      'a change typed in another channel',
      () => inServiceChannel(base, 'checkout green', 'C0ELSEWHERE'),
      '`/deploy checkout green` for *checkout* is taken only in <#C0DEPLOYS>, where its deployments are announced: nothing was done. Run it there.',
    ],
  ] as const)('%s is refused in words that name the rule and who may act', (_name, decide, text) => {
    const why = refused(decide());
    expect(renderReason(why)).toBe(text);
    // The Slack listeners reply with it as an ephemeral refusal, the mentions kept.
    expect(reasonRefusal(why)).toEqual(refusalMessage(text));
    expect(reasonRefusal(why).text).toBe(text);
  });

  it('says "nobody" when no one may act, and shows an invalid id escaped, never as a mention', () => {
    const empty = { ...base, approvers: { users: [], usergroups: [] } };
    expect(renderReason(refused(canExtend(empty, stranger)))).toBe(
      'Only approvers of *checkout* can extend the soak: nobody.',
    );
    const odd = { ...base, approvers: { users: ['<!channel>'], usergroups: [] } };
    expect(reasonRefusal(refused(canExtend(odd, stranger))).text).toBe(
      'Only approvers of *checkout* can extend the soak: &lt;@&lt;!channel&gt;&gt;.',
    );
  });
});

describe('state machine refusals', () => {
  const ref = (over: Partial<DeploymentRef> = {}): DeploymentRef => ({
    service: 'checkout',
    fromSlot: 'blue',
    toSlot: 'green',
    state: 'soaking',
    ...over,
  });

  it('say in plain words what state the deployment is in and when the action is possible', () => {
    expect(renderReason({ code: 'event_not_allowed', params: { deployment: ref(), event: 'approve' } })).toBe(
      'The checkout deployment (blue → green) is soaking; approving is only possible while it awaits approval.',
    );
  });

  it('name the target slot alone before the precheck has read the live slot', () => {
    const deployment = ref({ fromSlot: null, state: 'requested' });
    expect(renderReason({ code: 'event_not_allowed', params: { deployment, event: 'approve' } })).toBe(
      'The checkout deployment (to green) is waiting for its precheck; approving is only possible while it awaits approval.',
    );
  });

  const everyPair = STATES.flatMap((state) => EVENT_TYPES.map((event) => ({ state, event })));
  it.each(everyPair)(
    'name the deployment and its state when $event is refused in $state',
    ({ state, event }) => {
      const text = renderReason({ code: 'event_not_allowed', params: { deployment: ref({ state }), event } });
      expect(text).toContain('The checkout deployment');
      expect(text).toContain(describeState(state));
      expect(text).toMatch(/ is only possible .+\.$/);
      if (state === 'failed' || state === 'expired') expect(text).toContain(` has ${describeState(state)};`);
      if (state === 'rolled_back') expect(text).toContain(' has been rolled back;');
    },
  );

  it('tell a late approver how to request the deployment again', () => {
    expect(
      renderReason({ code: 'approval_closed', params: { deployment: ref({ state: 'awaiting_approval' }) } }),
    ).toBe(
      'The checkout deployment (blue → green) can no longer be approved: its approval prompt expired. Request it again with `/deploy checkout green`.',
    );
  });

  it.each([
    ['rolled_back', 'The checkout deployment (blue → green) was already rolled back.'],
    [
      'not_switched',
      'The checkout deployment (blue → green) failed before traffic was switched; there is nothing to roll back.',
    ],
    [
      'torn_down',
      'The checkout deployment (blue → green) failed after the teardown of the old slot started; rolling back is no longer possible.',
    ],
  ] as const)('say why a failed deployment cannot be rolled back (%s)', (why, text) => {
    const deployment = ref({ state: 'failed' });
    expect(renderReason({ code: 'rollback_impossible', params: { deployment, why } })).toBe(text);
  });

  it.each([
    [
      {
        code: 'not_due',
        params: { deployment: ref({ state: 'awaiting_approval' }), what: 'approval_expiry', inMs: 90_000 },
      },
      'The approval prompt of The checkout deployment (blue → green) does not expire for another 1m30s.',
    ],
    [
      { code: 'not_due', params: { deployment: ref(), what: 'teardown', inMs: 1 } },
      'The teardown of The checkout deployment (blue → green) is not due for another 1ms.',
    ],
    [
      { code: 'invalid_duration', params: { what: 'approval_timeout', got: Number.NaN } },
      'The approval timeout must be a positive duration (got NaN).',
    ],
    [
      { code: 'invalid_duration', params: { what: 'verify_window', got: 0 } },
      'The verify window must be a positive duration (got 0).',
    ],
    [
      { code: 'extend_out_of_range', params: { maxMs: 30 * DAY } },
      'The soak can be extended by a positive duration of at most 30d at a time.',
    ],
    [
      { code: 'soak_cap', params: { maxMs: 30 * DAY, roomMs: 9 * DAY } },
      "The soak can last at most 30d in total, counted from the cutover's verification; it can still be extended by up to 9d.",
    ],
    [
      { code: 'soak_cap', params: { maxMs: 30 * DAY, roomMs: 59_999 } },
      "The soak can last at most 30d in total, counted from the cutover's verification; it cannot be extended any more. Tear down now, or deploy to this slot again to start over.",
    ],
    [
      { code: 'unknown_event', params: { type: 'launch_missiles' } },
      'Unknown deployment event "launch_missiles".',
    ],
    [{ code: 'deployment_missing', params: { id: 'checkout-1' } }, 'Deployment checkout-1 does not exist.'],
    [
      { code: 'service_busy', params: { service: 'checkout', holder: 'checkout-2' } },
      'checkout is busy with deployment checkout-2; finish or cancel it first.',
    ],
  ] as [Reason, string][])('word %j', (why, text) => {
    expect(renderReason(why)).toBe(text);
  });
});

describe('why a deployment ended', () => {
  it.each([
    [{ code: 'cancelled', params: { user: 'U0REQ' } }, 'cancelled by <@U0REQ>'],
    [{ code: 'rollback_requested', params: { user: 'U0APPROVER' } }, 'rollback requested by <@U0APPROVER>'],
    [
      { code: 'unlocked', params: { user: 'U0APPROVER', state: 'cutting_over' } },
      'unlocked by <@U0APPROVER> (break-glass) while it was cutting over',
    ],
    [
      { code: 'unlocked', params: { user: 'U0APPROVER', state: 'requested' } },
      'unlocked by <@U0APPROVER> (break-glass) while it was waiting for its precheck',
    ],
    [{ code: 'approval_expired', params: {} }, 'nobody approved it before the approval prompt expired'],
    [
      { code: 'failure', params: { step: 'precheck', detail: 'AccessDenied: no' } },
      'could not read the load balancer: AccessDenied: no',
    ],
    [{ code: 'failure', params: { step: 'cutover', detail: 'Throttling' } }, 'cutover failed: Throttling'],
    [
      { code: 'failure', params: { step: 'verify', detail: 'Throttling' } },
      'Could not read the load balancer back (not verified): Throttling',
    ],
    [{ code: 'failure', params: { step: 'teardown', detail: 'Throttling' } }, 'teardown failed: Throttling'],
    [{ code: 'failure', params: { step: 'rollback', detail: 'Throttling' } }, 'rollback failed: Throttling'],
    [
      { code: 'stopped', params: { step: 'precheck', detail: 'green target i-1 is unhealthy.' } },
      'green target i-1 is unhealthy.',
    ],
    [{ code: 'gave_up', params: { job: 'cutover', why: 'boom' } }, 'The cutover job gave up: boom'],
    [
      { code: 'gave_up', params: { job: 'verify', why: 'boom' } },
      'The verify job gave up: boom (not verified)',
    ],
    [
      { code: 'gate_breached', params: { summary: 'green answered 9% 5xx.' } },
      'Health gate breached: green answered 9% 5xx.',
    ],
    [
      { code: 'gate_breached', params: { summary: 'green answered 9% 5xx.', rollback: 'verification' } },
      'Automatic rollback: health gate breached during verification. green answered 9% 5xx.',
    ],
    [
      { code: 'gate_breached', params: { summary: 'green answered 9% 5xx.', rollback: 'soak' } },
      'Automatic rollback: health gate breached during soak. green answered 9% 5xx.',
    ],
    [{ code: 'text', params: { text: 'cancelled by <@U0OLD>' } }, 'cancelled by <@U0OLD>'],
  ] as [DeploymentReason, string][])('words %j', (why, text) => {
    expect(renderReason(why)).toBe(text);
  });

  it('has words for every failed step', () => {
    for (const step of FAILURE_STEPS) {
      expect(renderReason({ code: 'failure', params: { step, detail: 'x' } })).toMatch(/^[A-Za-z ()]+: x$/);
    }
  });
});

describe('messages that show a reason', () => {
  const svc = service();
  const NOW = T0 + 2 * HOUR;
  const cancelled: DeploymentReason = { code: 'cancelled', params: { user: 'U0REQUESTER' } };
  /** The same reason as an earlier version stored it: its text. */
  const asText = (why: DeploymentReason): DeploymentReason => ({
    code: 'text',
    params: { text: renderReason(why) },
  });

  it('show a coded reason exactly as the text an earlier version stored', () => {
    const reasons: DeploymentReason[] = [
      cancelled,
      { code: 'unlocked', params: { user: 'U0APPROVER', state: 'soaking' } },
      { code: 'failure', params: { step: 'cutover', detail: 'a < b & c > d <!channel> <@U0X>' } },
      { code: 'gate_breached', params: { summary: 'green answered 9% 5xx.', rollback: 'soak' } },
    ];
    for (const why of reasons) {
      for (const state of STATES) {
        const coded = deployment(state, { reason: why });
        const legacy = deployment(state, { reason: asText(why) });
        expect(statusCard(coded, svc, NOW)).toEqual(statusCard(legacy, svc, NOW));
        expect(approvalResolved(coded, svc)).toEqual(approvalResolved(legacy, svc));
      }
      const d = deployment('rolled_back', { reason: why });
      expect(rollbackMessage(d, null)).toEqual(rollbackMessage({ ...d, reason: asText(why) }, null));
      const done = deployment('done', { reason: why });
      expect(teardownMessage(done, TEARDOWN)).toEqual(
        teardownMessage({ ...done, reason: asText(why) }, TEARDOWN),
      );
      const failed = deployment('failed', { reason: why });
      expect(cutoverFailedMessage(failed)).toEqual(cutoverFailedMessage({ ...failed, reason: asText(why) }));
    }
  });

  it('keep our mentions in blocks, escape everything else, and keep fallback text plain', () => {
    const card = statusCard(deployment('cancelled', { reason: cancelled }), svc, NOW);
    expect(JSON.stringify(card.blocks)).toContain('*Reason:* cancelled by <@U0REQUESTER>');
    expect(card.text).toContain(' — cancelled by &lt;@U0REQUESTER&gt;');
    const hostile: DeploymentReason = {
      code: 'failure',
      params: { step: 'verify', detail: '<!channel> & <https://x|y>' },
    };
    const failed = JSON.stringify(statusCard(deployment('failed', { reason: hostile }), svc, NOW).blocks);
    expect(failed).toContain(
      '*Reason:* Could not read the load balancer back (not verified): &lt;!channel&gt; &amp; &lt;https://x|y&gt;',
    );
  });

  it('say "unknown reason" when a failed cutover has none', () => {
    const msg = cutoverFailedMessage(deployment('failed'));
    expect(msg.text).toContain('failed: unknown reason');
  });
});
