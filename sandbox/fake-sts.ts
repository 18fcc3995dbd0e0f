/**
 * The fake STS: AssumeRole and GetCallerIdentity, over the Query protocol the SDK speaks to STS
 * (`Action=AssumeRole&Version=2011-06-15`, form-encoded POST; XML response), with the roles a test
 * or the sandbox declares. Served by the fake AWS endpoint (fake-aws.ts), which also uses the sessions issued
 * here to answer the other services: a request signed with a session's access key id acts as its
 * role (its denied actions are refused with AccessDenied) and fails with ExpiredToken once the
 * session has expired. Sources (docs/aws-behaviour.md, "STS AssumeRole"):
 * - STS API Reference, AssumeRole: request parameters and their constraints (RoleArn 20–2048
 *   characters; RoleSessionName 2–64 of `[\w+=,.@-]`; ExternalId 2–1224 of `[\w+=,.@:/-]`;
 *   DurationSeconds 900–43200 and at most the role's maximum session duration, default 3600; a
 *   role-chained session at most one hour) and the response elements (`Credentials`:
 *   AccessKeyId, SecretAccessKey, SessionToken, Expiration; `AssumedRoleUser`: Arn,
 *   AssumedRoleId); botocore's model sts/2011-06-15 for the shapes (`roleSessionNameType`,
 *   `externalIdType`, `roleDurationSecondsType`).
 * - Constraint violations are `ValidationError` (400) worded "1 validation error detected: Value
 *   '…' at 'roleSessionName' failed to satisfy constraint: …"; a DurationSeconds above the role's
 *   maximum is `ValidationError` "The requested DurationSeconds exceeds the MaxSessionDuration set
 *   for this role.".
 * - A role the caller may not assume — no such role, a trust policy that does not trust the
 *   caller, or an `sts:ExternalId` condition the request does not meet — is `AccessDenied` (403,
 *   `<Type>Sender</Type>`), "User: <caller> is not authorized to perform: sts:AssumeRole on
 *   resource: <role>"; AWS does not say which (IAM User Guide, "Troubleshoot IAM roles").
 * - GetCallerIdentity (STS API Reference, GetCallerIdentity: response elements and examples):
 *   `GetCallerIdentityResponse/GetCallerIdentityResult` with `Arn`, `UserId` and `Account` of the
 *   caller — for a session this fake issued, the assumed-role ARN, `<role id>:<session name>` and
 *   the role's account; for any other key, the local IAM user `greenlight-local` of account
 *   123456789012 (its unique id `AIDA…`). "No permissions are required to perform this
 *   operation": a role's denied actions never refuse it; an expired session is `ExpiredToken`.
 * Not modelled: session policies and tags, MFA, source identity (the bot sends none).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { FailureInjection, failureStatus } from './failure-injection.js';
import type { FakeResponse } from './fake-elb/index.js';
import { escapeXml } from './fake-elb/xml.js';
import { awsAnswer } from './local-http.js';

export const STS_VERSION = '2011-06-15';
export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
/** The account of callers this fake does not know (the bot's own base credentials). */
const CALLER_ACCOUNT = '123456789012';
/** The unique id of the local IAM user those callers are (IAM User Guide, "IAM identifiers": a user's begins `AIDA`). */
const CALLER_USER_ID = 'AIDAGREENLIGHTLOCAL01';

export interface FakeRole {
  arn: string;
  /** The external ID its trust policy requires (`sts:ExternalId`); none: any or none is accepted. */
  externalId?: string;
  /** The role's maximum session duration (IAM: 1–12 hours; default 1 hour). */
  maxSessionSeconds: number;
  /** IAM actions its permissions do not allow (`elasticloadbalancing:DescribeTargetHealth`). */
  denied: Set<string>;
}

export interface FakeSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  roleArn: string;
  sessionName: string;
  /** The assumed-role ARN requests of this session act as. */
  arn: string;
  /** `AROA…:<session name>` (AssumedRoleUser.AssumedRoleId; GetCallerIdentity's UserId). */
  assumedRoleId: string;
  expiresAt: number;
}

