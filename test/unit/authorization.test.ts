import { describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../src/config/schema.js';
import {
  type Actor,
  canApprove,
  canCancel,
  canExtend,
  canRequest,
  canRollback,
  canTeardownNow,
  type Decision,
  groupsToResolve,
  isApprover,
} from '../../src/domain/authorization.js';
import { mentionList } from '../../src/domain/mentions.js';
import { serviceConfig } from '../helpers/service-config.js';

const base: ServiceConfig = serviceConfig({ approvers: { users: ['U0APPROVER'], usergroups: ['S0SRE'] } });
const withDeployers: ServiceConfig = {
  ...base,
  deployers: { users: ['U0DEV'], usergroups: ['S0DEVS', 'S0SRE'] },
};
const selfOk: ServiceConfig = { ...base, allowSelfApproval: true };

const approverUser: Actor = { userId: 'U0APPROVER', groups: [] };
const sreMember: Actor = { userId: 'U0SRE', groups: ['S0OTHER', 'S0SRE'] };
const dev: Actor = { userId: 'U0DEV', groups: [] };
const devGroupMember: Actor = { userId: 'U0TEAM', groups: ['S0DEVS'] };
const stranger: Actor = { userId: 'U0NOBODY', groups: ['S0OTHER'] };
const byDev = { requester: 'U0DEV' };
const bySre = { requester: 'U0SRE' };

const APPROVERS = '<@U0APPROVER>, <!subteam^S0SRE>';

type Case = [string, () => Decision, true | string[]];

function expectDecision(decision: Decision, expected: true | string[]): void {
  if (expected === true) {
    expect(decision).toEqual({ ok: true });
    return;
  }
  expect(decision.ok).toBe(false);
  const message = decision.ok ? '' : decision.message;
  for (const phrase of expected) expect(message).toContain(phrase);
}

describe('authorization decisions', () => {
  const cases: Case[] = [
    ['anyone may request when deployers are not configured', () => canRequest(base, stranger), true],
    ['a listed deployer may request', () => canRequest(withDeployers, dev), true],
    ['a member of a deployer group may request', () => canRequest(withDeployers, devGroupMember), true],
    [
      'an approver may request even when not listed as a deployer',
      () => canRequest(withDeployers, approverUser),
      true,
    ],
    [
      'a stranger may not request when deployers are configured, and is told who may',
      () => canRequest(withDeployers, stranger),
      [
        'Only deployers and approvers of *checkout*',
        '<@U0DEV>',
        '<@U0APPROVER>',
        '<!subteam^S0DEVS>',
        '<!subteam^S0SRE>',
      ],
    ],
    [
      'a listed approver may approve someone else’s deployment',
      () => canApprove(base, byDev, approverUser),
      true,
    ],
    ['a member of an approver group may approve', () => canApprove(base, byDev, sreMember), true],
    [
      'a non-approver may not approve and is told who may',
      () => canApprove(base, byDev, stranger),
      [`Only approvers of *checkout* can approve: ${APPROVERS}.`],
    ],
    [
      'the requester may not approve their own deployment',
      () => canApprove(base, bySre, sreMember),
      [
        'You requested this deployment; *checkout* needs someone else to approve it (allowSelfApproval is off).',
        `Approvers: ${APPROVERS}.`,
      ],
    ],
    [
      'the requester may approve their own deployment when self-approval is allowed',
      () => canApprove(selfOk, bySre, sreMember),
      true,
    ],
    [
      'self-approval being allowed does not make a non-approver an approver',
      () => canApprove(selfOk, byDev, dev),
      ['Only approvers of *checkout* can approve'],
    ],
    ['the requester may cancel', () => canCancel(base, byDev, dev), true],
    ['an approver may cancel', () => canCancel(base, byDev, sreMember), true],
    [
      'a stranger may not cancel and is told who may',
      () => canCancel(base, byDev, stranger),
      ['Only the requester (<@U0DEV>) or an approver of *checkout* can cancel', APPROVERS],
    ],
    ['the requester may roll back', () => canRollback(base, byDev, dev), true],
    ['an approver may roll back', () => canRollback(base, byDev, approverUser), true],
    [
      'a stranger may not roll back',
      () => canRollback(base, byDev, stranger),
      ['Only the requester (<@U0DEV>) or an approver of *checkout* can roll back', APPROVERS],
    ],
    ['an approver may extend the soak', () => canExtend(base, sreMember), true],
    [
      'the requester who is not an approver may not extend the soak',
      () => canExtend(base, dev),
      [`Only approvers of *checkout* can extend the soak: ${APPROVERS}.`],
    ],
    ['an approver may tear down early', () => canTeardownNow(base, approverUser), true],
    [
      'a non-approver may not tear down early',
      () => canTeardownNow(base, devGroupMember),
      [`Only approvers of *checkout* can tear the previous slot down early: ${APPROVERS}.`],
    ],
  ];

  it.each(cases)('%s', (_name, decide, expected) => {
    expectDecision(decide(), expected);
  });
});

describe('isApprover', () => {
  it.each([
    ['a listed user', approverUser, true],
    ['a member of a listed group', sreMember, true],
    ['a user in unrelated groups', stranger, false],
    ['a user whose id matches a group id', { userId: 'S0SRE', groups: [] }, false],
    ['a user claiming a group id that matches a user id', { userId: 'U0X', groups: ['U0APPROVER'] }, false],
  ] as [string, Actor, boolean][])('is %s → %s', (_name, actor, expected) => {
    expect(isApprover(base, actor)).toBe(expected);
  });
});

describe('mentionList', () => {
  it.each([
    [{ users: ['U1'], usergroups: ['S1'] }, '<@U1>, <!subteam^S1>'],
    [{ users: ['U1', 'W2'], usergroups: [] }, '<@U1>, <@W2>'],
    [{ users: [], usergroups: ['S1', 'S2'] }, '<!subteam^S1>, <!subteam^S2>'],
    [{ users: [], usergroups: [] }, 'nobody'],
  ])('renders %j as %j', (people, expected) => {
    expect(mentionList(people)).toBe(expected);
  });
});

describe('groupsToResolve', () => {
  it('lists approver groups when no deployers are configured', () => {
    expect(groupsToResolve(base)).toEqual(['S0SRE']);
  });

  it('lists approver and deployer groups once each', () => {
    expect(groupsToResolve(withDeployers)).toEqual(['S0SRE', 'S0DEVS']);
  });

  it('lists nothing when only users are named', () => {
    expect(groupsToResolve({ ...base, approvers: { users: ['U1'], usergroups: [] } })).toEqual([]);
  });
});
