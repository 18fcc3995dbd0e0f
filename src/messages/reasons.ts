/**
 * Reasons (src/domain/reasons.ts) in words for Slack: the one place a reason's code and
 * parameters become text — people as mention tokens, channel links, bold service names and the
 * `/deploy` hints. Every message that shows a reason (status card, approval prompt, thread
 * replies, history, refusals) renders it through `renderReason`. Pure.
 */
import { formatDuration } from '../domain/duration.js';
import type { EventType } from '../domain/events.js';
import type { DeploymentRef, FailureStep, Reason, ReasonOf } from '../domain/reasons.js';
import { describeState, EVENT_RULES } from '../domain/transitions/rules.js';
import { clipLine, escKeepMentions, truncate } from './format.js';
import { mentionList, userMention } from './mentions.js';

/** What a failed step could not do, before the error's own message. */
const FAILED: Record<FailureStep, string> = {
  precheck: 'could not read the load balancer',
  cutover: 'cutover failed',
  verify: 'Could not read the load balancer back (not verified)',
  teardown: 'teardown failed',
  rollback: 'rollback failed',
};

/** The end of "Only approvers of *checkout* can …". */
const APPROVER_ACTION: Record<ReasonOf<'not_approver'>['params']['action'], string> = {
  approve: 'approve',
  extend: 'extend the soak',
  teardown_now: 'tear the previous slot down early',
  unlock: 'unlock it (break-glass)',
};

const REQUESTER_ACTION: Record<ReasonOf<'not_requester_or_approver'>['params']['action'], string> = {
  cancel: 'cancel',
  rollback: 'roll back',
};

/** "The checkout deployment (blue → green)", or "(to green)" before the live slot is known. */
export function deploymentName(d: Pick<DeploymentRef, 'service' | 'fromSlot' | 'toSlot'>): string {
  const slots = d.fromSlot === null ? `to ${d.toSlot}` : `${d.fromSlot} → ${d.toSlot}`;
  return `The ${d.service} deployment (${slots})`;
}

/** "is soaking", "has failed", "has been rolled back". */
function stateClause(state: DeploymentRef['state']): string {
  const words = describeState(state);
  if (state === 'failed' || state === 'expired') return `has ${words}`;
  if (state === 'rolled_back') return `has been ${words}`;
  return `is ${words}`;
}

/** The sentence for an event the deployment's state does not accept. */
function notAllowed(d: DeploymentRef, event: string): string {
  const known = Object.hasOwn(EVENT_RULES, event);
  const rule = known ? EVENT_RULES[event as EventType] : { doing: event, when: 'in another state' };
  return `${deploymentName(d)} ${stateClause(d.state)}; ${rule.doing} is only possible ${rule.when}.`;
}

/**
 * A reason as mrkdwn before escaping: service names, slots and error messages as they are, people
 * as mention tokens. Callers escape it as they show it (`reasonMrkdwn`, `reasonLine`,
 * `refusalMessage`), which keeps valid mention and channel tokens and escapes everything else.
 */
