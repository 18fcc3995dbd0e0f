/**
 * Why a rollback started, from the reason it was recorded with: the cause
 * `greenlight_rollbacks_total` counts (src/ops/metrics.ts) and the afterRollback hook's payload
 * says (src/hooks/notification-hooks.ts). Pure.
 */
import type { DeploymentReason } from './reasons.js';

/**
 * `manual` (Rollback clicked or `/deploy rollback`), `auto_verification` / `auto_soak` (a health
 * gate breached during verification / the soak, with `gates.autoRollback`), `other` (any other
 * reason a future or older version records).
 */
export const ROLLBACK_CAUSES = ['manual', 'auto_verification', 'auto_soak', 'other'] as const;
export type RollbackCause = (typeof ROLLBACK_CAUSES)[number];

/** The cause of a rollback recorded with `reason` (none: the Rollback button or command). */
export function rollbackCause(reason: DeploymentReason | undefined): RollbackCause {
  if (reason === undefined || reason.code === 'rollback_requested') return 'manual';
  if (reason.code === 'gate_breached' && reason.params.rollback === 'verification')
    return 'auto_verification';
  if (reason.code === 'gate_breached' && reason.params.rollback === 'soak') return 'auto_soak';
  return 'other';
}
