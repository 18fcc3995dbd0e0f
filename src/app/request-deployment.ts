/**
 * Requesting a deployment: a new record takes the service's lock in one atomic step, then the
 * precheck is enqueued. Authorization is the caller's (it knows who asked, and how to answer).
 */

import type { Deployment } from '../domain/deployment.js';
import { newDeployment, newDeploymentId } from '../domain/new-deployment.js';
import type { ServiceConfig } from '../domain/service.js';
import type { JobContext } from './context.js';

export type RequestDeps = Pick<JobContext, 'store' | 'scheduler' | 'clock'> & {
  /** Four hex digits for the deployment id (injectable: tests fix it). */
  randomHex(): string;
};

export type RequestOutcome =
  | { ok: true; deployment: Deployment }
  /** The service is locked by `holderId` (`holder` is null when its record cannot be read). */
  | { ok: false; holder: Deployment | null; holderId: string };

export async function requestDeployment(
  ctx: RequestDeps,
  svc: ServiceConfig,
  slot: string,
  requester: string,
  /** Why the requester asked, shown to approvers and kept in the audit (optional). */
  requestReason?: string,
): Promise<RequestOutcome> {
  const now = ctx.clock.now();
  const d = newDeployment(
    {
      id: newDeploymentId(svc.name, now, ctx.randomHex()),
      service: svc.name,
      channel: svc.channel,
      requester,
      ...(requestReason ? { requestReason } : {}),
      toSlot: slot,
      soakMs: svc.soakMs,
      remindBeforeMs: svc.remindBeforeMs,
    },
    now,
  );
  const created = await ctx.store.createWithLock(d);
  if (!created.ok) return created;
  await ctx.scheduler.enqueue('precheck', d.id);
  return { ok: true, deployment: d };
}
