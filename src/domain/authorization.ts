/**
 * Who may do what to a service's deployments. Pure: the caller resolves the actor's Slack user
 * groups (see `groupsToResolve`) before asking. A refusal is a reason (src/domain/reasons.ts)
 * that names the rule and who may act; src/messages/reasons.ts words it for the Slack user.
 */

import type { Deployment } from './deployment.js';
import { type ApproverAction, type People, type RefusalReason, reason } from './reasons.js';
import type { ServiceConfig } from './service.js';

export interface Actor {
  userId: string;
  /** ids of the Slack user groups the actor belongs to */
  groups: readonly string[];
}

export type Decision = { ok: true } | { ok: false; reason: RefusalReason };

type Requested = Pick<Deployment, 'requester'>;

const OK: Decision = { ok: true };

function refuse(why: RefusalReason): Decision {
  return { ok: false, reason: why };
}

function onlyApprovers(svc: ServiceConfig, action: ApproverAction): Decision {
  return refuse(reason('not_approver', { service: svc.name, action, approvers: svc.approvers }));
}

function includes(people: People | undefined, actor: Actor): boolean {
  if (!people) return false;
  return people.users.includes(actor.userId) || people.usergroups.some((g) => actor.groups.includes(g));
}

function merge(a: People, b: People | undefined): { users: string[]; usergroups: string[] } {
  return {
    users: [...new Set([...a.users, ...(b?.users ?? [])])],
    usergroups: [...new Set([...a.usergroups, ...(b?.usergroups ?? [])])],
  };
}

export function isApprover(svc: ServiceConfig, actor: Actor): boolean {
  return includes(svc.approvers, actor);
}

/** Anyone may request when `deployers` is absent; otherwise deployers and approvers may. */
export function canRequest(svc: ServiceConfig, actor: Actor): Decision {
  if (!svc.deployers || includes(svc.deployers, actor) || isApprover(svc, actor)) return OK;
  return refuse(reason('not_deployer', { service: svc.name, allowed: merge(svc.deployers, svc.approvers) }));
}

/** An approver who is not the requester (unless the service allows self-approval). */
export function canApprove(svc: ServiceConfig, d: Requested, actor: Actor): Decision {
  if (!isApprover(svc, actor)) return onlyApprovers(svc, 'approve');
  if (actor.userId === d.requester && !svc.allowSelfApproval) {
    return refuse(reason('self_approval', { service: svc.name, approvers: svc.approvers }));
  }
  return OK;
}

function requesterOrApprover(
  action: 'cancel' | 'rollback',
  svc: ServiceConfig,
  d: Requested,
  actor: Actor,
): Decision {
  if (actor.userId === d.requester || isApprover(svc, actor)) return OK;
  return refuse(
    reason('not_requester_or_approver', {
      service: svc.name,
      action,
      requester: d.requester,
      approvers: svc.approvers,
    }),
  );
}

export function canCancel(svc: ServiceConfig, d: Requested, actor: Actor): Decision {
  return requesterOrApprover('cancel', svc, d, actor);
}

export function canRollback(svc: ServiceConfig, d: Requested, actor: Actor): Decision {
  return requesterOrApprover('rollback', svc, d, actor);
}

export function canExtend(svc: ServiceConfig, actor: Actor): Decision {
  return isApprover(svc, actor) ? OK : onlyApprovers(svc, 'extend');
}

export function canTeardownNow(svc: ServiceConfig, actor: Actor): Decision {
  return isApprover(svc, actor) ? OK : onlyApprovers(svc, 'teardown_now');
}

/** Break-glass: only approvers may end a deployment whatever its state. */
export function canUnlock(svc: ServiceConfig, actor: Actor): Decision {
  return isApprover(svc, actor) ? OK : onlyApprovers(svc, 'unlock');
}

/** The user-group ids whose membership decides the actor's rights on this service (deduplicated). */
export function groupsToResolve(svc: ServiceConfig): string[] {
  return [...new Set([...svc.approvers.usergroups, ...(svc.deployers?.usergroups ?? [])])];
}

/**
 * Commands that change a service are taken only in its channel, where its deployments are
 * announced and everyone watching it sees who asked for what. Reading (status, history, help)
 * works anywhere.
 */
export function inServiceChannel(svc: ServiceConfig, command: string, channelId: string): Decision {
  if (channelId === svc.channel) return OK;
  return refuse(reason('wrong_channel', { service: svc.name, command, channel: svc.channel }));
}
