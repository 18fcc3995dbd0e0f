/**
 * The per-service audit trail: a Redis stream (`audit:<service>`), one entry per state
 * transition, capped at about 10 000 entries. Entries are flat field/value pairs; an entry's
 * reason (src/domain/reasons.ts) is one field holding it as JSON.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { AuditEntry, Deployment, HistoryEntry } from '../domain/deployment.js';
import { storedReasonSchema } from './reason-schema.js';

/** Approximate cap (`XADD … MAXLEN ~`) of each service's audit stream. */
export const AUDIT_MAXLEN = 10_000;

/** The event recorded when a deployment record is created. */
export const CREATED_EVENT = 'created';

const storedEntry = z.object({
  at: z.coerce.number().pipe(z.number().finite()),
  deploymentId: z.string(),
  event: z.string(),
  from: z.string(),
  to: z.string(),
  by: z.string().optional(),
  detail: z.string().optional(),
});

export function auditFromHistory(deploymentId: string, h: HistoryEntry): AuditEntry {
  return {
    at: h.at,
    deploymentId,
    event: h.event,
    from: h.from,
    to: h.to,
    by: h.by,
    detail: h.detail,
    ...(h.reason !== undefined && { reason: h.reason }),
  };
}

/** Audit entries for a new record: a `created` entry, then any history it was created with. */
export function creationAudit(d: Deployment): AuditEntry[] {
  const created: AuditEntry = {
    at: d.createdAt,
    deploymentId: d.id,
    event: CREATED_EVENT,
    from: '',
    to: d.state,
    by: d.requester,
    detail: `${d.fromSlot ?? '?'} -> ${d.toSlot}`,
  };
  return [created, ...d.history.map((h) => auditFromHistory(d.id, h))];
}

/** Field/value pairs for XADD; absent optional fields are omitted. */
export function auditFields(e: AuditEntry): string[] {
  const fields = [
    'at',
    String(e.at),
    'deploymentId',
    e.deploymentId,
    'event',
    e.event,
    'from',
    e.from,
    'to',
    e.to,
  ];
  if (e.by !== undefined) fields.push('by', e.by);
  if (e.detail !== undefined) fields.push('detail', e.detail);
  if (e.reason !== undefined) fields.push('reason', JSON.stringify(e.reason));
  return fields;
}

/** Decodes one stream entry's field list; null when it is not an audit entry. */
export function decodeAuditFields(fields: string[]): AuditEntry | null {
  const obj: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) obj[fields[i]!] = fields[i + 1]!;
  const parsed = storedEntry.safeParse(obj);
  if (!parsed.success) return null;
  const { by, detail, ...rest } = parsed.data;
  // An unreadable reason leaves the entry in the trail, without its reason.
  const reason = obj.reason === undefined ? undefined : (decodeReason(obj.reason) ?? undefined);
  return {
    ...rest,
    ...(by !== undefined && { by }),
    ...(detail !== undefined && { detail }),
    ...(reason !== undefined && { reason }),
  };
}

/** The `reason` field's JSON; null when it is not a reason. */
function decodeReason(json: string): AuditEntry['reason'] | null {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return null;
  }
  const parsed = storedReasonSchema.safeParse(data);
  return parsed.success ? parsed.data : null;
}

/** The newest `limit` entries of a stream, newest first; malformed entries are skipped. */
export async function readAuditStream(redis: Redis, key: string, limit: number): Promise<AuditEntry[]> {
  if (limit <= 0) return [];
  const raw = await redis.xrevrange(key, '+', '-', 'COUNT', limit);
  const out: AuditEntry[] = [];
  for (const [, fields] of raw) {
    const entry = decodeAuditFields(fields);
    if (entry) out.push(entry);
  }
  return out;
}
