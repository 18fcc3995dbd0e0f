/**
 * The `after-cutover` job: pays the `afterCutover` hook the record says is owed
 * (`src/domain/after-cutover.ts`). The cutover job enqueues it after its last state change;
 * reconcile enqueues it again for any deployment that still owes it (a crash in between), and the
 * deterministic job id makes both the same job. The payload's `deployment.state` says how the
 * attempt ended (`verifying`, `failed`, …) and `switched` how far the load balancer got.
 */

import { type JobContext, markPosted } from '../app/context.js';
import { AFTER_CUTOVER_CALLED, afterCutoverOwed, switchedOf } from '../domain/after-cutover.js';
import { runHook } from './hook-runner.js';

export async function runAfterCutover(ctx: JobContext, deploymentId: string): Promise<void> {
  const d = await ctx.store.get(deploymentId);
  const svc = d ? ctx.config.services[d.service] : undefined;
  if (!d || !svc || !afterCutoverOwed(d, Boolean(svc.hooks?.afterCutover))) return;
  // runHook retries within its own budget and reports the answer in the thread (via the outbox);
  // the hook is owed once, so the mark follows any answer, good or bad.
  await runHook(ctx, 'afterCutover', svc, d, { switched: switchedOf(d) });
  await markPosted(ctx, d.id, AFTER_CUTOVER_CALLED);
}
