import { describe, expect, it } from 'vitest';
import { type ParseContext, parseCommand } from '../../src/domain/command-parser.js';
import { requestReason } from '../../src/domain/commands/parsers.js';
import { type Command, helpText } from '../../src/domain/commands/table.js';

const services: ParseContext['services'] = {
  checkout: { channel: 'C0DEPLOYS', slots: ['blue', 'green'] },
  search: { channel: 'C0SHARED', slots: ['blue', 'green'] },
  catalog: { channel: 'C0SHARED', slots: ['a', 'b'] },
};
const ONE = 'C0DEPLOYS'; // serves checkout only
const TWO = 'C0SHARED'; // serves search and catalog
const NONE = 'C0RANDOM'; // serves nothing

const ctx = (channelId: string): ParseContext => ({ command: '/deploy', channelId, services });

describe('parseCommand: commands', () => {
  const cases: [string, string, string, Command][] = [
    [
      'deploys a named service to a slot',
      'checkout green',
      NONE,
      { name: 'deploy', service: 'checkout', slot: 'green' },
    ],
    [
      'deploys the channel service when only a slot is given',
      'green',
      ONE,
      { name: 'deploy', service: 'checkout', slot: 'green' },
    ],
    [
      'reads keywords, services and slots case-insensitively',
      'CheckOut GREEN',
      NONE,
      { name: 'deploy', service: 'checkout', slot: 'green' },
    ],
    [
      'collapses whitespace, tabs and newlines',
      '  checkout \t\n  blue  ',
      NONE,
      { name: 'deploy', service: 'checkout', slot: 'blue' },
    ],
    [
      'ignores zero-width characters inside words',
      'check\u200bout gr\u200ceen',
      NONE,
      { name: 'deploy', service: 'checkout', slot: 'green' },
    ],
    ['shows the status of everything where no single service is served', 'status', TWO, { name: 'status' }],
    [
      'shows the status of the channel service by default',
      'status',
      ONE,
      { name: 'status', service: 'checkout' },
    ],
    ['shows the status of a named service', 'STATUS search', ONE, { name: 'status', service: 'search' }],
    ['rolls back the channel service', 'rollback', ONE, { name: 'rollback', service: 'checkout' }],
    ['rolls back a named service', 'rollback catalog', TWO, { name: 'rollback', service: 'catalog' }],
    ['tears down the channel service now', 'teardown', ONE, { name: 'teardown', service: 'checkout' }],
    ['cancels a named service', 'cancel search', NONE, { name: 'cancel', service: 'search' }],
    ['shows history of the channel service', 'history', ONE, { name: 'history', service: 'checkout' }],
    [
      'extends the channel service by a duration',
      'extend 2h',
      ONE,
      { name: 'extend', service: 'checkout', durationMs: 7_200_000 },
    ],
    [
      'extends a named service by a compound duration',
      'extend search 1h30m',
      TWO,
      { name: 'extend', service: 'search', durationMs: 5_400_000 },
    ],
    [
      'accepts an extension of exactly 30 days',
      'extend checkout 30d',
      NONE,
      { name: 'extend', service: 'checkout', durationMs: 30 * 86_400_000 },
    ],
  ];
  it.each(cases)('%s', (_name, text, channel, command) => {
    expect(parseCommand(text, ctx(channel))).toEqual({ kind: 'command', command });
  });

  it('treats an entity-decoded ampersand as part of the word, not as a separator', () => {
    const r = parseCommand('checkout gr&amp;een', ctx(NONE));
    expect(r.kind).toBe('reply');
    expect(r.kind === 'reply' && r.text).toContain('Unknown slot `gr&amp;een`');
  });
});

describe('parseCommand: help and ignore', () => {
  it.each([
    ['', 'empty text'],
    ['   \n\t ', 'whitespace only'],
    ['help', 'help'],
    ['HELP me', 'help with words after it'],
    ['\u200b\u200b', 'zero-width characters only'],
  ])('replies with the help for %j (%s)', (text) => {
    expect(parseCommand(text, ctx(ONE))).toEqual({ kind: 'reply', text: helpText() });
  });

  it.each(['/greenlight', '/deploy-staging', '', 'deploy'])('ignores the slash command %j', (command) => {
    expect(parseCommand('checkout green', { command, channelId: ONE, services })).toEqual({ kind: 'ignore' });
  });

  it('documents every command in the help without raw angle brackets', () => {
    const help = helpText();
    for (const word of ['status', 'rollback', 'extend', 'teardown', 'cancel', 'history', 'help']) {
      expect(help).toContain(`/deploy ${word}`);
    }
    expect(help).toContain('/deploy &lt;service&gt; &lt;slot&gt;');
    expect(help).not.toMatch(/[<>]/);
  });
});

