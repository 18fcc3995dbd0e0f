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
  groupsToResolve,
  inServiceChannel,
  isApprover,
} from '../../src/domain/authorization.js';
import type { RefusalReason } from '../../src/domain/reasons.js';
import type { ServiceConfig } from '../../src/domain/service.js';
import { mentionList } from '../../src/messages/mentions.js';
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

/** The approvers of `base`, as a refusal names them (test/unit/reasons.test.ts checks the words). */
const APPROVERS = { users: ['U0APPROVER'], usergroups: ['S0SRE'] };

type Case = [string, () => Decision, true | RefusalReason];

function expectDecision(decision: Decision, expected: true | RefusalReason): void {
  if (expected === true) {
    expect(decision).toEqual({ ok: true });
    return;
  }
  expect(decision).toEqual({ ok: false, reason: expected });
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
      {
        code: 'not_deployer',
        params: {
          service: 'checkout',
          allowed: { users: ['U0DEV', 'U0APPROVER'], usergroups: ['S0DEVS', 'S0SRE'] },
        },
      },
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
      { code: 'not_approver', params: { service: 'checkout', action: 'approve', approvers: APPROVERS } },
    ],
    [
      'the requester may not approve their own deployment',
      () => canApprove(base, bySre, sreMember),
      { code: 'self_approval', params: { service: 'checkout', approvers: APPROVERS } },
    ],
    [
      'the requester may approve their own deployment when self-approval is allowed',
      () => canApprove(selfOk, bySre, sreMember),
      true,
    ],
    [
      'self-approval being allowed does not make a non-approver an approver',
      () => canApprove(selfOk, byDev, dev),
      { code: 'not_approver', params: { service: 'checkout', action: 'approve', approvers: APPROVERS } },
    ],
    ['the requester may cancel', () => canCancel(base, byDev, dev), true],
    ['an approver may cancel', () => canCancel(base, byDev, sreMember), true],
    [
      'a stranger may not cancel and is told who may',
      () => canCancel(base, byDev, stranger),
      {
        code: 'not_requester_or_approver',
        params: { service: 'checkout', action: 'cancel', requester: 'U0DEV', approvers: APPROVERS },
      },
    ],
    ['the requester may roll back', () => canRollback(base, byDev, dev), true],
    ['an approver may roll back', () => canRollback(base, byDev, approverUser), true],
    [
      'a stranger may not roll back',
      () => canRollback(base, byDev, stranger),
      {
        code: 'not_requester_or_approver',
        params: { service: 'checkout', action: 'rollback', requester: 'U0DEV', approvers: APPROVERS },
      },
    ],
    ['an approver may extend the soak', () => canExtend(base, sreMember), true],
    [
      'the requester who is not an approver may not extend the soak',
      () => canExtend(base, dev),
      { code: 'not_approver', params: { service: 'checkout', action: 'extend', approvers: APPROVERS } },
    ],
    ['an approver may tear down early', () => canTeardownNow(base, approverUser), true],
    [
      'a non-approver may not tear down early',
      () => canTeardownNow(base, devGroupMember),
      { code: 'not_approver', params: { service: 'checkout', action: 'teardown_now', approvers: APPROVERS } },
    ],
    ['an approver may unlock', () => canUnlock(base, sreMember), true],
    [
      'a non-approver may not unlock (break-glass)',
      () => canUnlock(base, dev),
      { code: 'not_approver', params: { service: 'checkout', action: 'unlock', approvers: APPROVERS } },
    ],
    [
      'a change is taken in the service channel',
      () => inServiceChannel(base, 'rollback', base.channel),
      true,
    ],
    [
      'a change is refused in another channel, which is named',
      () => inServiceChannel(base, 'rollback', 'C0ELSEWHERE'),
      { code: 'wrong_channel', params: { service: 'checkout', command: 'rollback', channel: base.channel } },
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
