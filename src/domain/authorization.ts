/**
 * Who may do what to a service's deployments. Pure: the caller resolves the actor's Slack user
 * groups (see `groupsToResolve`) before asking. A refusal is a user-facing message that states
 * the rule and names who may act.
 */

import type { Deployment } from './deployment.js';
import { mentionList, userMention } from './mentions.js';
import type { ServiceConfig } from './service.js';

export interface Actor {
  userId: string;
  /** ids of the Slack user groups the actor belongs to */
  groups: readonly string[];
}

export type Decision = { ok: true } | { ok: false; message: string };

type People = { users: readonly string[]; usergroups: readonly string[] };
type Requested = Pick<Deployment, 'requester'>;

const OK: Decision = { ok: true };

function refuse(message: string): Decision {
  return { ok: false, message };
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
  return refuse(
    `Only deployers and approvers of *${svc.name}* can deploy it: ${mentionList(merge(svc.deployers, svc.approvers))}.`,
  );
}

/** An approver who is not the requester (unless the service allows self-approval). */
export function canApprove(svc: ServiceConfig, d: Requested, actor: Actor): Decision {
  if (!isApprover(svc, actor)) {
    return refuse(`Only approvers of *${svc.name}* can approve: ${mentionList(svc.approvers)}.`);
  }
  if (actor.userId === d.requester && !svc.allowSelfApproval) {
    return refuse(
      `You requested this deployment; *${svc.name}* needs someone else to approve it (allowSelfApproval is off). ` +
        `Approvers: ${mentionList(svc.approvers)}.`,
    );
  }
  return OK;
}

function requesterOrApprover(verb: string, svc: ServiceConfig, d: Requested, actor: Actor): Decision {
  if (actor.userId === d.requester || isApprover(svc, actor)) return OK;
  return refuse(
    `Only the requester (${userMention(d.requester)}) or an approver of *${svc.name}* can ${verb} this deployment. ` +
      `Approvers: ${mentionList(svc.approvers)}.`,
  );
}

export function canCancel(svc: ServiceConfig, d: Requested, actor: Actor): Decision {
  return requesterOrApprover('cancel', svc, d, actor);
}

export function canRollback(svc: ServiceConfig, d: Requested, actor: Actor): Decision {
  return requesterOrApprover('roll back', svc, d, actor);
}

export function canExtend(svc: ServiceConfig, actor: Actor): Decision {
  if (isApprover(svc, actor)) return OK;
  return refuse(`Only approvers of *${svc.name}* can extend the soak: ${mentionList(svc.approvers)}.`);
}

export function canTeardownNow(svc: ServiceConfig, actor: Actor): Decision {
  if (isApprover(svc, actor)) return OK;
  return refuse(
    `Only approvers of *${svc.name}* can tear the previous slot down early: ${mentionList(svc.approvers)}.`,
  );
}

/** Break-glass: only approvers may end a deployment whatever its state. */
export function canUnlock(svc: ServiceConfig, actor: Actor): Decision {
  if (isApprover(svc, actor)) return OK;
  return refuse(
    `Only approvers of *${svc.name}* can unlock it (break-glass): ${mentionList(svc.approvers)}.`,
  );
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
  return refuse(
    `\`/deploy ${command}\` for *${svc.name}* is taken only in <#${svc.channel}>, where its deployments are announced: nothing was done. Run it there.`,
  );
}
