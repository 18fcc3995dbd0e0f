import { describe, expect, it } from 'vitest';
import type { SlackMessage } from '../../src/app/ports/slack.js';
import { STATES, type State } from '../../src/domain/states.js';
import {
  ACTIONS,
  approvalPrompt,
  approvalResolved,
  type Button,
  decodeActionValue,
  lockRefusal,
  reminderMessage,
  reminderResolved,
  requestAccepted,
  statusCard,
  statusList,
  verificationMessage,
} from '../../src/messages/index.js';
import { deployment, HOUR, offenders, service, T0 } from '../helpers/block-fixtures.js';

const svc = service();
const NOW = T0 + 2 * HOUR;

function buttons(msg: SlackMessage): Button[] {
  return msg.blocks.flatMap((b) => (b.type === 'actions' ? (b.elements as Button[]) : []));
}
const ids = (msg: SlackMessage) => buttons(msg).map((b) => b.action_id);
const json = (msg: SlackMessage) => JSON.stringify(msg.blocks);

describe('statusCard', () => {
  const expected: Partial<Record<State, string[]>> = {
    soaking: [ACTIONS.rollback, ACTIONS.extend, ACTIONS.teardownNow],
    verifying: [ACTIONS.rollback],
  };
  it.each(STATES)('in state %s shows exactly the buttons that state allows', (state) => {
    expect(ids(statusCard(deployment(state), svc, NOW))).toEqual(expected[state] ?? []);
  });

  it('offers Rollback on a failed deployment whose traffic may be on the new slot', () => {
    const d = deployment('failed', {
      cutover: { startedAt: T0, finishedAt: T0 + 1000, awsMs: 500, changed: 1 },
    });
    expect(ids(statusCard(d, svc, NOW))).toEqual([ACTIONS.rollback]);
  });

  it('offers no Rollback on a failure before the switch or after teardown started', () => {
    expect(ids(statusCard(deployment('failed'), svc, NOW))).toEqual([]);
    const torn = deployment('failed', {
      cutover: { startedAt: T0, finishedAt: T0 + 1000, awsMs: 500, changed: 1 },
      teardownStartedAt: T0 + HOUR,
    });
    expect(ids(statusCard(torn, svc, NOW))).toEqual([]);
  });

  it('asks for confirmation before Rollback and Tear down now, both styled danger', () => {
    const [rollback, , teardown] = buttons(statusCard(deployment('soaking'), svc, NOW));
    for (const b of [rollback, teardown]) {
      expect(b?.style).toBe('danger');
      expect(b?.confirm?.confirm?.text.length).toBeGreaterThan(0);
    }
    expect(rollback?.confirm?.text.text).toBe('Send all traffic of checkout back to blue?');
  });

  it('labels Extend with the service soak and carries it and the current teardown time in the value', () => {
    const d = deployment('soaking');
    const extend = buttons(statusCard(d, service({ soakMs: 2 * HOUR }), NOW))[1];
    expect(extend?.text.text).toContain('2h');
    expect(decodeActionValue(extend?.value ?? '')).toEqual({
      deploymentId: 'checkout-20240102150400-a1b2',
      extendMs: 2 * HOUR,
      teardownAt: d.teardownAt,
    });
  });

  it('refuses to decode a button value whose teardown time is not a timestamp', () => {
    expect(decodeActionValue('{"deploymentId":"checkout-1","teardownAt":"soon"}')).toBeNull();
    expect(decodeActionValue('{"deploymentId":"checkout-1","teardownAt":-5}')).toBeNull();
  });

  it('says while soaking that the new slot is live and until when the old one is kept', () => {
    const d = deployment('soaking');
    const card = statusCard(d, svc, NOW);
    expect(json(card)).toContain(
      `live on *green* — *blue* kept until <!date^${Math.floor((d.teardownAt ?? 0) / 1000)}^`,
    );
    expect(card.text).toContain('checkout: blue → green — live on green');
  });

  it('names the state in the headline while awaiting approval', () => {
    expect(statusCard(deployment('awaiting_approval'), svc, NOW).text).toBe(
      '✋ checkout: blue → green — awaiting approval',
    );
  });

  it('shows the outcome, who ended it and the reason in terminal states', () => {
    const d = deployment('cancelled', {
      reason: { code: 'cancelled', params: { user: 'U0CANCELLER' } },
      history: [{ at: T0, event: 'cancel', from: 'awaiting_approval', to: 'cancelled', by: 'U0CANCELLER' }],
    });
    const card = json(statusCard(d, svc, NOW));
    expect(card).toContain('Cancelled* by <@U0CANCELLER>');
    expect(card).toContain('*Reason:* cancelled by <@U0CANCELLER>');
  });

  it('names requester and approver', () => {
    const card = json(statusCard(deployment('soaking'), svc, NOW));
    expect(card).toContain('<@U0REQUESTER>');
    expect(card).toContain('<@U0APPROVER>');
  });
});

