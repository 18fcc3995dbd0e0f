/**
 * A health-gate breach (new slot's 5xx rate, p99 latency, a CloudWatch alarm) during
 * verification or the soak: alert the requester and approvers with Rollback, or — with
 * `autoRollback: true` — roll back right away and say why.
 */
import type { ServiceConfig } from '../config/schema.js';
import type { Deployment } from '../domain/deployment.js';
import type { GateBreach } from '../domain/evidence.js';
import { gateAlertMessage } from '../slack/blocks/index.js';
import { applyEvent, type JobContext, postOnce } from './job-context.js';

/** Who the history and the card name as having acted when Greenlight rolls back by itself. */
export const AUTOMATIC = 'greenlight';

export async function handleBreaches(
  ctx: JobContext,
  d: Deployment,
  svc: ServiceConfig,
  breaches: GateBreach[],
  during: 'verification' | 'soak',
): Promise<void> {
  const summary = breaches.map((b) => b.detail).join(' ');
  const auto = svc.gates.autoRollback;
  await postOnce(
    ctx,
    d,
    `gate-${during}`,
    gateAlertMessage(d, breaches, svc, { autoRollback: auto, during }),
  );
  if (auto) {
    await applyEvent(ctx, d.id, {
      type: 'rollback',
      user: AUTOMATIC,
      reason: `Automatic rollback: health gate breached during ${during}. ${summary}`,
    });
  } else if (during === 'verification') {
    await applyEvent(ctx, d.id, { type: 'verify_failed', reason: `Health gate breached: ${summary}` });
  }
}
