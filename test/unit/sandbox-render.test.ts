import { describe, expect, it } from 'vitest';
import { messageHtml, time } from '../../sandbox/page/message.js';
import { ALL_TITLE, dueIn, num, renderPanel, SKIP_TITLE } from '../../sandbox/page/panel.js';
import {
  angleToken,
  buttonsOf,
  escapeHtml,
  isoDate,
  mrkdwn,
  renderBlock,
  renderMessage,
} from '../../sandbox/page/render.js';
import { approvalPrompt } from '../../src/messages/approval.js';
import { deployment, service } from '../helpers/block-fixtures.js';

const names = {
  userName: (id: string) => ({ U0REQUESTER: 'riley', U0APPROVER: 'avery' })[id] ?? id,
  groupName: (id: string) => (id === 'S0SRE' ? 'sre-oncall' : id),
  channelName: (id: string) => (id === 'C0CHECKOUT' ? 'checkout' : id),
};

describe('the sandbox page renders Slack mrkdwn', () => {
  it('renders bold, italic, strike and inline code', () => {
    expect(mrkdwn('*live* on _green_ ~blue~ `i-0abc`')).toBe(
      '<strong>live</strong> on <em>green</em> <del>blue</del> <code>i-0abc</code>',
    );
  });

  it('leaves asterisks and underscores inside words and code alone', () => {
    expect(mrkdwn('snake_case_name and 2*3*4')).toBe('snake_case_name and 2*3*4');
    expect(mrkdwn('`*not bold*`')).toBe('<code>*not bold*</code>');
  });

  it('renders ``` blocks as preformatted text without formatting inside', () => {
    expect(mrkdwn('table:\n```a *b* <@U1>\n  c```')).toBe(
      'table:<br><pre class="code-block">a *b* &lt;@U1&gt;\n  c</pre>',
    );
  });

  it('turns user, group and channel tokens into names', () => {
    expect(mrkdwn('<@U0REQUESTER> asks <!subteam^S0SRE> in <#C0CHECKOUT>', names)).toBe(
      '<span class="mention">@riley</span> asks <span class="mention group">@sre-oncall</span> in ' +
        '<a class="channel-link" href="#" data-channel="C0CHECKOUT">#checkout</a>',
    );
  });

  it('shows a date token by its fallback text', () => {
    const html = mrkdwn('until <!date^1700000000^{date_short_pretty} at {time}|2023-11-14 22:13 UTC>');
    expect(html).toContain('>2023-11-14 22:13 UTC</time>');
    expect(html).toContain('datetime="2023-11-14T22:13:20.000Z"');
  });

  it('renders links with their label and refuses other schemes', () => {
    expect(angleToken('https://example.com/a?b=1&c=2|the docs')).toBe(
      '<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">the docs</a>',
    );
    expect(mrkdwn('<javascript:alert(1)|x>')).toBe('&lt;javascript:alert(1)|x&gt;');
  });

  it('marks a Slack permalink so the page can open the thread itself', () => {
    const html = angleToken(
      'https://greenlight-sandbox.slack.com/archives/C0CHECKOUT/p1700000000000100?thread_ts=1700000000.000100&cid=C0CHECKOUT|thread',
    );
    expect(html).toContain(
      'data-channel="C0CHECKOUT" data-ts="1700000000.000100" data-thread="1700000000.000100"',
    );
  });

  it('shows escaped text literally and never lets it become HTML', () => {
    expect(mrkdwn('a &lt;b&gt; &amp; <!channel> <script>x</script>')).toBe(
      'a &lt;b&gt; &amp; <span class="mention special">@channel</span> &lt;script&gt;x&lt;/script&gt;',
    );
    expect(mrkdwn('"quotes" & \'apostrophes\'')).toBe('&quot;quotes&quot; &amp; &#39;apostrophes&#39;');
  });

  it('renders quotes and line breaks', () => {
    expect(mrkdwn('&gt; quoted\nplain')).toBe('<blockquote>quoted</blockquote>plain');
    expect(mrkdwn('one\ntwo')).toBe('one<br>two');
  });

  it('escapes attribute values', () => {
    expect(escapeHtml(`"'<>&`)).toBe('&quot;&#39;&lt;&gt;&amp;');
  });
});

