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
  hook: 'beforeCutover' | 'afterCutover' | 'beforeTeardown',
  svc: ServiceConfig,
  d: Deployment,
  extra: Record<string, unknown> = {},
): Promise<HookResult | null> {
  const settings = svc.hooks;
  const url = settings?.[hook];
  if (!settings || !url) return null;
  const secret = ctx.secret(settings.secretEnv);
  if (secret === undefined) {
    // Fail closed: an unsigned hook could be forged by anyone who can reach the receiver.
    const refused: HookResult = {
      hook,
      url,
      ok: false,
      status: null,
      excerpt: `not called: the environment variable ${settings.secretEnv} (hooks.secretEnv) is not set, so the hook could not be signed`,
      attempts: 0,
      durationMs: 0,
    };
    ctx.log.error({ deployment: d.id, hook, secretEnv: settings.secretEnv }, 'hook secret missing');
    await postOnce(ctx, d, `hook-${hook}`, hookResultMessage(d, refused));
    return refused;
  }
  const result = await ctx.webhook({
    hook,
    url,
    payload: hookPayload(hook, d, extra),
    secret,
    timeoutMs: settings.timeoutMs,
    retries: settings.retries,
  });
  ctx.log.info({ deployment: d.id, hook, status: result.status, ok: result.ok }, `${hook} hook answered`);
  await postOnce(ctx, d, `hook-${hook}`, hookResultMessage(d, result));
  return result;
}

/** `answered 500` / `did not answer` / `was not called (…)`: for one-line reasons. */
export function hookAnswer(hook: HookResult): string {
  if (hook.attempts === 0) return `was not called (${hook.excerpt})`;
  return hook.status === null ? 'did not answer' : `answered ${hook.status}`;
}
