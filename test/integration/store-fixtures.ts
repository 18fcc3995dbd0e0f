/**
 * Deployment records for the store tests, built locally (independent of the state machine).
 */
import { randomBytes } from 'node:crypto';
import type { Deployment, HistoryEntry } from '../../src/domain/deployment.js';
import type { State } from '../../src/domain/states.js';

/** A fresh key prefix, so tests sharing one redis-server never see each other's keys. */
export const uniquePrefix = () => `gl-test-${randomBytes(6).toString('hex')}:`;

let seq = 0;
/** Local factory: a deployment as the state machine would create it. */
export function makeDeployment(over: Partial<Deployment> = {}): Deployment {
  seq += 1;
  const createdAt = 1_700_000_000_000 + seq * 1000;
  return {
    id: `${over.service ?? 'checkout'}-20250101000000-${seq.toString(16).padStart(4, '0')}`,
    service: 'checkout',
    channel: 'C0DEPLOYS',
    requester: 'U0REQUESTER',
    fromSlot: null,
    toSlot: 'green',
    state: 'requested',
    version: 1,
    createdAt,
    updatedAt: createdAt,
    soakMs: 86_400_000,
    remindBeforeMs: 3_600_000,
    messages: { posted: [] },
    history: [],
    ...over,
  };
}

/** The record after one transition to `to`, with its history entry. */
export function step(
  d: Deployment,
  to: State,
  event: string,
  extra: Pick<HistoryEntry, 'by' | 'detail' | 'reason'> = {},
): Deployment {
  const at = d.updatedAt + 1;
  return {
    ...d,
    state: to,
    version: d.version + 1,
    updatedAt: at,
    history: [...d.history, { at, event, from: d.state, to, ...extra }],
  };
}
