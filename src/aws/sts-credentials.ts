/**
 * The credentials of an assumed role (STS AssumeRole, from the process's own credentials: the
 * bot's role), cached and refreshed before they expire. One provider per (role, external ID):
 * every client that acts as that role — ELBv2, CloudWatch, ECS, Auto Scaling, in any Region —
 * shares its session, so many calls cost one AssumeRole per session lifetime.
 *
 * - A session lasts `durationSeconds` (default 3600: STS's default, and the most a chained role
 *   session may last — STS API Reference, AssumeRole, `DurationSeconds`). It is renewed once fewer
 *   than `refreshBeforeMs` (default 5 min, what the SDK's own providers allow) are left.
 * - Concurrent callers share one AssumeRole (single flight).
 * - A renewal that fails while the session still has time left returns the session (AWS accepts
 *   it until `Expiration`) and tries again on the next call; once it has expired, the failure
 *   (AccessDenied, a throttled or unreachable STS) is thrown to the caller as an AwsCallError
 *   naming AssumeRole and the role, so a job says what failed and retries what is transient.
 * - The SDK clients also memoize credentials until a few minutes before `expiration`; this cache is
 *   what makes the session one per role instead of one per client.
 */
import { AssumeRoleCommand, type AssumeRoleCommandOutput } from '@aws-sdk/client-sts';
import { AwsCallError } from '../errors.js';
import { toAwsCallError } from './sdk-call.js';

/** A role session name (STS API Reference, AssumeRole `RoleSessionName`: 2–64 of `[\w+=,.@-]`). */
export const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** `greenlight` or `greenlight-<suffix>`, reduced to what STS accepts as a session name. */
export function roleSessionName(suffix?: string): string {
  const raw = suffix ? `greenlight-${suffix}` : 'greenlight';
  const name = raw.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  return ROLE_SESSION_NAME.test(name) ? name : 'greenlight';
}

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
  sessionName?: string;
  /** Seconds a session lasts (900–43200, at most the role's maximum session duration). */
  durationSeconds?: number;
  /** Renew a session when fewer than this many ms of it are left. */
  refreshBeforeMs?: number;
  now?: () => number;
}

export const DEFAULT_SESSION_SECONDS = 3_600;
export const DEFAULT_REFRESH_BEFORE_MS = 5 * 60_000;

/** A provider of the role's credentials, as SDK clients take it (`credentials`). */
export interface AssumedRole {
  (): Promise<TemporaryCredentials>;
  readonly roleArn: string;
  /** AssumeRole calls made so far (for tests and logs). */
  readonly assumed: number;
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
  const refreshBeforeMs = opts.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS;
  let session: TemporaryCredentials | undefined;
  let renewing: Promise<TemporaryCredentials> | undefined;
  let assumed = 0;
  const renew = async (): Promise<TemporaryCredentials> => {
    assumed += 1;
    try {
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: opts.roleArn,
          RoleSessionName: opts.sessionName ?? roleSessionName(),
          DurationSeconds: opts.durationSeconds ?? DEFAULT_SESSION_SECONDS,
          ...(opts.externalId !== undefined ? { ExternalId: opts.externalId } : {}),
        }),
      );
      session = credentialsOf(opts.roleArn, out);
      return session;
    } catch (err) {
      const e = toAwsCallError('AssumeRole', err);
      // Still valid: keep using it; the next call tries again.
      if (session && session.expiration.getTime() > now()) return session;
      const detail = e.message.replace(`AssumeRole failed: ${e.code}: `, '');
      throw new AwsCallError('AssumeRole', e.code, `cannot assume ${opts.roleArn}: ${detail}`);
    }
  };
  const provider = async (): Promise<TemporaryCredentials> => {
    if (session && session.expiration.getTime() - now() > refreshBeforeMs) return session;
    if (!renewing) {
      renewing = renew().finally(() => {
        renewing = undefined;
      });
    }
    return renewing;
  };
  return Object.defineProperties(provider, {
    roleArn: { value: opts.roleArn, enumerable: true },
    assumed: { get: () => assumed, enumerable: true },
  }) as AssumedRole;
}
