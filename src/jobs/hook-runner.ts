/**
 * Calls a service's webhook (beforeCutover, afterCutover, beforeTeardown) when one is configured
 * and posts its status and a short excerpt of the answer in the deployment's thread, once. Every
 * hook is signed with the service's hook secret and fails closed (is not called) without one.
 * The notification hooks (afterRollback, verificationFailed) make one attempt per job run
 * (`callNotificationHook`): their retries are the queue's, so no job sleeps between attempts.
 */

import type { JobContext } from '../app/context.js';
import type { Deployment } from '../domain/deployment.js';
import type { HookResult } from '../domain/evidence.js';
import { hookSecretProblem } from '../domain/hook-secret.js';
import type { ServiceConfig } from '../domain/service.js';
import { hookPayload } from '../hooks/hook-payload.js';
import type { NotificationHook } from '../hooks/notification-hooks.js';
import { hookOutcome, retryableResult } from '../hooks/webhook.js';
import { hookResultMessage } from '../messages/index.js';
import { postOnce } from './outbox.js';

/**
 * The hook's URL and signing secret, or why it cannot be called: not configured (null), or its
 * secret unusable — the refusal, counted and logged (fail closed: an unsigned hook could be forged
 * by anyone who can reach the receiver).
 */
function signedHook(
  ctx: JobContext,
  hook: Exclude<HookResult['hook'], 'scaleDown'>,
  svc: ServiceConfig,
  d: Deployment,
):
  | { url: string; secret: string; settings: NonNullable<ServiceConfig['hooks']> }
  | { refused: HookResult }
  | null {
  const settings = svc.hooks;
  const url = settings?.[hook];
  if (!settings || !url) return null;
  const secret = ctx.secret(settings.secretEnv);
  const problem = hookSecretProblem(settings.secretEnv, secret);
  if (problem !== null || secret === undefined) {
    ctx.log.error({ deployment: d.id, hook, secretEnv: settings.secretEnv, problem }, 'hook secret unusable');
    return { refused: counted(ctx, notCalled(hook, url, `${problem}, so the hook could not be signed`)) };
  }
  return { url, secret, settings };
}

export async function runHook(
  ctx: JobContext,
  hook: Exclude<HookResult['hook'], NotificationHook | 'scaleDown'>,
  svc: ServiceConfig,
  d: Deployment,
  extra: Record<string, unknown> = {},
): Promise<HookResult | null> {
  const signed = signedHook(ctx, hook, svc, d);
  if (signed === null) return null;
  if ('refused' in signed) {
    await postOnce(ctx, d, `hook-${hook}`, hookResultMessage(d, signed.refused));
    return signed.refused;
  }
  const { url, secret, settings } = signed;
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

/** Which attempt of a notification hook this is: the job's, as the queue counts them. */
export interface HookAttempt {
  /** 1 for the first. */
  number: number;
  /** No attempt follows this one, whatever it gets back. */
  last: boolean;
}

/**
 * One attempt of a notification hook (afterRollback, verificationFailed), signed like every hook.
 * `retry`: it got no answer, a 5xx or a 429 and another attempt follows (the caller's job is run
 * again by the queue, with backoff); nothing is counted or said yet. Otherwise the outcome, counted
 * in greenlight_hook_calls_total, for the caller to record and post. Null: not configured.
 */
export async function callNotificationHook(
  ctx: JobContext,
  hook: NotificationHook,
  svc: ServiceConfig,
  d: Deployment,
  extra: Record<string, unknown>,
  attempt: HookAttempt,
): Promise<HookResult | 'retry' | null> {
  const signed = signedHook(ctx, hook, svc, d);
  if (signed === null || 'refused' in signed) return signed?.refused ?? null;
  const { url, secret, settings } = signed;
  const answered = await ctx.webhook({
    hook,
    url,
    payload: hookPayload(hook, d, extra),
    secret,
    timeoutMs: settings.timeoutMs,
    retries: 0,
  });
  const result: HookResult = { ...answered, attempts: attempt.number };
  if (!attempt.last && retryableResult(answered)) {
    ctx.log.warn(
      { deployment: d.id, hook, status: result.status, attempt: attempt.number },
      `${hook} hook failed; it is tried again`,
    );
    return 'retry';
  }
  ctx.log.info({ deployment: d.id, hook, status: result.status, ok: result.ok }, `${hook} hook answered`);
  return counted(ctx, result);
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