describe('the sandbox page renders Block Kit', () => {
  it('renders the approval prompt with Approve and Cancel buttons that carry their confirm dialogs', () => {
    const d = deployment('awaiting_approval', { fromSlot: 'blue', toSlot: 'green' });
    const msg = approvalPrompt(d, service());
    const html = renderMessage(msg, names);
    expect(html).toContain('<strong>Approval needed</strong>');
    expect(html).toContain('data-action-id="gl_approve"');
    expect(html).toContain('class="btn primary"');
    expect(html).toContain(
      'data-confirm="{&quot;title&quot;:{&quot;type&quot;:&quot;plain_text&quot;,&quot;text&quot;:&quot;Approve cutover?&quot;',
    );
    expect(buttonsOf(msg.blocks).map((b) => b.actionId)).toEqual(['gl_approve', 'gl_cancel']);
  });

  it('renders fields, context, header and divider blocks', () => {
    expect(
      renderBlock({ type: 'section', fields: [{ type: 'mrkdwn', text: '*Slot*\ngreen' }] }, 0),
    ).toContain('<div class="field"><strong>Slot</strong><br>green</div>');
    expect(renderBlock({ type: 'context', elements: [{ type: 'mrkdwn', text: '_note_' }] }, 0)).toBe(
      '<div class="block context"><span><em>note</em></span></div>',
    );
    expect(renderBlock({ type: 'header', text: { type: 'plain_text', text: '<b>Deploy</b>' } }, 0)).toBe(
      '<div class="block header">&lt;b&gt;Deploy&lt;/b&gt;</div>',
    );
    expect(renderBlock({ type: 'divider' }, 3)).toBe('<hr class="block divider">');
  });

  it('gives blocks without a block_id the id the page server expects', () => {
    const blocks = [
      { type: 'section', text: { type: 'mrkdwn', text: 'x' } },
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'A' } }],
      },
    ];
    expect(buttonsOf(blocks)).toEqual([{ actionId: 'a', blockId: 'b1', text: 'A' }]);
  });

  it('shows the text of a message without blocks, and a note for a block type it does not know', () => {
    expect(renderMessage({ text: 'plain *text*' })).toContain('plain <strong>text</strong>');
    expect(renderBlock({ type: 'rich_text' }, 0)).toContain('[unsupported block: rich_text]');
  });
});

describe('the sandbox page renders a message', () => {
  const people = (id: string) =>
    ({
      U0GREENLIGHT: { name: 'Greenlight', role: 'bot' },
      U0REQUESTER: { name: 'Riley Chen', role: 'requester' },
    })[id];
  const item = {
    id: 'e:1700000000.000100',
    kind: 'ephemeral' as const,
    channel: 'C0CHECKOUT',
    ts: '1700000000.000100',
    user: 'U0GREENLIGHT',
    forUser: 'U0REQUESTER',
    text: 'only *you*',
    order: 1,
    at: 0,
  };

  it('marks an ephemeral as only visible to you, with Dismiss, and the app with its badge', () => {
    const html = messageHtml(item, { people });
    expect(html).toContain('Only visible to you');
    expect(html).toContain('data-dismiss="e:1700000000.000100"');
    expect(html).toContain('<b>Greenlight</b><span class="app-badge">APP</span>');
    expect(html).toContain('only <strong>you</strong>');
  });

  it('links a thread parent to its replies', () => {
    const reply = {
      ...item,
      id: 'm:C0CHECKOUT:2',
      kind: 'message' as const,
      user: 'U0REQUESTER',
      ts: '2.000',
      at: 1,
    };
    const html = messageHtml({ ...item, kind: 'message' }, { people, replies: [reply, reply] });
    expect(html).toContain('data-open-thread="1700000000.000100"');
    expect(html).toContain('<b>2 replies</b>');
    expect(html).not.toContain('Only visible to you');
  });
});

