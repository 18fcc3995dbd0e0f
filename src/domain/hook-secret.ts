/**
 * Is a hook secret fit to sign with? Hooks fail closed: without a usable secret they are not
 * called, because an unsigned (or guessably signed) "freeze", "thaw" or "scale to zero" request
 * could be forged by anyone who can reach the receiver. An empty variable (a secret that did not
 * mount) and a short one are refused like a missing one. Pure.
 */

/** HMAC-SHA256 keys should be at least as long as the hash: 32 characters (`openssl rand -hex 32` gives 64). */
export const MIN_HOOK_SECRET_LENGTH = 32;

/**
 * Why `value` (the variable `name`, named by the config key `key`) cannot sign hooks, or null when
 * it can; `hint` ends the too-short message. The value is never quoted. The events webhook's
 * secret (src/hooks/standard-webhook.ts) is held to the same checks, under its own key.
 */
export function hookSecretProblem(
  name: string,
  value: string | undefined,
  key = 'hooks.secretEnv',
  hint = 'e.g. openssl rand -hex 32',
): string | null {
  const where = `the environment variable ${name} (${key})`;
  if (value === undefined) return `${where} is not set`;
  if (value.trim() === '') return `${where} is empty`;
  if (value.length < MIN_HOOK_SECRET_LENGTH) {
    return `${where} is too short: ${value.length} characters, at least ${MIN_HOOK_SECRET_LENGTH} are needed (${hint})`;
  }
  return null;
}
