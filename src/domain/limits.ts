/** Time limits of the deployment flow that more than one module applies. Pure. */

/**
 * A switch that started longer ago than this and never finished is reported as failed, not
 * resumed; a cutover approved longer ago than this that never started switching is not started.
 */
export const STALE_SWITCH_MS = 15 * 60_000;

/** The longest single Extend: a forgotten environment is exactly what the TTL exists to prevent. */
export const MAX_EXTEND_MS = 30 * 86_400_000;
/** The longest a soak may last in total, extensions included. */
export const MAX_TOTAL_SOAK_MS = 30 * 86_400_000;