export function renderReason(r: Reason): string {
  switch (r.code) {
    case 'cancelled':
      return `cancelled by ${userMention(r.params.user)}`;
    case 'rollback_requested':
      return `rollback requested by ${userMention(r.params.user)}`;
    case 'unlocked':
      return `unlocked by ${userMention(r.params.user)} (break-glass) while it was ${describeState(r.params.state)}`;
    case 'approval_expired':
      return 'nobody approved it before the approval prompt expired';
    case 'failure':
      return `${FAILED[r.params.step]}: ${r.params.detail}`;
    case 'stopped':
      return r.params.detail;
    case 'gave_up':
      return `The ${r.params.job} job gave up: ${r.params.why}${r.params.job === 'verify' ? ' (not verified)' : ''}`;
    case 'gate_breached':
      return r.params.rollback === undefined
        ? `Health gate breached: ${r.params.summary}`
        : `Automatic rollback: health gate breached during ${r.params.rollback}. ${r.params.summary}`;
    case 'text':
      return r.params.text;
    case 'not_deployer':
      return `Only deployers and approvers of *${r.params.service}* can deploy it: ${mentionList(r.params.allowed)}.`;
    case 'not_approver':
      return `Only approvers of *${r.params.service}* can ${APPROVER_ACTION[r.params.action]}: ${mentionList(r.params.approvers)}.`;
    case 'self_approval':
      return (
        `You requested this deployment; *${r.params.service}* needs someone else to approve it (allowSelfApproval is off). ` +
        `Approvers: ${mentionList(r.params.approvers)}.`
      );
    case 'not_requester_or_approver':
      return (
        `Only the requester (${userMention(r.params.requester)}) or an approver of *${r.params.service}* ` +
        `can ${REQUESTER_ACTION[r.params.action]} this deployment. Approvers: ${mentionList(r.params.approvers)}.`
      );
    case 'wrong_channel':
      return `\`/deploy ${r.params.command}\` for *${r.params.service}* is taken only in <#${r.params.channel}>, where its deployments are announced: nothing was done. Run it there.`;
    case 'event_not_allowed':
      return notAllowed(r.params.deployment, r.params.event);
    case 'unknown_event':
      return `Unknown deployment event "${r.params.type}".`;
    case 'rollback_impossible': {
      const name = deploymentName(r.params.deployment);
      if (r.params.why === 'rolled_back') return `${name} was already rolled back.`;
      if (r.params.why === 'not_switched')
        return `${name} failed before traffic was switched; there is nothing to roll back.`;
      return `${name} failed after the teardown of the old slot started; rolling back is no longer possible.`;
    }
    case 'approval_closed': {
      const d = r.params.deployment;
      return (
        `${deploymentName(d)} can no longer be approved: its approval prompt expired. ` +
        `Request it again with \`/deploy ${d.service} ${d.toSlot}\`.`
      );
    }
    case 'not_due': {
      const name = deploymentName(r.params.deployment);
      const left = formatDuration(r.params.inMs);
      return r.params.what === 'approval_expiry'
        ? `The approval prompt of ${name} does not expire for another ${left}.`
        : `The teardown of ${name} is not due for another ${left}.`;
    }
    case 'invalid_duration':
      return `The ${r.params.what === 'approval_timeout' ? 'approval timeout' : 'verify window'} must be a positive duration (got ${r.params.got}).`;
    case 'extend_out_of_range':
      return `The soak can be extended by a positive duration of at most ${formatDuration(r.params.maxMs)} at a time.`;
    case 'soak_cap':
      return (
        `The soak can last at most ${formatDuration(r.params.maxMs)} in total, counted from the cutover's verification; ` +
        (r.params.roomMs >= 60_000
          ? `it can still be extended by up to ${formatDuration(r.params.roomMs)}.`
          : 'it cannot be extended any more. Tear down now, or deploy to this slot again to start over.')
      );
    case 'deployment_missing':
      return `Deployment ${r.params.id} does not exist.`;
    case 'service_busy':
      return `${r.params.service} is busy with deployment ${r.params.holder}; finish or cancel it first.`;
    default:
      return unknownReason(r);
  }
}

/** A code this version does not know (a record written by a newer one): its code, never a crash. */
function unknownReason(r: never): string {
  const code = (r as { code?: unknown }).code;
  return `(${typeof code === 'string' ? code : 'unknown reason'})`;
}

/** The reason for a block: escaped (our mention tokens kept) and cut to `max` characters. */
export function reasonMrkdwn(r: Reason, max: number): string {
  return truncate(escKeepMentions(renderReason(r)), max);
}

/** The reason on one line for fallback text: escaped, newlines flattened, cut to `max`. */
export function reasonLine(r: Reason, max: number): string {
  return clipLine(renderReason(r), max);
}
