/** Time limits of the deployment flow that more than one job applies. Pure. */

/**
 * A switch that started longer ago than this and never finished is reported as failed, not
 * resumed; a cutover approved longer ago than this that never started switching is not started.
 */
export const STALE_SWITCH_MS = 15 * 60_000;
