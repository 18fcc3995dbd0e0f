/**
 * Calls a service's webhook (beforeCutover, afterCutover, beforeTeardown) when one is configured
 * and posts its status and a short excerpt of the answer in the deployment's thread, once. Every
 * hook is signed with the service's hook secret and fails closed (is not called) without one.
 */

import type { JobContext } from '../app/context.js';
import type { Deployment } from '../domain/deployment.js';
import type { HookResult } from '../domain/evidence.js';
import { hookSecretProblem } from '../domain/hook-secret.js';
import type { ServiceConfig } from '../domain/service.js';
import { hookPayload } from '../hooks/hook-payload.js';
import { hookOutcome } from '../hooks/webhook.js';
import { hookResultMessage } from '../messages/index.js';
import { postOnce } from './outbox.js';

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
  const problem = hookSecretProblem(settings.secretEnv, secret);
  if (problem !== null || secret === undefined) {
    // Fail closed: an unsigned hook could be forged by anyone who can reach the receiver.
    const refused = counted(ctx, notCalled(hook, url, `${problem}, so the hook could not be signed`));
    ctx.log.error({ deployment: d.id, hook, secretEnv: settings.secretEnv, problem }, 'hook secret unusable');
    await postOnce(ctx, d, `hook-${hook}`, hookResultMessage(d, refused));
    return refused;
  }
  const result = counted(
    ctx,
    await ctx.webhook({
      hook,
      url,
      payload: hookPayload(hook, d, extra),
      secret,
      timeoutMs: settings.timeoutMs,
      retries: settings.retries,
    }),
  );
  ctx.log.info({ deployment: d.id, hook, status: result.status, ok: result.ok }, `${hook} hook answered`);
  await postOnce(ctx, d, `hook-${hook}`, hookResultMessage(d, result));
  return result;
}

/** The scale-down webhook of a teardown (`compute.<slot>.webhook`), signed like every hook. */
export function scaleDownHook(
  ctx: JobContext,
  svc: ServiceConfig,
): (url: string, body: unknown) => Promise<HookResult> {
  return async (url, body) => {
    const settings = svc.hooks;
    const secret = settings ? ctx.secret(settings.secretEnv) : undefined;
    const problem = settings
      ? hookSecretProblem(settings.secretEnv, secret)
      : 'no hook secret (hooks.secretEnv) is configured';
    // Fail closed, like every hook: an unsigned scale-to-zero request could be forged.
    if (!settings || problem !== null || secret === undefined) {
      return counted(ctx, notCalled('scaleDown', url, `${problem}, so the request could not be signed`));
    }
    return counted(
      ctx,
      await ctx.webhook({
        hook: 'scaleDown',
        url,
        payload: body,
        secret,
        timeoutMs: settings.timeoutMs,
        retries: settings.retries,
      }),
    );
  };
}

/** Every hook call's outcome is counted here (greenlight_hook_calls_total). */
function counted(ctx: JobContext, result: HookResult): HookResult {
  ctx.metrics.hookCalled(result.hook, hookOutcome(result));
  return result;
}

function notCalled(hook: HookResult['hook'], url: string, why: string): HookResult {
  return { hook, url, ok: false, status: null, excerpt: `not called: ${why}`, attempts: 0, durationMs: 0 };
}

/** `answered 500` / `did not answer` / `was not called (…)`: for one-line reasons. */
export function hookAnswer(hook: HookResult): string {
  if (hook.attempts === 0) return `was not called (${hook.excerpt})`;
  return hook.status === null ? 'did not answer' : `answered ${hook.status}`;
}