export interface FakeStsCall {
  roleArn: string | undefined;
  sessionName: string | undefined;
  externalId: string | undefined;
  durationSeconds: number | undefined;
  /** The access key id the request was signed with. */
  caller: string | undefined;
  /** The Region of the request's signature (its SigV4 credential scope). */
  region: string | undefined;
  /** `ok`, or the error code it was answered with. */
  outcome: string;
}

/** A GetCallerIdentity request. */
export interface FakeIdentityCall {
  caller: string | undefined;
  region: string | undefined;
  /** The account answered, or the error code. */
  outcome: string;
}

class StsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Letters and digits as AWS access key ids use them (`ASIA…` for temporary credentials). */
function keyChars(n: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** ISO 8601 to the second, as STS writes `Expiration` (`2019-11-09T13:34:41Z`). */
function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** `role/path/name` → `name`. */
function roleName(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}

function accountOf(arn: string): string {
  return arn.split(':')[4] || CALLER_ACCOUNT;
}

/** STS's own server fault (answered 500, `<Type>Receiver</Type>`; ServiceUnavailable is 503). */
const SERVER_FAULTS = ['InternalFailure'];

/** The roles, the sessions issued, the calls made; `failNext('AssumeRole', 'Throttling')` queues a failure. */
export class FakeStsState extends FailureInjection {
  readonly roles = new Map<string, FakeRole>();
  /** Every session issued, by access key id. */
  readonly sessions = new Map<string, FakeSession>();
  /** AssumeRole requests. */
  readonly calls: FakeStsCall[] = [];
  /** GetCallerIdentity requests. */
  readonly identityCalls: FakeIdentityCall[] = [];
  now: () => number;

  constructor(opts: { now?: () => number } = {}) {
    super();
    this.now = opts.now ?? (() => Date.now());
  }

  addRole(
    arn: string,
    opts: { externalId?: string; maxSessionSeconds?: number; deny?: string[] } = {},
  ): void {
    this.roles.set(arn, {
      arn,
      ...(opts.externalId !== undefined ? { externalId: opts.externalId } : {}),
      maxSessionSeconds: opts.maxSessionSeconds ?? 3_600,
      denied: new Set(opts.deny ?? []),
    });
  }

  /** From now on the role's permissions do not allow `action` (`ecs:DescribeServices`). */
  deny(roleArn: string, action: string): void {
    const role = this.roles.get(roleArn);
    if (!role) throw new Error(`no fake role ${roleArn}`);
    role.denied.add(action);
  }

  sessionOf(accessKeyId: string | undefined): FakeSession | undefined {
    return accessKeyId === undefined ? undefined : this.sessions.get(accessKeyId);
  }

  /** The ARN a request signed with `accessKeyId` acts as. */
  callerArn(accessKeyId: string | undefined): string {
    return this.sessionOf(accessKeyId)?.arn ?? `arn:aws:iam::${CALLER_ACCOUNT}:user/greenlight-local`;
  }

  /**
   * Why a request signed with `accessKeyId` may not call `action` (an IAM action), or null: an
   * expired session (ExpiredToken), or a role whose permissions do not allow it (AccessDenied).
   * Keys this fake did not issue are the caller's own credentials, allowed everything.
   */
  refusal(
    accessKeyId: string | undefined,
    action: string,
  ): { code: 'ExpiredToken' | 'AccessDenied'; message: string } | null {
    const session = this.sessionOf(accessKeyId);
    if (!session) return null;
    if (session.expiresAt <= this.now())
      return { code: 'ExpiredToken', message: 'The security token included in the request is expired' };
    if (this.roles.get(session.roleArn)?.denied.has(action))
      return {
        code: 'AccessDenied',
        message: `User: ${session.arn} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
      };
    return null;
  }
}

/** True for a Query request to STS (`Version=2011-06-15` in the form). */
export function isStsRequest(body: string): boolean {
  try {
    return new URLSearchParams(body).get('Version') === STS_VERSION;
  } catch {
    return false;
  }
}

/** The failure a test queued for this action, as STS would answer it. */
function injected(state: FakeStsState, action: string): StsError | undefined {
  const f = state.takeFailure(action);
  return f ? new StsError(f.code, f.message, failureStatus(f.code, SERVER_FAULTS)) : undefined;
}

function stsError(err: StsError, requestId: string): FakeResponse {
  const type = err.status >= 500 ? 'Receiver' : 'Sender';
  const body =
    `<ErrorResponse xmlns="${STS_NAMESPACE}"><Error><Type>${type}</Type><Code>${escapeXml(err.code)}</Code>` +
    `<Message>${escapeXml(err.message)}</Message></Error><RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`;
  return awsAnswer(err.status, 'text/xml', body, requestId);
}

/** The constraint violations of an AssumeRole request, worded as STS words them. */
function violations(p: URLSearchParams): string[] {
  const out: string[] = [];
  const value = (v: string) => `Value '${v}'`;
  const text = (name: string, field: string, min: number, max: number, pattern?: RegExp, shown?: string) => {
    const v = p.get(name);
    if (v === null) {
      if (min > 0) out.push(`Value null at '${field}' failed to satisfy constraint: Member must not be null`);
      return;
    }
    if (v.length < min)
      out.push(
        `${value(v)} at '${field}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`,
      );
    if (v.length > max)
      out.push(
        `${value(v)} at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
      );
    if (pattern && !pattern.test(v))
      out.push(
        `${value(v)} at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${shown}`,
      );
  };
  text('RoleArn', 'roleArn', 20, 2048);
  text('RoleSessionName', 'roleSessionName', 2, 64, /^[\w+=,.@-]*$/, '[\\w+=,.@-]*');
  if (p.has('ExternalId')) text('ExternalId', 'externalId', 2, 1224, /^[\w+=,.@:/-]*$/, '[\\w+=,.@:\\/-]*');
  const d = p.get('DurationSeconds');
  if (d !== null) {
    const n = Number(d);
    if (!Number.isInteger(n))
      out.push(`${value(d)} at 'durationSeconds' failed to satisfy constraint: Member must be an integer`);
    else if (n < 900)
      out.push(
        `${value(d)} at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`,
      );
    else if (n > 43_200)
      out.push(
        `${value(d)} at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200`,
      );
  }
  return out;
}

function assumeRole(
  state: FakeStsState,
  p: URLSearchParams,
  caller: string | undefined,
): Record<string, unknown> {
  const problems = violations(p);
  if (problems.length > 0) {
    const n = problems.length;
    throw new StsError(
      'ValidationError',
      `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`,
    );
  }
  const roleArn = p.get('RoleArn') as string;
  const sessionName = p.get('RoleSessionName') as string;
  const role = state.roles.get(roleArn);
  const externalId = p.get('ExternalId') ?? undefined;
  if (!role || (role.externalId !== undefined && role.externalId !== externalId)) {
    throw new StsError(
      'AccessDenied',
      `User: ${state.callerArn(caller)} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      403,
    );
  }
  const duration = Number(p.get('DurationSeconds') ?? 3_600);
  if (duration > role.maxSessionSeconds)
    throw new StsError(
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  if (state.sessionOf(caller) && duration > 3_600)
    throw new StsError(
      'ValidationError',
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  // The assumed role's ARN is in the role's own partition (aws, aws-cn, aws-us-gov, aws-iso…).
  const partition = roleArn.split(':')[1] ?? 'aws';
  const arn = `arn:${partition}:sts::${accountOf(roleArn)}:assumed-role/${roleName(roleArn)}/${sessionName}`;
  const assumedRoleId = `AROA${keyChars(17)}:${sessionName}`;
  const session: FakeSession = {
    accessKeyId: `ASIA${keyChars(16)}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: randomBytes(96).toString('base64'),
    roleArn,
    sessionName,
    arn,
    assumedRoleId,
    expiresAt: state.now() + duration * 1000,
  };
  state.sessions.set(session.accessKeyId, session);
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: isoSeconds(session.expiresAt),
    },
    AssumedRoleUser: { Arn: arn, AssumedRoleId: assumedRoleId },
  };
}

function xml(name: string, value: unknown): string {
  if (typeof value === 'object' && value !== null)
    return `<${name}>${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => xml(k, v))
      .join('')}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** Who the caller is: its session's role, or the local IAM user (GetCallerIdentity). */
function callerIdentity(state: FakeStsState, caller: string | undefined): Record<string, string> {
  const session = state.sessionOf(caller);
  if (session && session.expiresAt <= state.now())
    throw new StsError('ExpiredToken', 'The security token included in the request is expired', 403);
  if (session)
    return { Arn: session.arn, UserId: session.assumedRoleId, Account: accountOf(session.roleArn) };
  return { Arn: state.callerArn(caller), UserId: CALLER_USER_ID, Account: CALLER_ACCOUNT };
}

/** A successful answer: `<Action>Response/<Action>Result`, then `ResponseMetadata/RequestId`. */
function stsResult(action: string, result: Record<string, unknown>, requestId: string): FakeResponse {
  const out =
    `<${action}Response xmlns="${STS_NAMESPACE}">${xml(`${action}Result`, result)}` +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>`;
  return awsAnswer(200, 'text/xml', out, requestId);
}

function getCallerIdentity(
  state: FakeStsState,
  signer: StsSigner | undefined,
  requestId: string,
): FakeResponse {
  const call: FakeIdentityCall = { caller: signer?.accessKeyId, region: signer?.region, outcome: '' };
  state.identityCalls.push(call);
  try {
    const failure = injected(state, 'GetCallerIdentity');
    if (failure) throw failure;
    const result = callerIdentity(state, signer?.accessKeyId);
    call.outcome = result.Account as string;
    return stsResult('GetCallerIdentity', result, requestId);
  } catch (err) {
    const e = err instanceof StsError ? err : new StsError('InternalFailure', String(err), 500);
    call.outcome = e.code;
    return stsError(e, requestId);
  }
}

/** Who signed a request: the access key id and Region of its SigV4 credential scope. */
export interface StsSigner {
  accessKeyId: string;
  region: string;
}

/** One STS request, signed by `signer`. */
export function handleSts(
  state: FakeStsState,
  body: string,
  signer?: StsSigner,
  requestId = randomUUID(),
): FakeResponse {
  const p = new URLSearchParams(body);
  const action = p.get('Action') ?? '';
  const caller = signer?.accessKeyId;
  if (action === 'GetCallerIdentity') return getCallerIdentity(state, signer, requestId);
  if (action !== 'AssumeRole') {
    return stsError(
      new StsError(
        'InvalidAction',
        `Could not find operation ${action.slice(0, 60) || '(none)'} for version ${STS_VERSION}`,
      ),
      requestId,
    );
  }
  const call: FakeStsCall = {
    roleArn: p.get('RoleArn') ?? undefined,
    sessionName: p.get('RoleSessionName') ?? undefined,
    externalId: p.get('ExternalId') ?? undefined,
    durationSeconds: p.has('DurationSeconds') ? Number(p.get('DurationSeconds')) : undefined,
    caller,
    region: signer?.region,
    outcome: 'ok',
  };
  state.calls.push(call);
  try {
    const failure = injected(state, 'AssumeRole');
    if (failure) throw failure;
    return stsResult('AssumeRole', assumeRole(state, p, caller), requestId);
  } catch (err) {
    const e = err instanceof StsError ? err : new StsError('InternalFailure', String(err), 500);
    call.outcome = e.code;
    return stsError(e, requestId);
  }
}
