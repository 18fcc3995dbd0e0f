/**
 * A health-gate breach (new slot's 5xx rate, p99 latency, a CloudWatch alarm) during
 * verification or the soak: alert the requester and approvers with Rollback, or — with
 * `autoRollback: true` — roll back right away and say why.
 *
 * Alerts are de-duplicated per breach: each breach has a posted-key `gate-<during>-<hash>` built
 * from its stable identity (`GateBreach.key`: the kind and where its run of over-limit periods
 * began, or the alarm and its state reason). A check that finds only breaches already announced
 * posts nothing; a breach that is new — a later run of over-limit periods, another alarm — is
 * announced, together with the breaches still going on.
 */
import { createHash } from 'node:crypto';
import { type JobContext, markPosted } from '../app/context.js';
import { recordEvent } from '../app/record-event.js';
import type { Deployment } from '../domain/deployment.js';
import type { GateBreach } from '../domain/evidence.js';
import { reason } from '../domain/reasons.js';
import type { ServiceConfig } from '../domain/service.js';
import { gateAlertMessage } from '../messages/index.js';
import { enqueueOwedNotificationsOrLog } from './notification-hooks.js';
import { deliver } from './outbox.js';

/** Who the history and the card name as having acted when Greenlight rolls back by itself. */
const AUTOMATIC = 'greenlight';

export async function handleBreaches(
  ctx: JobContext,
  d: Deployment,
  svc: ServiceConfig,
  breaches: GateBreach[],
  during: 'verification' | 'soak',
): Promise<void> {
  const summary = breaches.map((b) => b.detail).join(' ');
  const auto = svc.gates.autoRollback;
  // Each breach once, by its alert's key.
  const byKey = new Map(breaches.map((b) => [breachAlertKey(during, b), b]));
  // The state change first (nothing before it: not even the count), Slack after: a Slack outage
  // must not keep the rollback from happening.
  const changed = auto
    ? await recordEvent(ctx, d.id, {
        type: 'rollback',
        user: AUTOMATIC,
        reason: reason('gate_breached', { summary, rollback: during }),
      })
    : during === 'verification'
      ? await recordEvent(ctx, d.id, { type: 'verify_failed', reason: reason('gate_breached', { summary }) })
      : undefined;
  // A failed verification owes its verificationFailed hook: enqueued before the alert goes to Slack
  // (a queue error is logged: the alert still goes, and reconcile enqueues the hook).
  if (changed?.ok) await enqueueOwedNotificationsOrLog(ctx, changed.deployment);
  // Each breach counted once, however often it is seen: its `counted:` key is recorded before the
  // count (a Slack outage keeps the alert unposted, and every later look sees the breach again).
  // A breach whose alert was posted by a version without the key was counted then.
  const uncounted = [...byKey].filter(
    ([key]) => !d.messages.posted.includes(key) && !d.messages.posted.includes(`counted:${key}`),
  );
  if (uncounted.length > 0) {
    await markPosted(ctx, d.id, ...uncounted.map(([key]) => `counted:${key}`));
    for (const [, b] of uncounted) ctx.metrics.gateBreached(d.service, b.kind);
  }
  const fresh = [...byKey.keys()].filter((k) => !d.messages.posted.includes(k));
  if (fresh.length > 0) {
    // One alert for every new breach; all their keys are recorded together when it is sent.
    const [key, ...others] = fresh as [string, ...string[]];
    await deliver(ctx, d, {
      key,
      alsoMark: others,
      message: gateAlertMessage(d, breaches, svc, { autoRollback: auto, during }),
    });
  }
}

/** The posted-key of a breach's alert: `gate-<during>-<12 hex of its identity>`. */
export function breachAlertKey(during: 'verification' | 'soak', b: GateBreach): string {
  const identity = b.key ?? `${b.kind}@${b.detail}`;
  return `gate-${during}-${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;
}
