/** Cost lines for the status card, the reminder and the teardown summary. Pure. */

import { formatMoney, type SoakCost, soakCost } from '../domain/cost.js';
import type { Deployment } from '../domain/deployment.js';
import type { ServiceConfig } from '../domain/service.js';
import { previousSlot } from './common.js';
import { dur, slot } from './format.js';

/** `💰 keeping *blue*: $0.70/h · $3.50 so far · Extend adds $16.80`; null without an hourlyCost. */
export function soakCostLine(d: Deployment, svc: ServiceConfig, now: number): string | null {
  const c = soakCost(d, svc, now);
  if (!c) return null;
  return (
    `💰 keeping ${slot(previousSlot(d))}: ${formatMoney(c.hourly)}/h · ${formatMoney(c.soFar)} so far · ` +
    `Extend adds ${formatMoney(c.extendAdds)}`
  );
}

/** `💰 keeping *blue* during the soak cost $16.80 ($0.70/h for 1d)`. */
export function teardownCostLine(d: Deployment, cost: SoakCost): string {
  const hours = cost.hourly > 0 ? ` for ${dur((cost.soFar / cost.hourly) * 3_600_000)}` : '';
  return `💰 keeping ${slot(previousSlot(d))} during the soak cost ${formatMoney(cost.soFar)} (${formatMoney(cost.hourly)}/h${hours})`;
}
