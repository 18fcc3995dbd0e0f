/**
 * Action ids of every button the bot posts, and the value they carry. The ids come from the
 * command table (src/domain/commands/table.ts: each intent a button shares with a command, and
 * Approve); the listeners in `src/slack/` look the intent up by id and decode the value with
 * `decodeActionValue` (never trust it: anyone who can click can also forge a payload —
 * authorization happens on the record).
 */
import { ACTION_IDS, type ActionId } from '../domain/commands/table.js';
import { MAX_EXTEND_MS } from '../domain/limits.js';
import { LIMITS } from './kit.js';

/** `gl_teardown_now` → `teardownNow`. */
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<Camel<Tail>>}`
  : S;
type NameOf<Id extends string> = Id extends `gl_${infer Rest}` ? Camel<Rest> : never;

function nameOf(id: string): string {
  return id.replace(/^gl_/, '').replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The action ids by name: `ACTIONS.teardownNow` is `gl_teardown_now`. */
export const ACTIONS = Object.fromEntries(ACTION_IDS.map((id) => [nameOf(id), id])) as {
  readonly [Id in ActionId as NameOf<Id>]: Id;
};

export interface ActionValue {
  deploymentId: string;
  /** Extend button only: how much longer to keep the old slot. */
  extendMs?: number;
  /**
   * Extend / Tear down now: the teardown time the button was rendered for. A click after the
   * deadline moved (someone else extended) is stale and refused, so a double click extends once.
   */
  teardownAt?: number;
}

/** Slack's limit on a button value. */
export const MAX_ACTION_VALUE = LIMITS.buttonValue;

/** Deployment ids are `<service>-<yyyymmddhhmmss>-<4 hex>`; accept a little more, never `:`. */
const DEPLOYMENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;

function validExtend(ms: unknown): ms is number {
  return typeof ms === 'number' && Number.isSafeInteger(ms) && ms > 0 && ms <= MAX_EXTEND_MS;
}

/** JSON button value. Throws on an invalid id or extension (a bug in the caller, not user input). */
export function encodeActionValue(value: ActionValue): string {
  if (!DEPLOYMENT_ID.test(value.deploymentId))
    throw new RangeError(`invalid deployment id for a button value`);
  const out: ActionValue = { deploymentId: value.deploymentId };
  if (value.extendMs !== undefined) {
    if (!validExtend(value.extendMs)) throw new RangeError(`invalid extendMs ${value.extendMs}`);
    out.extendMs = value.extendMs;
  }
  if (value.teardownAt !== undefined) {
    if (!Number.isSafeInteger(value.teardownAt) || value.teardownAt < 0)
      throw new RangeError(`invalid teardownAt ${value.teardownAt}`);
    out.teardownAt = value.teardownAt;
  }
  return JSON.stringify(out);
}

/** Parses a button value; null when it is not one we produced. Never throws. */
export function decodeActionValue(value: string): ActionValue | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ACTION_VALUE) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const { deploymentId, extendMs, teardownAt } = parsed as Record<string, unknown>;
  if (typeof deploymentId !== 'string' || !DEPLOYMENT_ID.test(deploymentId)) return null;
  const out: ActionValue = { deploymentId };
  if (extendMs !== undefined) {
    if (!validExtend(extendMs)) return null;
    out.extendMs = extendMs;
  }
  if (teardownAt !== undefined) {
    if (typeof teardownAt !== 'number' || !Number.isSafeInteger(teardownAt) || teardownAt < 0) return null;
    out.teardownAt = teardownAt;
  }
  return out;
}