describe('the sandbox side panel', () => {
  it('counts down to a scheduled job', () => {
    expect(dueIn(0)).toBe('now');
    expect(dueIn(42_000)).toBe('in 42s');
    expect(dueIn(185_000)).toBe('in 3m 05s');
  });

  it('shows each forward with its weights and each target with a toggle', () => {
    const html = renderPanel({
      aws: {
        now: 0,
        loadBalancer: { arn: 'lb', name: 'shop', dnsName: 'shop.elb' },
        traffic: null,
        forwards: [
          {
            listenerArn: 'l',
            port: 443,
            protocol: 'HTTPS',
            rule: 'default',
            conditions: 'any request',
            action: 'forward',
            weights: [{ targetGroupArn: 'g', name: 'checkout-green', weight: 1, percent: 100 }],
          },
        ],
        targetGroups: [
          {
            arn: 'g',
            name: 'checkout-green',
            service: 'checkout',
            slot: 'green',
            receivesTraffic: true,
            targets: [{ id: 'i-1', port: 80, state: 'healthy', answers: 'ok' }],
            requestsPerSecond: 0,
            periods: [],
          },
        ],
      },
      jobs: [],
    });
    expect(html).toContain('checkout-green <b>100%</b>');
    expect(html).toContain('data-health="unhealthy" data-tg="g" data-target="i-1"');
    expect(html).toContain('traffic model not running');
  });

  it('shows targets that AWS does not check (unused) and that are being checked (initial), with why', () => {
    const group = (state: string, reason: string) => ({
      arn: 'g',
      name: 'search-green',
      service: 'search',
      slot: 'green',
      receivesTraffic: false,
      targets: [{ id: 'i-1', port: 80, state, reason, answers: 'ok' as const }],
      requestsPerSecond: 0,
      periods: [],
    });
    const panel = (state: string, reason: string) =>
      renderPanel({
        aws: {
          now: 0,
          loadBalancer: null,
          traffic: null,
          forwards: [],
          targetGroups: [group(state, reason)],
        },
        jobs: [],
      });
    expect(panel('unused', 'Target.NotInUse')).toContain(
      '<span class="pill unused" title="not health-checked: no forward names this target group (Target.NotInUse)">unused</span>',
    );
    expect(panel('initial', 'Elb.InitialHealthChecking')).toContain(
      'title="being checked: health known after the group’s threshold of checks (Elb.InitialHealthChecking)">initial</span>',
    );
  });
});