describe('parseCommand: replies that say what was wrong', () => {
  const cases: [string, string, string, string[]][] = [
    [
      'names the unknown service and lists the known ones',
      'chekout green',
      ONE,
      ['Unknown service `chekout`', 'known: checkout, search, catalog', 'Other commands: status, rollback'],
    ],
    [
      'names the unknown slot and the slots the service has',
      'checkout purple',
      NONE,
      ['Unknown slot `purple`', 'checkout has blue, green'],
    ],
    [
      'asks for the slot when only a service is given',
      'search',
      ONE,
      ['Missing slot', 'search', 'blue, green'],
    ],
    [
      'says which services exist and where when a channel serves none',
      'green',
      NONE,
      [
        'Which service should switch to `green`?',
        'serves no service',
        'checkout in <#C0DEPLOYS>',
        'search in <#C0SHARED>',
      ],
    ],
    [
      'says which services the channel serves when it serves several',
      'green',
      TWO,
      ['serves search, catalog', 'catalog in <#C0SHARED>'],
    ],
    [
      'rejects a second argument to rollback',
      'rollback checkout now',
      ONE,
      ['Too many arguments', '`now`', '/deploy rollback [service]'],
    ],
    [
      'rejects a second argument to status',
      'status checkout search',
      ONE,
      ['Too many arguments', '`search`'],
    ],
    [
      'asks which service to roll back in a shared channel',
      'rollback',
      TWO,
      ['Which service?', 'serves search, catalog'],
    ],
    [
      'asks which service to tear down in a channel without services',
      'teardown',
      NONE,
      ['Which service?', 'serves no service'],
    ],
    ['reports a missing duration', 'extend', ONE, ['Missing duration', '30s, 5m']],
    ['reports a missing duration after a service', 'extend checkout', NONE, ['Missing duration']],
    [
      'reports a word that is not a duration',
      'extend checkout soon',
      NONE,
      ['`soon` is not a duration', '/deploy extend [service] &lt;duration&gt;'],
    ],
    ['rejects a zero extension', 'extend checkout 0m', NONE, ['longer than 0']],
    ['rejects an extension over 30 days', 'extend checkout 31d', NONE, ['at most 30d', '`31d`']],
    ['rejects a negative extension', 'extend checkout -5m', NONE, ['`-5m` is not a duration']],
    ['rejects three arguments to extend', 'extend checkout 2h 3h', NONE, ['Too many arguments', '`3h`']],
    [
      'treats a reserved word as the command, never as a service',
      'status green',
      NONE,
      ['Unknown service `green`'],
    ],
  ];
  it.each(cases)('%s', (_name, text, channel, phrases) => {
    const r = parseCommand(text, ctx(channel));
    expect(r.kind).toBe('reply');
    const reply = r.kind === 'reply' ? r.text : '';
    for (const phrase of phrases) expect(reply).toContain(phrase);
    expect(reply).toContain('Usage');
  });
});

describe('parseCommand: a request with a reason', () => {
  const cases: [string, string, string, Command][] = [
    [
      'keeps the words after the slot as the reason, as typed',
      'checkout green 1.42.0: new pricing, JIRA-123',
      NONE,
      { name: 'deploy', service: 'checkout', slot: 'green', reason: '1.42.0: new pricing, JIRA-123' },
    ],
    [
      'reads a reason after the slot alone in a channel that serves one service',
      'green hotfix for the login bug',
      ONE,
      { name: 'deploy', service: 'checkout', slot: 'green', reason: 'hotfix for the login bug' },
    ],
    [
      'takes a service name first even where the channel serves one service',
      'search blue revert to last week',
      ONE,
      { name: 'deploy', service: 'search', slot: 'blue', reason: 'revert to last week' },
    ],
    [
      'joins the reason words with single spaces',
      'checkout   blue  \t because\n  reasons ',
      NONE,
      { name: 'deploy', service: 'checkout', slot: 'blue', reason: 'because reasons' },
    ],
  ];
  it.each(cases)('%s', (_name, text, channel, command) => {
    expect(parseCommand(text, ctx(channel))).toEqual({ kind: 'command', command });
  });

  it('cleans a reason as it cleans words: invisible characters dropped, one line (the form’s field too)', () => {
    expect(requestReason('  new\u202e pricing\u200b,\n\n JIRA-1\t')).toEqual({
      reason: 'new pricing, JIRA-1',
    });
    expect(requestReason(' \n ')).toEqual({});
    expect(requestReason('x'.repeat(301))).toEqual({ problem: expect.stringContaining('301 characters') });
  });

  it('records no reason when none is given', () => {
    const r = parseCommand('checkout green', ctx(NONE));
    expect(r.kind === 'command' && 'reason' in r.command).toBe(false);
  });

  it('refuses a reason longer than 300 characters, saying how long it was', () => {
    const r = parseCommand(`checkout green ${'a'.repeat(301)}`, ctx(NONE));
    expect(r.kind).toBe('reply');
    expect(r.kind === 'reply' && r.text).toContain('The reason is 301 characters long; at most 300 are kept');
    expect(parseCommand(`checkout green ${'a'.repeat(300)}`, ctx(NONE)).kind).toBe('command');
  });

  it('still names a mistyped service before the slot in a channel that serves one service', () => {
    const r = parseCommand('chekout green because', ctx(ONE));
    expect(r.kind === 'reply' && r.text).toContain('Unknown service `chekout`');
  });

  it('still names a mistyped slot', () => {
    const r = parseCommand('checkout gren because', ctx(NONE));
    expect(r.kind === 'reply' && r.text).toContain('Unknown slot `gren`');
  });
});

