/**
 * Calls a service's webhook (beforeCutover, afterCutover, beforeTeardown) when one is configured
 * and posts its status and a short excerpt of the answer in the deployment's thread, once.
 */
import type { ServiceConfig } from '../config/schema.js';
import type { Deployment } from '../domain/deployment.js';
import type { HookResult } from '../domain/evidence.js';
import { hookPayload } from '../hooks/hook-payload.js';
import { hookResultMessage } from '../slack/blocks/index.js';
import { type JobContext, postOnce } from './job-context.js';

export async function runHook(
  ctx: JobContext,
  hook: HookResult['hook'],
  svc: ServiceConfig,
  d: Deployment,
): Promise<HookResult | null> {
  const settings = svc.hooks;
  const url = settings?.[hook];
  if (!settings || !url) return null;
  const result = await ctx.webhook({
    hook,
    url,
    payload: hookPayload(hook, d),
    secret: ctx.secret(settings.secretEnv),
    timeoutMs: settings.timeoutMs,
    retries: settings.retries,
  });
  ctx.log.info({ deployment: d.id, hook, status: result.status, ok: result.ok }, `${hook} hook answered`);
  await postOnce(ctx, d, `hook-${hook}`, hookResultMessage(d, result));
  return result;
}
