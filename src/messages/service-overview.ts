/**
 * What the `/deploy` form and the App Home show of a service: its slots and which one is live,
 * its active deployment, its last one, and the slots still running after its last cutover. The
 * Slack listeners read it (src/slack/service-overview.ts); the builders here only word it. Pure.
 */
import type { ForgottenSlot } from '../domain/cost.js';
import type { Deployment } from '../domain/deployment.js';
import type { LiveSlot, SlotHealth } from '../domain/reports.js';
import { clipLine } from './format.js';

/** Where the live slot was learned: the load balancer's forwards, or the deployment records. */
export type LiveSource = 'load balancer' | 'records';

/** A slot as the surfaces show it. */
export interface SlotOverview {
  name: string;
  /** `live`: production forwards send it traffic; `idle`: none; `mixed`: it shares traffic. */
  state: 'live' | 'idle' | 'mixed' | 'unknown';
  /** Its registered targets and their health, where that was cheap to read (the form). */
  health?: SlotHealth;
  /**
   * What runs in the slot, one short line (src/domain/slot-version.ts: `1.42.0 (3f9c2e1), task
   * definition checkout:88`): from its target group's tags read now (the form), else as the newest
   * precheck recorded it. Every surface shows it after the slot's state when it is set
   * (`slotVersionText`, `slotDescription`).
   */
  version?: string;
}

export interface ServiceOverview {
  name: string;
  channel: string;
  /** The live slot (null: no production forward names a slot; undefined: not known). */
  live: LiveSlot | undefined;
  liveSource?: LiveSource;
  slots: SlotOverview[];
  /** The deployment holding the service's lock. */
  active: Deployment | null;
  /** The newest deployment (the active one when there is one). */
  last: Deployment | null;
  /** Slots still running after the service's last cutover (`/deploy status` reads the same). */
  kept: ForgottenSlot[];
}

/** `2/2 healthy`, `1 of 3 unhealthy`, `not health-checked (no rule names it)`, `no targets`. */
export function healthText(h: SlotHealth): string {
  if (h.total === 0) return 'no targets';
  if (h.targets.length > 0 && h.targets.every((t) => t.state === 'unused'))
    return 'not health-checked (no rule names it)';
  if (h.healthy === h.total) return `${h.healthy}/${h.total} healthy`;
  const unhealthy = h.targets.filter((t) => t.state === 'unhealthy').length;
  if (unhealthy > 0) return `${unhealthy} of ${h.total} unhealthy`;
  return `${h.healthy}/${h.total} healthy`;
}

/** The slot's state in words: `live`, `idle`, `sharing traffic`, `status unknown`. */
export function slotStateText(s: SlotOverview): string {
  switch (s.state) {
    case 'live':
      return 'live';
    case 'idle':
      return 'idle';
    case 'mixed':
      return 'sharing traffic';
    default:
      return 'status unknown';
  }
}

/** The version line of a slot (mrkdwn), or null while versions are not known. */
export function slotVersionText(s: SlotOverview): string | null {
  return s.version ? `runs \`${clipLine(s.version.replace(/`/g, "'"), 120)}\`` : null;
}

/** Plain text under a slot's name in the form's menu: health, then version (each when known). */
export function slotDescription(s: SlotOverview): string | undefined {
  const parts = [s.health ? healthText(s.health) : null, s.version ? `runs ${s.version}` : null];
  const text = parts.filter((p): p is string => p !== null).join(' · ');
  return text || undefined;
}