describe('approval prompt', () => {
  const d = deployment('awaiting_approval');

  it('has Approve (primary, confirmed) and Cancel (confirmed) buttons for this deployment', () => {
    const [approve, cancel] = buttons(approvalPrompt(d, svc));
    expect(approve?.action_id).toBe(ACTIONS.approve);
    expect(approve?.style).toBe('primary');
    expect(approve?.confirm?.text.text).toBe('Switch all traffic of checkout to green?');
    expect(cancel?.action_id).toBe(ACTIONS.cancel);
    expect(cancel?.confirm).toBeDefined();
    expect(decodeActionValue(approve?.value ?? '')?.deploymentId).toBe(d.id);
  });

  it('names the requester, who can approve and when it expires', () => {
    const text = json(approvalPrompt(d, svc));
    expect(text).toContain('<@U0REQUESTER>');
    expect(text).toContain('<@U0APPROVER>, <!subteam^S0SRE>');
    expect(text).toContain(`Expires <!date^${Math.floor((d.approvalExpiresAt ?? 0) / 1000)}^`);
  });

  it('tells approvers how to reach green first: its preview header, and a command when a URL is set', () => {
    const sections = (svcOf: typeof svc) =>
      (approvalPrompt(d, svcOf).blocks as { text?: { text: string } }[]).map((b) => b.text?.text ?? '');
    const preview = (svcOf: typeof svc) => sections(svcOf).find((t) => t.startsWith('🔎')) ?? '';
    expect(preview(svc)).toBe(
      '🔎 *Preview* *green*: requests with the header `X-Greenlight-Slot: checkout/green` reach it now (its preview rule); every other request still goes to *blue*. Send some to the load balancer and try it before you approve.',
    );
    const withUrl = { ...svc, preview: { ...svc.preview, url: 'https://shop.example.com/checkout' } };
    expect(preview(withUrl)).toContain(
      "Try it: `curl -H 'X-Greenlight-Slot: checkout/green' https://shop.example.com/checkout`",
    );
    const byHost = {
      ...svc,
      preview: { listenerArn: svc.preview.listenerArn, host: '{slot}.checkout.preview.example.com' },
    };
    expect(preview(byHost)).toContain('requests for the host `green.checkout.preview.example.com`');
    expect(preview(byHost)).toContain('Try it: `curl https://green.checkout.preview.example.com/`');
  });

  it('replaces the buttons with the outcome once approved', () => {
    const resolved = approvalResolved(deployment('cutting_over', { approvedBy: 'U0APPROVER' }));
    expect(buttons(resolved)).toEqual([]);
    expect(json(resolved)).toContain('Approved by <@U0APPROVER> — cutting over');
  });

  it.each([
    ['cancelled', 'Cancelled'],
    ['expired', 'Expired'],
    ['blocked', 'Blocked'],
  ] as const)('replaces the buttons with "%s" when the prompt closes that way', (state, word) => {
    const resolved = approvalResolved(
      deployment(state, { reason: { code: 'text', params: { text: 'r' } } }),
      svc,
    );
    expect(buttons(resolved)).toEqual([]);
    expect(json(resolved)).toContain(word);
  });
});

