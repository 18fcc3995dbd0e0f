/** The command table drives the parser, the help, the Slack dispatch and the buttons. */
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/domain/command-parser.js';
import {
  APPROVE,
  BUTTONS,
  COMMANDS,
  commandSpec,
  helpText,
  RESERVED_WORDS,
  usageLine,
} from '../../src/domain/commands/table.js';
import { ACTIONS } from '../../src/messages/index.js';
import { HANDLERS } from '../../src/slack/command-handler.js';

const services = {
  checkout: { channel: 'C0DEPLOYS', slots: ['blue', 'green'] },
  search: { channel: 'C0SHARED', slots: ['blue', 'green'] },
};
const parse = (text: string) => parseCommand(text, { command: '/deploy', channelId: 'C0RANDOM', services });

describe('the command table', () => {
  it('has the commands, in order, with their usage strings unchanged', () => {
    expect(COMMANDS.map((c) => [c.name, c.usage])).toEqual([
      ['deploy', '`/deploy &lt;service&gt; &lt;slot&gt; [reason…]`'],
      ['status', '`/deploy status [service]`'],
      ['rollback', '`/deploy rollback [service]`'],
      ['extend', '`/deploy extend [service] &lt;duration&gt;`'],
      ['teardown', '`/deploy teardown [service]`'],
      ['cancel', '`/deploy cancel [service]`'],
      ['history', '`/deploy history [service]`'],
      ['unlock', '`/deploy unlock [service]`'],
      ['help', '`/deploy help`'],
    ]);
  });

  it('reserves every command word but the fallback, in table order', () => {
    const fallbacks = COMMANDS.filter((c) => c.fallback).map((c) => c.name);
    expect(fallbacks).toEqual(['deploy']);
    expect(RESERVED_WORDS).toEqual(COMMANDS.map((c) => c.name).filter((n) => n !== 'deploy'));
    expect(RESERVED_WORDS).toEqual([
      'status',
      'rollback',
      'extend',
      'teardown',
      'cancel',
      'history',
      'unlock',
      'help',
    ]);
  });

  it('gives every reserved word a usage and a help line, and the help lists every entry in order', () => {
    const lines = helpText().split('\n');
    for (const word of RESERVED_WORDS) {
      const spec = commandSpec(word);
      expect(spec.usage).toMatch(new RegExp(`^\`/deploy ${word}[ \`]`));
      expect(spec.help.length).toBeGreaterThan(0);
    }
    expect(lines.slice(1, -1)).toEqual(COMMANDS.map((c) => `• ${c.usage} — ${c.help}`));
  });

  it('renders the help text exactly as before', () => {
    expect(helpText()).toBe(
      [
        '*Greenlight* switches a service between its blue and green slots on the load balancer.',
        '• `/deploy &lt;service&gt; &lt;slot&gt; [reason…]` — check the slot, ask for approval, switch all traffic to it (e.g. `/deploy checkout green 1.42.0: new pricing, JIRA-123`); the reason is shown to approvers and kept in the audit. In a channel that serves one service: `/deploy &lt;slot&gt; [reason…]`.',
        '• `/deploy status [service]` — the current deployment and the live slot.',
        '• `/deploy rollback [service]` — send traffic back to the previous slot (until it is torn down).',
        '• `/deploy extend [service] &lt;duration&gt;` — keep the previous slot longer before teardown (a duration such as 30s, 5m, 2h, 1d or 1h30m; at most 30d).',
        '• `/deploy teardown [service]` — tear the previous slot down now instead of at the end of the soak.',
        '• `/deploy cancel [service]` — cancel a deployment that has not switched traffic yet.',
        '• `/deploy history [service]` — recent deployments.',
        '• `/deploy unlock [service]` — break-glass (approvers): end a stuck deployment and free the service; says what the load balancer looks like.',
        '• `/deploy help` — this help.',
        '`[service]` may be left out in a channel that serves exactly one service.',
      ].join('\n'),
    );
  });

  it.each(RESERVED_WORDS.filter((w) => w !== 'help'))(
    'sends %s to its own parser, whose replies end with its usage',
    (word) => {
      const r = parse(`${word.toUpperCase()} a b c d`);
      expect(r.kind).toBe('reply');
      expect(r.kind === 'reply' && r.text.endsWith(`\n${usageLine(word)}`)).toBe(true);
      expect(usageLine(word)).toBe(
        `Usage: ${commandSpec(word).usage} — \`/deploy help\` lists every command.`,
      );
    },
  );

  it('answers help from the table and sends any other first word to the fallback (deploy)', () => {
    expect(parse('help')).toEqual({ kind: 'reply', text: helpText() });
    const r = parse('nosuch green');
    expect(r.kind === 'reply' && r.text).toContain(
      `${usageLine('deploy')}\nOther commands: ${RESERVED_WORDS.join(', ')}.`,
    );
    expect(parse('deploy checkout green').kind).toBe('reply');
    expect(parse('checkout green')).toEqual({
      kind: 'command',
      command: { name: 'deploy', service: 'checkout', slot: 'green' },
    });
  });

  it('takes a command that changes a service only in its channel; reading works anywhere', () => {
    expect(Object.fromEntries(COMMANDS.map((c) => [c.name, c.intent.serviceChannel]))).toEqual({
      deploy: true,
      status: false,
      rollback: true,
      extend: true,
      teardown: true,
      cancel: true,
      history: false,
      unlock: true,
      help: false,
    });
  });

  it('registers exactly one Slack handler for every handler the table names', () => {
    const named = new Set(COMMANDS.map((c) => c.intent.handler));
    expect(Object.keys(HANDLERS).sort()).toEqual([...named].sort());
    for (const h of Object.values(HANDLERS)) expect(typeof h).toBe('function');
  });
});