describe('the sandbox page survives what people and bugs put in a message', () => {
  const people = (id: string) =>
    id === 'U0REQUESTER' ? { name: 'Riley Chen', role: 'requester' } : undefined;
  const item = (over: Record<string, unknown>) => ({
    id: 'm:C0CHECKOUT:1700000000.000100',
    kind: 'message' as const,
    channel: 'C0CHECKOUT',
    ts: '1700000000.000100',
    user: 'U0REQUESTER',
    text: 'hello',
    order: 1,
    at: 1_700_000_000_000,
    ...over,
  });

  it('shows a date token out of range by its fallback text instead of throwing', () => {
    expect(mrkdwn('<!date^99999999999999^x|y>')).toBe('y');
    expect(mrkdwn('<!date^99999999999999999999999999^{date}>')).toBe(
      '&lt;!date^99999999999999999999999999^{date}&gt;',
    );
    expect(mrkdwn(`<!date^${'9'.repeat(400)}^x|later>`)).toBe('later');
    expect(isoDate('99999999999999')).toBeUndefined();
    expect(isoDate('1700000000')).toBe('2023-11-14T22:13:20.000Z');
  });

  it('drops typed placeholder marks so text cannot point at markup held for a token', () => {
    expect(mrkdwn('<@U0APPROVER> \uE0000\uE001 \uE0009\uE001', names)).toBe(
      '<span class="mention">@avery</span> 0 9',
    );
  });

  it('renders one bad message as its plain text with a note, never throwing', () => {
    const bad = {
      text: 'fallback <b>text</b> &amp; more',
      blocks: [
        {
          type: 'section',
          get text(): unknown {
            throw new Error('boom');
          },
        },
      ],
    };
    const html = renderMessage(bad);
    expect(html).toContain('fallback &lt;b&gt;text&lt;/b&gt; &amp; more');
    expect(html).toContain('could not render this message (boom)');
    const all = [
      item({ id: 'a', text: 'before' }),
      item({ id: 'b', ...bad }),
      item({ id: 'c', text: 'after' }),
    ]
      .map((i) => messageHtml(i, { people }))
      .join('');
    expect(all).toContain('before');
    expect(all).toContain('after');
  });

  it('renders a message whose surroundings cannot be read (a throwing lookup) as its plain text', () => {
    const throwing = () => {
      throw new Error('no such person');
    };
    const html = messageHtml(item({ text: 'still *shown*' }), { people: throwing });
    expect(html).toContain('still *shown*');
    expect(html).toContain('could not render this message (no such person)');
    expect(html).toContain('data-item="m:C0CHECKOUT:1700000000.000100"');
  });

  it('ignores elements and fields that are not lists', () => {
    expect(renderBlock({ type: 'actions', elements: 'oops' }, 0)).toBe('<div class="block actions"></div>');
    expect(renderBlock({ type: 'context', elements: { a: 1 } }, 0)).toBe('<div class="block context"></div>');
    expect(renderBlock({ type: 'section', fields: 'x', text: { type: 'mrkdwn', text: 'ok' } }, 0)).toBe(
      '<div class="block section"><div class="section-main"><div class="section-text">ok</div></div></div>',
    );
    expect(buttonsOf([{ type: 'actions', elements: { type: 'button' } }, null] as unknown[])).toEqual([]);
    expect(buttonsOf('nope' as unknown as unknown[])).toEqual([]);
    expect(renderMessage({ blocks: [{ type: 'actions', elements: 42 }] })).toBe(
      '<div class="block actions"></div>',
    );
  });

  it('shows no time for a time that is not a number or out of range', () => {
    expect(time(Number.NaN)).toBe('');
    expect(time(9e15)).toBe('');
    expect(time('soon' as unknown as number)).toBe('');
    expect(time(1_700_000_000_000)).not.toBe('');
    expect(messageHtml(item({ at: Number.POSITIVE_INFINITY }), { people })).toContain(
      '<span class="ts"></span>',
    );
  });

  it('never shows NaN in the side panel', () => {
    expect(dueIn(Number.NaN)).toBe('');
    expect(dueIn('x')).toBe('');
    expect(num(Number.NaN, 7)).toBe(7);
    const html = renderPanel({
      aws: {
        now: Number.NaN,
        loadBalancer: null,
        traffic: { periodMs: 0 },
        forwards: [
          {
            listenerArn: 'l',
            port: 443,
            protocol: 'HTTPS',
            rule: 'default',
            conditions: 'any request',
            action: 'forward',
            weights: [{ targetGroupArn: 'g', name: 'g', weight: Number.NaN, percent: 'wide' }],
          },
        ],
        targetGroups: [{ arn: 'g', name: 'g', periods: 'none', targets: null, requestsPerSecond: null }],
      },
      jobs: [{ id: 'j', name: 'remind', dueAt: Number.NaN }],
    } as never);
    expect(html).not.toContain('NaN');
    expect(html).toContain('<b>0%</b>');
  });

  it("says in the skip button's tooltip that it skips only soak deadlines", () => {
    const html = renderPanel({
      aws: { now: 0, loadBalancer: null, traffic: null, forwards: [], targetGroups: [] },
      jobs: [{ id: 'approval-expiry-x', name: 'approval-expiry', dueAt: 60_000 }],
    } as never);
    expect(SKIP_TITLE).toMatch(/soak deadline.*reminder.*teardown.*never expires an open approval prompt/);
    expect(html).toContain(`data-ff="next" title="${escapeHtml(SKIP_TITLE)}"`);
    expect(html).toContain(`data-ff="all" title="${escapeHtml(ALL_TITLE)}"`);
  });
});