describe('verification message', () => {
  const d = deployment('verifying');

  it('reports a pass without buttons', () => {
    const msg = verificationMessage(
      d,
      { readBackOk: true, offenders: [], listenersScanned: 2, rulesScanned: 7 },
      svc,
    );
    expect(buttons(msg)).toEqual([]);
    expect(json(msg)).toContain('scanned 2 listener(s) / 7 rule(s): no forward sends traffic to *blue*');
  });

  it('names every offender and pings requester and approvers with a Rollback button', () => {
    const bad = offenders(2);
    const msg = verificationMessage(
      d,
      { readBackOk: true, offenders: bad, listenersScanned: 2, rulesScanned: 7 },
      svc,
    );
    const text = json(msg);
    expect(text).toContain('port 443, default action, weight 100');
    expect(text).toContain('port 443, rule priority `1`, weight 100');
    for (const o of bad) expect(text).toContain(o.ruleArn);
    expect(text).toContain('<@U0REQUESTER>, <@U0APPROVER>, <!subteam^S0SRE>');
    expect(ids(msg)).toEqual([ACTIONS.rollback]);
  });

  it('fails when the read-back failed even with no offender', () => {
    const msg = verificationMessage(
      d,
      { readBackOk: false, offenders: [], listenersScanned: 1, rulesScanned: 1 },
      svc,
    );
    expect(ids(msg)).toEqual([ACTIONS.rollback]);
  });
});

describe('teardown reminder', () => {
  const d = deployment('soaking');

  it('mentions requester and approvers, says when the old slot goes, and offers Extend and Tear down now', () => {
    const msg = reminderMessage(d, svc, NOW);
    expect(msg.text).toContain('<@U0REQUESTER>, <@U0APPROVER>, <!subteam^S0SRE>');
    expect(json(msg)).toContain('*blue* of *checkout* will be torn down <!date^');
    expect(ids(msg)).toEqual([ACTIONS.extend, ACTIONS.teardownNow]);
  });

  it.each([
    ['soaking', 'Extended'],
    ['tearing_down', 'being torn down'],
    ['done', 'was torn down'],
    ['rolled_back', 'Rolled back'],
  ] as const)('drops its buttons once the deployment is %s', (state, words) => {
    const msg = reminderResolved(deployment(state), NOW);
    expect(buttons(msg)).toEqual([]);
    expect(json(msg)).toContain(words);
  });
});

describe('replies', () => {
  it('names the lock holder, its state and links the thread', () => {
    const msg = lockRefusal(
      deployment('awaiting_approval'),
      'https://x.slack.com/archives/C0DEPLOYS/p1700000000000100',
    );
    expect(json(msg)).toContain(
      'is busy: deployment `checkout-20240102150400-a1b2` by <@U0REQUESTER> is awaiting approval — <https://x.slack.com/archives/C0DEPLOYS/p1700000000000100|see thread>',
    );
  });

  it('does not link a permalink that is not an http(s) URL', () => {
    const msg = lockRefusal(deployment('soaking'), 'javascript:alert(1)');
    expect(json(msg)).not.toContain('javascript:');
  });

  it('tells the requester where to follow the deployment', () => {
    const msg = requestAccepted(deployment('requested'));
    expect(msg.text).toBe('Deployment checkout-20240102150400-a1b2 requested; follow it in <#C0DEPLOYS>');
  });

  it('lists each service with its active deployment or last outcome', () => {
    const msg = statusList(
      [
        { svc, active: deployment('soaking'), last: null },
        {
          svc: service({ name: 'search', channel: 'C0SEARCH' }),
          active: null,
          last: deployment('done', { finishedAt: T0 }),
        },
        { svc: service({ name: 'idle' }), active: null, last: null },
      ],
      NOW,
    );
    const text = json(msg);
    expect(text).toContain('*checkout* (<#C0DEPLOYS>): 🟢 live on *green*');
    expect(text).toContain('*search* (<#C0SEARCH>): idle — last: ✅ done');
    expect(text).toContain('*idle* (<#C0DEPLOYS>): idle — no deployment yet');
  });
});
