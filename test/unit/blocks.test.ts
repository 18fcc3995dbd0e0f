import { describe, expect, it } from 'vitest';
import { STATES } from '../../src/domain/deployment.js';
import { messageError } from '../../src/sandbox/slack-limits.js';
import {
  approvalPrompt,
  approvalResolved,
  cutoverFailedMessage,
  cutoverMessage,
  helpMessage,
  historyMessage,
  lockRefusal,
  precheckMessage,
  refusalMessage,
  reminderMessage,
  reminderResolved,
  requestAccepted,
  rollbackMessage,
  type SlackMessage,
  statusCard,
  statusList,
  teardownMessage,
  verificationMessage,
} from '../../src/slack/blocks/index.js';
import {
  deployment,
  EVIL,
  HOUR,
  HUGE_REASON,
  hugeHistory,
  hugePrecheck,
  hugeSwitch,
  hugeVerification,
  service,
  T0,
  TEARDOWN,
  unescaped,
} from '../helpers/block-fixtures.js';

const NOW = T0 + 2 * HOUR;
const svc = service({
  approvers: { users: Array.from({ length: 300 }, (_, i) => `U${i}APPROVER`), usergroups: ['S0SRE'] },
});

/** Every builder fed the largest and most hostile inputs we can think of. */
function hugeMessages(): [string, SlackMessage][] {
  const out: [string, SlackMessage][] = [];
  for (const state of STATES) {
    const d = deployment(state, { reason: HUGE_REASON });
    out.push([`statusCard(${state})`, statusCard(d, svc, NOW)]);
    out.push([`approvalResolved(${state})`, approvalResolved(d, svc)]);
    out.push([`reminderResolved(${state})`, reminderResolved(d, NOW)]);
    out.push([
      `lockRefusal(${state})`,
      lockRefusal(d, `https://example.slack.com/archives/C0DEPLOYS/p1${EVIL}`),
    ]);
  }
  const d = deployment('soaking', { reason: HUGE_REASON, history: [] });
  out.push(['precheckMessage', precheckMessage(hugePrecheck(), svc)]);
  out.push(['approvalPrompt', approvalPrompt(deployment('awaiting_approval'), svc)]);
  out.push(['cutoverMessage', cutoverMessage(d, hugeSwitch())]);
  out.push(['cutoverFailedMessage', cutoverFailedMessage(d, HUGE_REASON)]);
  out.push(['verificationMessage', verificationMessage(d, hugeVerification(), svc)]);
  out.push(['reminderMessage', reminderMessage(d, svc, NOW)]);
  out.push(['teardownMessage', teardownMessage(d, TEARDOWN)]);
  out.push(['rollbackMessage', rollbackMessage(d, hugeVerification(), d.cutover)]);
  out.push(['helpMessage', helpMessage(HUGE_REASON.repeat(3))]);
  out.push(['refusalMessage', refusalMessage(HUGE_REASON)]);
  out.push(['requestAccepted', requestAccepted(deployment('requested'), `https://x.slack.com/p1${EVIL}`)]);
  const items = Array.from({ length: 200 }, (_, i) => ({
    svc: service({ name: `svc-${i}${EVIL}` }),
    active: i % 2 ? deployment('soaking', { service: `svc-${i}` }) : null,
    last: i % 3 ? deployment('done', { finishedAt: T0 }) : null,
  }));
  out.push(['statusList', statusList(items, NOW)]);
  out.push(['historyMessage', historyMessage(`checkout${EVIL}`, hugeHistory())]);
  return out;
}

describe('every Block Kit builder with huge, hostile input', () => {
  const messages = hugeMessages();

  it.each(messages)('%s stays within Slack’s limits', (_name, msg) => {
    expect(messageError(msg.text, msg.blocks)).toBeNull();
    expect(msg.blocks.length).toBeLessThanOrEqual(50);
    expect(msg.text.length).toBeLessThan(4000);
  });

  it.each(messages)('%s escapes user and AWS text (no <!channel>, no foreign links)', (_name, msg) => {
    expect(unescaped(msg)).toEqual([]);
    expect(JSON.stringify(msg)).not.toContain('<!channel>');
    expect(JSON.stringify(msg)).not.toContain('<!here>');
  });

  it('shows that rows were left out instead of silently dropping them', () => {
    const precheck = JSON.stringify(precheckMessage(hugePrecheck(), svc));
    expect(precheck).toContain('…and 980 more targets');
    expect(precheck).toContain('…and 280 more forwards');
    expect(JSON.stringify(verificationMessage(deployment('verifying'), hugeVerification(), svc))).toContain(
      'more offenders',
    );
    expect(JSON.stringify(historyMessage('checkout', hugeHistory()))).toContain('…and 460 older events');
  });

  it('keeps escaped AWS text readable: & < > become entities, not dropped', () => {
    const msg = cutoverFailedMessage(deployment('failed'), 'a < b & c > d');
    expect(JSON.stringify(msg.blocks)).toContain('a &lt; b &amp; c &gt; d');
    expect(msg.text).toContain('a &lt; b &amp; c &gt; d');
  });
});

describe('limits checker used by the tests and the fake Slack', () => {
  it('rejects 51 blocks, a 3001-char section and a 76-char button label', () => {
    const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
    expect(
      messageError(
        'x',
        Array.from({ length: 51 }, () => section('x')),
      )?.error,
    ).toBe('invalid_blocks');
    expect(messageError('x', [section('x'.repeat(3001))])?.error).toBe('invalid_blocks');
    const btn = {
      type: 'button',
      text: { type: 'plain_text', text: 'x'.repeat(76) },
      action_id: 'a',
      value: 'v',
    };
    expect(messageError('x', [{ type: 'actions', elements: [btn] }])?.error).toBe('invalid_blocks');
    expect(messageError('x'.repeat(4000), [section('x')])?.error).toBe('msg_too_long');
  });
});