describe('buttons and commands share one intent', () => {
  const actor = { userId: 'U1', groups: [] };

  it('maps every button action id to a table intent, and every intent with a button to its id', () => {
    const ids = Object.values(ACTIONS);
    expect([...BUTTONS.keys()].sort()).toEqual([...ids].sort());
    const intents = [APPROVE, ...COMMANDS.map((c) => c.intent)];
    for (const id of ids) expect(intents).toContain(BUTTONS.get(id));
    for (const i of intents) {
      if ('button' in i && i.button !== undefined) expect(BUTTONS.get(i.button)).toBe(i);
    }
  });

  it('records the same event from a button as from its command', () => {
    const svc = { soakMs: 1_000 } as Parameters<typeof APPROVE.event>[1];
    const byButton = Object.fromEntries(
      Object.entries(ACTIONS).map(([name, id]) => [name, BUTTONS.get(id)?.event(actor, svc, 5).type]),
    );
    expect(byButton).toEqual({
      approve: 'approve',
      cancel: 'cancel',
      rollback: 'rollback',
      extend: 'extend',
      teardownNow: 'teardown_now',
    });
    for (const name of ['rollback', 'extend', 'teardown', 'cancel'] as const) {
      const intent = commandSpec(name).intent;
      expect(intent.handler).toBe('change');
      expect(intent.handler === 'change' && intent.button && BUTTONS.get(intent.button)).toBe(intent);
    }
  });

  it('rolls back the deployment that last moved traffic; the other changes act on the current one', () => {
    const actsOn = Object.fromEntries(
      COMMANDS.flatMap((c) => (c.intent.handler === 'change' ? [[c.name, c.intent.actsOn]] : [])),
    );
    expect(actsOn).toEqual({
      rollback: 'lastToMoveTraffic',
      extend: 'current',
      teardown: 'current',
      cancel: 'current',
      unlock: 'current',
    });
  });

  it('has no button for unlock (break-glass is a typed command only)', () => {
    const unlock = commandSpec('unlock').intent;
    expect('button' in unlock ? unlock.button : undefined).toBeUndefined();
  });
});
