/**
 * Pieces shared by several surfaces: state emoji, the "service: blue → green" route and the
 * buttons. Pure.
 */

import type { Deployment, HistoryEntry } from '../domain/deployment.js';
import type { ServiceConfig } from '../domain/service.js';
import { type SlotVersion, versionLines } from '../domain/slot-version.js';
import type { State } from '../domain/states.js';
import { ACTIONS, encodeActionValue } from './action-ids.js';
import {
  clipLine,
  dur,
  escapedMentionList,
  mention,
  plainClip,
  slot,
  slotPlain,
  slotText,
} from './format.js';
import { type Button, button } from './kit.js';
import { reasonLine, reasonMrkdwn } from './reasons.js';

export const STATE_EMOJI: Record<State, string> = {
  requested: '⏳',
  prechecking: '🔍',
  awaiting_approval: '✋',
  cutting_over: '🔀',
  verifying: '🔎',
  soaking: '🟢',
  tearing_down: '🧹',
  done: '✅',
  blocked: '⛔',
  cancelled: '🚫',
  expired: '⌛',
  failed: '❌',
  rolling_back: '↩️',
  rolled_back: '⏪',
};

/**
 * `• green: 1.42.0 (3f9c2e1), task definition checkout:88`, one line per slot that has something to
 * say, `first` slots first (the target, then the live one), escaped and clipped.
 */
export function slotVersionLines(
  versions: Record<string, SlotVersion> | undefined,
  svc: Pick<ServiceConfig, 'slots' | 'versionTags'>,
  first: (string | null | undefined)[] = [],
): string[] {
  const named = first.filter((s): s is string => typeof s === 'string' && s in svc.slots);
  const order = [...new Set([...named, ...Object.keys(svc.slots)])];
  return versionLines(versions, order, svc.versionTags).map(
    (l) => `• ${slot(l.slot)}: ${clipLine(l.text, 280)}`,
  );
}

/** The requester's reason, escaped, on one line, quoted; null when they gave none. */
export function requestReasonText(d: Deployment, max = 300): string | null {
  return d.requestReason ? `“${clipLine(d.requestReason, max)}”` : null;
}

/** The slot to roll back to: the one that was live before the cutover. */
export function previousSlot(d: Deployment): string {
  return d.fromSlot ?? 'the previous slot';
}

/** `*checkout*: *blue* → *green*` (mrkdwn, escaped). */
export function route(d: Deployment): string {
  const from = d.fromSlot ? `${slot(d.fromSlot)} → ` : '→ ';
  return `*${clipLine(d.service, 40)}*: ${from}${slot(d.toSlot)}`;
}

/** `checkout: blue → green` for fallback text (escaped, no formatting). */
export function routeText(d: Deployment): string {
  if (!d.fromSlot) return `${clipLine(d.service, 40)} → ${slotText(d.toSlot)}`;
  return `${clipLine(d.service, 40)}: ${slotText(d.fromSlot)} → ${slotText(d.toSlot)}`;
}

/** The history entry that moved the deployment into `state` most recently. */
export function enteredBy(d: Deployment, state: State): HistoryEntry | undefined {
  for (let i = d.history.length - 1; i >= 0; i--) {
    const h = d.history[i];
    if (h && h.to === state) return h;
  }
  return undefined;
}

/**
 * The deployment's reason (./reasons.ts), escaped but keeping our own user/group mentions
 * (`rollback requested by <@U…>`) and clipped; empty when there is none.
 */
export function reasonText(d: Deployment, max = 1500): string {
  return d.reason ? reasonMrkdwn(d.reason, max) : '';
}

/** Reason as a one-line plain suffix for fallback text: ` — reason`. */
export function reasonSuffix(d: Deployment, max = 300): string {
  return d.reason ? ` — ${reasonLine(d.reason, max)}` : '';
}

export function rollbackButton(d: Deployment): Button {
  const back = plainClip(previousSlot(d), 40);
  return button({
    text: `↩️ Rollback to ${back}`,
    actionId: ACTIONS.rollback,
    value: encodeActionValue({ deploymentId: d.id }),
    style: 'danger',
    confirm: {
      title: 'Roll back?',
      text: `Send all traffic of ${plainClip(d.service, 40)} back to ${back}?`,
      confirm: 'Roll back',
      deny: 'Keep current',
      danger: true,
    },
  });
}

export function extendButton(d: Deployment, svc: ServiceConfig): Button {
  return button({
    text: `⏳ Extend ${dur(svc.soakMs)}`,
    actionId: ACTIONS.extend,
    value: encodeActionValue({
      deploymentId: d.id,
      extendMs: svc.soakMs,
      ...(d.teardownAt !== undefined ? { teardownAt: d.teardownAt } : {}),
    }),
  });
}

export function teardownNowButton(d: Deployment): Button {
  const old = plainClip(previousSlot(d), 40);
  return button({
    text: `🧹 Tear down ${old} now`,
    actionId: ACTIONS.teardownNow,
    value: encodeActionValue({
      deploymentId: d.id,
      ...(d.teardownAt !== undefined ? { teardownAt: d.teardownAt } : {}),
    }),
    style: 'danger',
    confirm: {
      title: 'Tear down now?',
      text: `Drain and tear down ${old} of ${plainClip(d.service, 40)} now? Rollback will no longer be possible.`,
      confirm: 'Tear down',
      deny: 'Keep it',
      danger: true,
    },
  });
}

export function approveButton(d: Deployment): Button {
  return button({
    text: '✅ Approve',
    actionId: ACTIONS.approve,
    value: encodeActionValue({ deploymentId: d.id }),
    style: 'primary',
    confirm: {
      title: 'Approve cutover?',
      text: `Switch all traffic of ${plainClip(d.service, 40)} to ${slotPlain(d.toSlot)}?`,
      confirm: 'Approve',
      deny: 'Not yet',
    },
  });
}

export function cancelButton(d: Deployment): Button {
  return button({
    text: 'Cancel',
    actionId: ACTIONS.cancel,
    value: encodeActionValue({ deploymentId: d.id }),
    confirm: {
      title: 'Cancel deployment?',
      text: `Cancel deployment ${plainClip(d.id, 120)}? Nothing has been switched yet.`,
      confirm: 'Cancel it',
      deny: 'Keep it',
      danger: true,
    },
  });
}

/** Whether a Rollback button can still act: the switch happened and teardown has not started. */
export function rollbackAllowed(d: Deployment): boolean {
  if (d.state === 'verifying' || d.state === 'soaking') return true;
  return d.state === 'failed' && d.cutover !== undefined && d.teardownStartedAt === undefined;
}

/** `<@requester>, <@approver>, <!subteam^…>`: the people to ping when something needs a decision. */
export function requesterAndApprovers(d: Deployment, svc: ServiceConfig): string {
  return `${mention(d.requester)}, ${escapedMentionList(svc.approvers)}`;
}
