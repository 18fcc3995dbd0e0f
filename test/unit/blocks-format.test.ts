import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  decodeActionValue,
  encodeActionValue,
  esc,
  escKeepMentions,
  helpMessage,
  mention,
  refusalMessage,
  sections,
  slackDate,
  truncate,
} from '../../src/messages/index.js';

describe('action values', () => {
  it('round-trips a deployment id and an extension', () => {
    const value = encodeActionValue({ deploymentId: 'checkout-20240102150400-a1b2', extendMs: 3_600_000 });
    expect(decodeActionValue(value)).toEqual({
      deploymentId: 'checkout-20240102150400-a1b2',
      extendMs: 3_600_000,
    });
    expect(value.length).toBeLessThanOrEqual(2000);
  });

  it('uses the agreed action ids', () => {
    expect(ACTIONS).toEqual({
      approve: 'gl_approve',
      cancel: 'gl_cancel',
      rollback: 'gl_rollback',
      extend: 'gl_extend',
      teardownNow: 'gl_teardown_now',
    });
  });

  it.each([
    '',
    'not json',
    'null',
    '[]',
    '"checkout-1"',
    '{}',
    '{"deploymentId":42}',
    '{"deploymentId":"a:b"}',
    '{"deploymentId":"<!channel>"}',
    '{"deploymentId":"ok-1","extendMs":-5}',
    '{"deploymentId":"ok-1","extendMs":"1h"}',
    '{"deploymentId":"ok-1","extendMs":1.5}',
    `{"deploymentId":"${'a'.repeat(2100)}"}`,
    '{"__proto__":{"deploymentId":"x"}}',
  ])('rejects the forged or broken value %j without throwing', (value) => {
    expect(decodeActionValue(value)).toBeNull();
  });

  it('refuses to encode an id that could not be decoded', () => {
    expect(() => encodeActionValue({ deploymentId: 'a:b' })).toThrow(RangeError);
  });
});

describe('escaping and truncation', () => {
  it('escapes &, < and > and is idempotent', () => {
    expect(esc('a < b & c > d')).toBe('a &lt; b &amp; c &gt; d');
    expect(esc(esc('<!channel> & co'))).toBe(esc('<!channel> & co'));
  });

  it('keeps mentions and channel links but escapes broadcasts and links', () => {
    expect(escKeepMentions('<@U123> in <#C456> <!subteam^S1> <!channel> <https://x.io|x>')).toBe(
      '<@U123> in <#C456> <!subteam^S1> &lt;!channel&gt; &lt;https://x.io|x&gt;',
    );
  });

  it('never cuts inside an entity or a Slack token', () => {
    expect(truncate('abcd &amp; efg', 8)).toBe('abcd …');
    expect(truncate(`see ${slackDate(0)} now`, 12)).toBe('see …');
    expect(truncate('short', 10)).toBe('short');
  });

  it('does not leave half an emoji when cutting', () => {
    const cut = truncate('ab😀cd', 4);
    expect(cut).toBe('ab…');
  });

  it('formats dates as Slack date tokens with a UTC fallback', () => {
    expect(slackDate(Date.UTC(2024, 0, 2, 15, 4))).toBe(
      '<!date^1704207840^{date_short_pretty} at {time}|2024-01-02 15:04 UTC>',
    );
  });

  it('mentions only well-formed user ids', () => {
    expect(mention('U0APPROVER')).toBe('<@U0APPROVER>');
    expect(mention('<!channel>')).toBe('&lt;!channel&gt;');
  });

  it('packs lines into sections of at most 3000 characters and says how many were left out', () => {
    const blocks = sections(
      Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(90)}`),
      3,
    );
    expect(blocks).toHaveLength(3);
    for (const b of blocks) expect(b.text?.text.length).toBeLessThanOrEqual(3000);
    expect(blocks[2]?.text?.text).toMatch(/more lines not shown/);
  });
});

describe('help and refusals', () => {
  it('shows the full help when given no text', () => {
    expect(JSON.stringify(helpMessage('', '1.0.0').blocks)).toContain('/deploy');
    expect(JSON.stringify(helpMessage('', '9.8.7').blocks)).toContain('Greenlight 9.8.7');
  });

  it('passes refusal text through, keeping mentions and escaping broadcasts', () => {
    const msg = refusalMessage('<@U0APPROVER> must approve, not you. <!here>');
    expect(msg.text).toBe('<@U0APPROVER> must approve, not you. &lt;!here&gt;');
  });
});

describe('degenerate input', () => {
  it('never produces an empty section text (Slack rejects it)', () => {
    expect(refusalMessage('').blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: '…' } }]);
  });
});
