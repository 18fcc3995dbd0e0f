/**
 * The credentials of an assumed role (STS AssumeRole, from the process's own credentials: the
 * bot's role), cached and renewed before they expire. One provider per (role, external ID):
 * every client that acts as that role — ELBv2, CloudWatch, ECS, Auto Scaling, in any Region —
 * shares its session, so many calls cost one AssumeRole per session lifetime.
 *
 * - A session lasts `durationSeconds` (default 3600: STS's default, and the most a chained role
 *   session may last — STS API Reference, AssumeRole, `DurationSeconds`), as session `greenlight`.
 * - Renewal never holds up a call that has a valid session: once fewer than `refreshBeforeMs`
 *   (default 15 min, at most half the session) are left, a call starts one AssumeRole in the
 *   background (single flight) and is answered at once with the current session. A call waits
 *   for STS only when there is no session, or it has expired or is within `expiryMarginMs`
 *   (default 60 s) of its `Expiration`; concurrent callers share that one AssumeRole.
 * - After a failed AssumeRole, STS is not asked again for `retryAfterMs` (default 30 s): calls in
 *   between get the current session while it is valid (AWS accepts it until `Expiration`), or,
 *   once it has expired, the failure at once — AccessDenied, a throttled or unreachable STS, as
 *   an AwsCallError naming AssumeRole and the role, so a job says what failed and retries what is
 *   transient. During an STS outage a role costs one AssumeRole per 30 s, not one per AWS call.
 * - Time is `now()` (injectable); nothing here sleeps or sets timers.
 * - The SDK clients memoize credentials too, and ask again on every request once fewer than
 *   5 minutes are left (@smithy/core `memoizeIdentityProvider`, `EXPIRATION_MS`): this cache is
 *   what makes the session one per role instead of one per client, and answers those asks at once.
 */
import { AssumeRoleCommand, type AssumeRoleCommandOutput } from '@aws-sdk/client-sts';
import { AwsCallError } from '../errors.js';
import { toAwsCallError } from './sdk-call.js';

/** The role session name (STS API Reference, AssumeRole `RoleSessionName`: 2–64 of `[\w+=,.@-]`). */
export const SESSION_NAME = 'greenlight';

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** The part of the STS client used here (a real STSClient; a stand-in in unit tests). */
export interface StsSender {
  send(command: AssumeRoleCommand): Promise<AssumeRoleCommandOutput>;
}

export interface AssumedRoleOptions {
  roleArn: string;
  externalId?: string;
  /** Seconds a session lasts (900–43200, at most the role's maximum session duration). */
  durationSeconds?: number;
  /** Renew in the background once fewer than this many ms are left (at most half the session). */
  refreshBeforeMs?: number;
  /** Wait for a renewal once fewer than this many ms are left (or the session has expired). */
  expiryMarginMs?: number;
  /** After a failed AssumeRole, ask STS again no sooner than this many ms later. */
  retryAfterMs?: number;
  now?: () => number;
}

export const DEFAULT_SESSION_SECONDS = 3_600;
export const DEFAULT_REFRESH_BEFORE_MS = 15 * 60_000;
export const DEFAULT_EXPIRY_MARGIN_MS = 60_000;
export const DEFAULT_RETRY_AFTER_MS = 30_000;

/** A provider of the role's credentials, as SDK clients take it (`credentials`). */
export interface AssumedRole {
  (): Promise<TemporaryCredentials>;
  readonly roleArn: string;
  /** AssumeRole calls made so far (for tests and logs). */
  readonly assumed: number;
  /** The AssumeRole in flight, if any: settles when it does, never rejects (for tests). */
  readonly renewal: Promise<void> | undefined;
}

function credentialsOf(roleArn: string, out: AssumeRoleCommandOutput): TemporaryCredentials {
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration)
    throw new AwsCallError(
      'AssumeRole',
      'IncompleteCredentials',
      `STS returned no complete credentials for ${roleArn}`,
    );
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration: new Date(c.Expiration),
  };
}

export function assumedRole(sts: StsSender, opts: AssumedRoleOptions): AssumedRole {
  const now = opts.now ?? (() => Date.now());
  const durationSeconds = opts.durationSeconds ?? DEFAULT_SESSION_SECONDS;
  // A short session (900 s) renewed 15 min before it ends would be renewed on every call.
  const refreshBeforeMs = Math.min(
    opts.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS,
    (durationSeconds * 1000) / 2,
  );
  const expiryMarginMs = opts.expiryMarginMs ?? DEFAULT_EXPIRY_MARGIN_MS;
  const retryAfterMs = opts.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
  let session: TemporaryCredentials | undefined;
  let renewing: Promise<TemporaryCredentials> | undefined;
  let settled: Promise<void> | undefined;
  let failed: { at: number; error: AwsCallError } | undefined;
  let assumed = 0;

  const assume = async (): Promise<TemporaryCredentials> => {
    assumed += 1;
    try {
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: opts.roleArn,
          RoleSessionName: SESSION_NAME,
          DurationSeconds: durationSeconds,
          ...(opts.externalId !== undefined ? { ExternalId: opts.externalId } : {}),
        }),
      );
      session = credentialsOf(opts.roleArn, out);
      failed = undefined;
      return session;
    } catch (err) {
      const e = toAwsCallError('AssumeRole', err);
      const detail = e.message.replace(`AssumeRole failed: ${e.code}: `, '');
      const error = new AwsCallError('AssumeRole', e.code, `cannot assume ${opts.roleArn}: ${detail}`);
      failed = { at: now(), error };
      throw error;
    }
  };

  /** The AssumeRole in flight, or a new one unless the last failed less than `retryAfterMs` ago. */
  const renewal = (): Promise<TemporaryCredentials> | undefined => {
    if (renewing) return renewing;
    if (failed && now() - failed.at < retryAfterMs) return undefined;
    const flight = assume();
    const clear = () => {
      renewing = undefined;
      settled = undefined;
    };
    // Handled here, so a renewal nobody waits for never rejects unhandled.
    settled = flight.then(clear, clear);
    renewing = flight;
    return flight;
  };

  const left = (s: TemporaryCredentials) => s.expiration.getTime() - now();

  const provider = async (): Promise<TemporaryCredentials> => {
    if (session && left(session) > refreshBeforeMs) return session;
    const flight = renewal();
    // Time enough left: the renewal (if any) runs in the background.
    if (session && left(session) > expiryMarginMs) return session;
    try {
      if (flight) return await flight;
    } catch (err) {
      if (session && left(session) > 0) return session;
      throw err;
    }
    // Backing off after a failure: no AssumeRole now.
    if (session && left(session) > 0) return session;
    throw (failed as { error: AwsCallError }).error;
  };
  return Object.defineProperties(provider, {
    roleArn: { value: opts.roleArn, enumerable: true },
    assumed: { get: () => assumed, enumerable: true },
    renewal: { get: () => settled, enumerable: true },
  }) as AssumedRole;
}