describe('parseCommand: hostile input', () => {
  const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/73e2d6bc24d8a067';
  const hostile: [string, string, string[], string[]][] = [
    ['a user mention', '<@U123> green', ['Unknown service `&lt;@U123&gt;`'], ['<@U123>']],
    ['a channel mention', '<!channel> green', ['&lt;!channel&gt;'], ['<!channel>']],
    ['a user-group mention', '<!subteam^S1> green', ['&lt;!subteam^S1&gt;'], ['<!subteam^S1>']],
    ['an entity-encoded mention as Slack sends it', '&lt;!here&gt; green', ['&lt;!here&gt;'], ['<!here>']],
    ['a plain @channel', '@channel green', ['@\u200bchannel'], ['@channel']],
    ['an ARN', `${ARN} green`, [`Unknown service \`${ARN.slice(0, 59)}…\``], ['73e2d6bc24d8a067']],
    ['a path', '../../etc/passwd green', ['Unknown service `../../etc/passwd`'], []],
    ['quotes and backticks', '"\'` green', ['Unknown service `"\'ˋ`'], ['"\'``']],
    ['a newline inside the service word', 'check\nout green', ['Unknown service `check`'], ['\n`']],
    ['control characters', 'check\u0007\u001bout green', ['Unknown service `check`'], ['\u0007', '\u001b']],
    ['emoji', '🚀🔥 green', ['Unknown service `🚀🔥`'], []],
    ['right-to-left override', '\u202ekcehc green', ['Unknown service `kcehc`'], ['\u202e']],
    ['Arabic text', 'مرحبا green', ['Unknown service `مرحبا`'], []],
    ['__proto__ as a service', '__proto__ green', ['Unknown service `__proto__`'], []],
    ['constructor as a service', 'constructor green', ['Unknown service `constructor`'], []],
    ['toString as a service', 'toString green', ['Unknown service `toString`'], []],
    ['hasOwnProperty as a slot', 'checkout hasOwnProperty', ['Unknown slot `hasOwnProperty`'], []],
    ['__proto__ as a status target', 'status __proto__', ['Unknown service `__proto__`'], []],
  ];
  it.each(hostile)('answers %s with a neutralised reply', (_name, text, present, absent) => {
    const r = parseCommand(text, ctx(ONE));
    expect(r.kind).toBe('reply');
    const reply = r.kind === 'reply' ? r.text : '';
    for (const p of present) expect(reply).toContain(p);
    for (const a of absent) expect(reply).not.toContain(a);
  });

  it('never resolves a prototype member as a service in a channel-less deploy', () => {
    const r = parseCommand('toString', ctx(ONE));
    expect(r.kind === 'reply' && r.text).toContain('Unknown slot `toString` — checkout has blue, green');
  });

  it('truncates a 10 KB word to about 60 characters with an ellipsis', () => {
    const r = parseCommand(`${'x'.repeat(10_240)} green`, ctx(ONE));
    const reply = r.kind === 'reply' ? r.text : '';
    expect(reply).toContain(`\`${'x'.repeat(59)}…\``);
    expect(reply).not.toContain('x'.repeat(61));
    expect(reply.length).toBeLessThan(2_000);
  });

  it('answers 10 KB of words with a reason too long and a bounded reply', () => {
    const r = parseCommand('checkout green '.repeat(700), ctx(ONE));
    const reply = r.kind === 'reply' ? r.text : '';
    expect(reply).toContain('at most 300 are kept');
    expect(reply.length).toBeLessThan(2_000);
  });

  it('does not split an emoji when truncating', () => {
    const r = parseCommand(`${'🚀'.repeat(100)} green`, ctx(ONE));
    const reply = r.kind === 'reply' ? r.text : '';
    expect(reply).toContain(`\`${'🚀'.repeat(59)}…\``);
    expect(reply).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it.each([
    ['a non-string text', 42 as unknown as string],
    ['undefined text', undefined as unknown as string],
  ])('replies with the help for %s instead of throwing', (_name, text) => {
    expect(parseCommand(text, ctx(ONE))).toEqual({ kind: 'reply', text: helpText() });
  });

  it('ignores a malformed context instead of throwing', () => {
    expect(parseCommand('checkout green', null as unknown as ParseContext)).toEqual({ kind: 'ignore' });
  });

  it('replies instead of throwing when the service list is malformed', () => {
    const bad = { command: '/deploy', channelId: ONE, services: { x: null } } as unknown as ParseContext;
    expect(parseCommand('x green', bad).kind).toBe('reply');
  });
});
