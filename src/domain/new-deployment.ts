/** Creating the record for a fresh `/deploy` request. Pure: the clock and randomness are inputs. */
import type { Deployment } from './deployment.js';

const HEX4 = /^[0-9a-f]{4}$/i;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `${service}-${yyyymmddhhmmss UTC}-${hex}`, e.g. `checkout-20250301142500-9f3a`. */
export function newDeploymentId(service: string, now: number, random4hex: string): string {
  if (!HEX4.test(random4hex)) throw new RangeError(`expected 4 hex digits, got "${random4hex}"`);
  const t = new Date(now);
  if (Number.isNaN(t.getTime())) throw new RangeError(`invalid time ${now}`);
  const stamp =
    pad(t.getUTCFullYear(), 4) +
    pad(t.getUTCMonth() + 1) +
    pad(t.getUTCDate()) +
    pad(t.getUTCHours()) +
    pad(t.getUTCMinutes()) +
    pad(t.getUTCSeconds());
  return `${service}-${stamp}-${random4hex.toLowerCase()}`;
}

export interface NewDeploymentInput {
  id: string;
  service: string;
  channel: string;
  requester: string;
  /** Why the requester asked; omitted when they gave no reason. */
  requestReason?: string;
  toSlot: string;
  soakMs: number;
  remindBeforeMs: number;
}

/** A deployment in state `requested`, version 1, with the request as its first history entry. */
export function newDeployment(input: NewDeploymentInput, now: number): Deployment {
  return {
    id: input.id,
    service: input.service,
    channel: input.channel,
    requester: input.requester,
    ...(input.requestReason ? { requestReason: input.requestReason } : {}),
    fromSlot: null,
    toSlot: input.toSlot,
    state: 'requested',
    version: 1,
    createdAt: now,
    updatedAt: now,
    soakMs: input.soakMs,
    remindBeforeMs: input.remindBeforeMs,
    messages: { posted: [] },
    // The request's reason is its history entry's detail, so the audit keeps it.
    history: [
      {
        at: now,
        event: 'requested',
        from: 'requested',
        to: 'requested',
        by: input.requester,
        ...(input.requestReason ? { detail: input.requestReason } : {}),
      },
    ],
  };
}
