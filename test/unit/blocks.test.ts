import { describe, expect, it } from 'vitest';
import { messageError } from '../../sandbox/slack-limits.js';
import type { SlackMessage } from '../../src/app/ports/slack.js';
import type { DeploymentReason } from '../../src/domain/reasons.js';
import { STATES } from '../../src/domain/states.js';
import {
  approvalPrompt,
  approvalResolved,
  cutoverFailedMessage,
  cutoverMessage,
  gateAlertMessage,
  helpMessage,
  historyMessage,
  hookResultMessage,
  lockRefusal,
  precheckMessage,
  refusalMessage,
  reminderMessage,
  reminderResolved,
  requestAccepted,
  rollbackMessage,
  statusCard,
  statusList,
  teardownMessage,
  trafficMessage,
  verificationMessage,
} from '../../src/messages/index.js';
import {
  breaches,
  deployment,
  ECS_SCALE_DOWN,
  EVIL,
  HOUR,
  HUGE_REASON,
  hookResult,
  hugeHistory,
  hugePrecheck,
  hugeSwitch,
  hugeTraffic,
  hugeVerification,
  service,
  T0,
  TEARDOWN,
  unescaped,
} from '../helpers/block-fixtures.js';

const NOW = T0 + 2 * HOUR;
/** A 10 KB hostile AWS error as a deployment's reason. */
const HUGE: DeploymentReason = { code: 'failure', params: { step: 'cutover', detail: HUGE_REASON } };
const svc = service({
  approvers: { users: Array.from({ length: 300 }, (_, i) => `U${i}APPROVER`), usergroups: ['S0SRE'] },
  hourlyCost: { blue: 987_654.32, green: 0.7 },
});
const HUGE_EXCERPT = `${EVIL} `.repeat(Math.ceil(10_240 / (EVIL.length + 1)));
const SECRET_URL = `https://hooks.example.com/deploy/${'p'.repeat(3000)}?token=secret&x=${EVIL}`;

/** The builders added for traffic evidence, gates, hooks, scale-down and cost. */
function hugeEvidenceMessages(): [string, SlackMessage][] {
  const out: [string, SlackMessage][] = [];
  // Service and slot names are validated config (lower-case words); reports and texts are hostile.
  const d = deployment('verifying', { reason: HUGE });
  for (const verdict of ['drained', 'waiting', 'not_drained', 'unreadable'] as const)
    out.push([`trafficMessage(${verdict})`, trafficMessage(d, hugeTraffic(verdict), svc, NOW)]);
  for (const autoRollback of [true, false])
    for (const during of ['verification', 'soak'] as const)
      out.push([
        `gateAlertMessage(auto=${autoRollback}, ${during})`,
        gateAlertMessage(d, breaches(100, true), svc, { autoRollback, during }),
      ]);
  for (const hook of ['beforeCutover', 'afterCutover', 'beforeTeardown'] as const) {
    const result = hookResult({
      hook,
      url: SECRET_URL,
      ok: false,
      status: 500,
      excerpt: HUGE_EXCERPT,
      attempts: 3,
    });
    out.push([`hookResultMessage(${hook})`, hookResultMessage(d, result)]);
  }
  out.push([
    'hookResultMessage(no answer)',
    hookResultMessage(d, hookResult({ url: SECRET_URL, ok: false, status: null, excerpt: HUGE_EXCERPT })),
  ]);
  out.push([
    'teardownMessage(extra)',
    teardownMessage(d, TEARDOWN, {
      scaleDown: {
        ...ECS_SCALE_DOWN,
        target: HUGE_REASON,
        reachedZero: false,
        remaining: 3,
        error: HUGE_REASON,
      },
      hook: hookResult({ hook: 'beforeTeardown', url: SECRET_URL, excerpt: HUGE_EXCERPT }),
      cost: { hourly: 987_654.32, soFar: 1e12, extendAdds: 1e9 },
    }),
  ]);
  out.push([
    'teardownMessage(webhook scale-down)',
    teardownMessage(d, TEARDOWN, {
      scaleDown: { kind: 'webhook', target: SECRET_URL, reachedZero: true, remaining: 0, waitedMs: 1000 },
    }),
  ]);
  const forgotten = Array.from({ length: 300 }, (_, i) => ({
    service: `svc-${i}${EVIL}`,
    slot: `blue${EVIL}`,
    since: T0,
    ageMs: NOW - T0,
    cost: i * 1000.5,
    why: HUGE_REASON,
    deploymentId: `svc-${i}${EVIL}`,
  }));
  const items = Array.from({ length: 200 }, (_, i) => ({
    svc: service({ name: `svc-${i}${EVIL}` }),
    active: i % 2 ? deployment('soaking', { service: `svc-${i}` }) : null,
    last: null,
  }));
  out.push(['statusList(forgotten)', statusList(items, NOW, forgotten)]);
  out.push(['statusCard(soaking, cost)', statusCard(deployment('soaking', { reason: HUGE }), svc, NOW)]);
  out.push(['reminderMessage(cost)', reminderMessage(deployment('soaking'), svc, NOW)]);
  return out;
}

/** Every builder fed the largest and most hostile inputs we can think of. */
function hugeMessages(): [string, SlackMessage][] {
  const out: [string, SlackMessage][] = [];
  for (const state of STATES) {
    const d = deployment(state, { reason: HUGE });
    out.push([`statusCard(${state})`, statusCard(d, svc, NOW)]);
    out.push([`approvalResolved(${state})`, approvalResolved(d, svc)]);
    out.push([`reminderResolved(${state})`, reminderResolved(d, NOW)]);
    out.push([
      `lockRefusal(${state})`,
      lockRefusal(d, `https://example.slack.com/archives/C0DEPLOYS/p1${EVIL}`),
    ]);
  }
  const d = deployment('soaking', { reason: HUGE, history: [] });
  out.push(['precheckMessage', precheckMessage(hugePrecheck(), svc)]);
  out.push(['approvalPrompt', approvalPrompt(deployment('awaiting_approval'), svc)]);
  out.push(['cutoverMessage', cutoverMessage(d, hugeSwitch())]);
  out.push(['cutoverFailedMessage', cutoverFailedMessage(d, HUGE)]);
  out.push(['verificationMessage', verificationMessage(d, hugeVerification(), svc)]);
  out.push(['reminderMessage', reminderMessage(d, svc, NOW)]);
  out.push(['teardownMessage', teardownMessage(d, TEARDOWN)]);
  out.push(['rollbackMessage', rollbackMessage(d, hugeVerification(), d.cutover)]);
  out.push(['helpMessage', helpMessage(HUGE_REASON.repeat(3), '1.0.0')]);
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
  const messages = [...hugeMessages(), ...hugeEvidenceMessages()];

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

  it('never shows a hook URL’s query string, which may hold a token', () => {
    for (const [name, msg] of hugeEvidenceMessages()) {
      const all = JSON.stringify(msg);
      expect(all, name).not.toContain('secret');
      expect(all, name).not.toContain('token=');
    }
  });

  it('shows at most 300 characters of a hook response, inside one code block', () => {
    const msg = hookResultMessage(deployment('cutting_over'), hookResult({ excerpt: 'x'.repeat(10_240) }));
    const excerpt = JSON.stringify(msg.blocks).match(/```(x+…)```/)?.[1];
    expect(excerpt?.length).toBe(300);
  });

  it('keeps the newest traffic periods and says how many older ones were left out', () => {
    const msg = trafficMessage(deployment('verifying'), hugeTraffic('waiting'), svc, NOW);
    const table = JSON.stringify(msg.blocks);
    expect(table).toMatch(/… \d+ earlier period\(s\) not shown/);
    const last = T0 + 180_000 + 499 * 60_000;
    const hhmm = new Date(last).toISOString().slice(11, 16);
    expect(table).toContain(`${hhmm} │`);
  });

  it('caps gate breaches at 20 rows and counts the rest', () => {
    const msg = gateAlertMessage(deployment('soaking'), breaches(100), svc, {
      autoRollback: false,
      during: 'soak',
    });
    expect(JSON.stringify(msg.blocks)).toContain('…and 80 more breaches');
  });

  it('keeps escaped AWS text readable: & < > become entities, not dropped', () => {
    const msg = cutoverFailedMessage(deployment('failed'), {
      code: 'failure',
      params: { step: 'cutover', detail: 'a < b & c > d' },
    });
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
