/**
 * One local AWS endpoint for every service Greenlight calls, so the bot needs a single
 * `AWS_ENDPOINT_URL`. Requests are told apart by protocol, the way the SDK sends them:
 * - JSON protocols by `X-Amz-Target`: `AmazonEC2ContainerServiceV20141113.*` → ECS;
 *   CloudWatch (`GraniteServiceVersion20100801.*`, JSON 1.0) → the injected handler.
 * - awsQuery by the `Version` form field: `2015-12-01` → ELBv2 (the fake ELB's `handleQuery`),
 *   `2011-01-01` → Auto Scaling, `2011-06-15` → STS (fake-sts.ts: AssumeRole, GetCallerIdentity).
 * With STS served, a request signed with a session it issued acts as that session's role: an
 * expired session gets `ExpiredToken`, an action the role may not call `AccessDenied`, each in its
 * service's protocol (docs/aws-behaviour.md, "STS AssumeRole"). The ELB records who signed each
 * call (the SigV4 credential scope: access key id and Region) in its `calls`.
 * An injected handler (CloudWatch) is asked first: it is either a function that answers
 * `undefined` for requests that are not its own, or `{ isRequest, handle }`.
 * Anything else gets an AWS-shaped 400 (`UnknownOperationException` as JSON for a JSON request,
 * an `InvalidAction` ErrorResponse otherwise), as does a service that was not configured.
 */
import { randomUUID } from 'node:crypto';
import { asgErrorXml, type FakeAsgState, handleAutoScaling, isAsgRequest } from './fake-autoscaling.js';
import { ECS_TARGET_PREFIX, type FakeEcsState, handleEcs } from './fake-ecs.js';
import { type FakeElbState, type FakeResponse, handleQuery } from './fake-elb/index.js';
import { type FakeStsState, handleSts, isStsRequest } from './fake-sts.js';
import { type LocalServer, queryOrBody, startAnsweringServer } from './local-http.js';

export interface FakeAwsRequest {
  /** Lower-case header names, as node:http gives them. */
  headers: Record<string, string | string[] | undefined>;
  /** The raw body (for a GET: the query string). */
  body: string;
}

type Answer = FakeResponse | undefined | Promise<FakeResponse | undefined>;

/** A handler for another service: a function (undefined = not mine) or a predicate + handler. */
export type InjectedHandler =
  | ((req: FakeAwsRequest) => Answer)
  | {
      isRequest: (headers: FakeAwsRequest['headers'], body: string) => boolean;
      handle: (req: FakeAwsRequest) => FakeResponse | Promise<FakeResponse>;
    };

export interface FakeAwsOptions {
  elb: FakeElbState;
  ecs?: FakeEcsState;
  asg?: FakeAsgState;
  cloudwatch?: InjectedHandler;
  sts?: FakeStsState;
  port?: number;
  host?: string;
}

export type FakeAws = LocalServer;

export const ELB_VERSION = '2015-12-01';

function jsonError(code: string, message: string, status = 400): FakeResponse {
  const body = JSON.stringify({ __type: code, message });
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() },
    body,
  };
}

function queryError(code: string, message: string, status = 400): FakeResponse {
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() },
    body: asgErrorXml(code, message, randomUUID(), status),
  };
}

function formVersion(body: string): string | null {
  try {
    return new URLSearchParams(body).get('Version');
  } catch {
    return null;
  }
}

/**
 * Who signed a request: the access key id, Region and service of its SigV4 credential scope
 * (`Authorization: AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, …`;
 * AWS General Reference, "Signature Version 4"). The signature itself is not checked.
 */
export function signedBy(
  headers: FakeAwsRequest['headers'],
): { accessKeyId: string; region: string; service: string } | undefined {
  const auth = headers.authorization;
  const m =
    typeof auth === 'string'
      ? /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth)
      : null;
  return m ? { accessKeyId: m[1] as string, region: m[2] as string, service: m[3] as string } : undefined;
}

const CLOUDWATCH_TARGET = 'GraniteServiceVersion20100801.';

/** The IAM action a request calls (`elasticloadbalancing:DescribeRules`), when it can be told. */
function iamAction(req: FakeAwsRequest): string | undefined {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    if (target.startsWith(ECS_TARGET_PREFIX)) return `ecs:${target.slice(ECS_TARGET_PREFIX.length)}`;
    if (target.startsWith(CLOUDWATCH_TARGET)) return `cloudwatch:${target.slice(CLOUDWATCH_TARGET.length)}`;
    return undefined;
  }
  const version = formVersion(req.body);
  const action = new URLSearchParams(req.body).get('Action') ?? '';
  if (version === ELB_VERSION) return `elasticloadbalancing:${action}`;
  if (isAsgRequest(req.headers, req.body)) return `autoscaling:${action}`;
  return undefined;
}

/**
 * A request the caller's session may not make, answered in its protocol: awsQuery services
 * (`ExpiredToken` / `AccessDenied`, 403), ECS's JSON (`ExpiredTokenException` 403,
 * `AccessDeniedException` 400), CloudWatch's query-compatible JSON (the code in
 * `x-amzn-query-error`, 403).
 */
function refused(sts: FakeStsState | undefined, req: FakeAwsRequest): FakeResponse | undefined {
  const action = sts ? iamAction(req) : undefined;
  const refusal = action ? sts?.refusal(signedBy(req.headers)?.accessKeyId, action) : null;
  if (!action || !refusal) return undefined;
  if (action.startsWith('ecs:'))
    return refusal.code === 'ExpiredToken'
      ? jsonError('ExpiredTokenException', refusal.message, 403)
      : jsonError('AccessDeniedException', refusal.message, 400);
  if (action.startsWith('cloudwatch:')) {
    const body = JSON.stringify({ __type: refusal.code, message: refusal.message });
    return {
      status: 403,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': randomUUID(),
        'x-amzn-query-error': `${refusal.code};Sender`,
      },
      body,
    };
  }
  return queryError(refusal.code, refusal.message, 403);
}

async function askInjected(
  handler: InjectedHandler | undefined,
  req: FakeAwsRequest,
): Promise<FakeResponse | undefined> {
  if (!handler) return undefined;
  if (typeof handler === 'function') return handler(req);
  return handler.isRequest(req.headers, req.body) ? handler.handle(req) : undefined;
}

/** One request → one response, without the network (the server below goes through here). */
export async function dispatchFakeAws(
  opts: Omit<FakeAwsOptions, 'port' | 'host'>,
  req: FakeAwsRequest,
): Promise<FakeResponse> {
  const caller = signedBy(req.headers);
  if (req.headers['x-amz-target'] === undefined && isStsRequest(req.body)) {
    return opts.sts
      ? handleSts(opts.sts, req.body, caller)
      : queryError('InvalidAction', 'STS is not served here.');
  }
  const refusal = refused(opts.sts, req);
  if (refusal) return refusal;
  const injected = await askInjected(opts.cloudwatch, req);
  if (injected) return injected;
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    if (target.startsWith(ECS_TARGET_PREFIX)) {
      return opts.ecs
        ? handleEcs(opts.ecs, req)
        : jsonError('UnknownOperationException', 'ECS is not served here.');
    }
    return jsonError('UnknownOperationException', `No fake service answers ${target.slice(0, 100)}.`);
  }
  const version = formVersion(req.body);
  if (version === ELB_VERSION) {
    const hang = opts.elb.takeHang(new URLSearchParams(req.body).get('Action') ?? '');
    if (hang > 0) await new Promise((r) => setTimeout(r, hang));
    const latency = opts.elb.latencyMs;
    if (latency)
      await new Promise((r) => setTimeout(r, latency[0] + Math.random() * (latency[1] - latency[0])));
    return handleQuery(
      opts.elb,
      req.body,
      undefined,
      caller ? { accessKeyId: caller.accessKeyId, region: caller.region } : undefined,
    );
  }
  if (isAsgRequest(req.headers, req.body)) {
    return opts.asg
      ? handleAutoScaling(opts.asg, req)
      : queryError('InvalidAction', 'Auto Scaling is not served here.');
  }
  return queryError(
    version === null ? 'MissingAction' : 'NoSuchVersion',
    version === null
      ? 'The request names no service (no X-Amz-Target header and no Version parameter).'
      : `No fake service speaks version ${version.slice(0, 40)}.`,
  );
}

export function startFakeAws(opts: FakeAwsOptions): Promise<FakeAws> {
  return startAnsweringServer({
    port: opts.port,
    host: opts.host,
    tooLarge: () => new Error('Request body too large'),
    answer: (req, body) => dispatchFakeAws(opts, { headers: req.headers, body: queryOrBody(req, body) }),
    onError: (err) =>
      queryError(
        'InternalFailure',
        `The fake AWS failed: ${err instanceof Error ? err.message : String(err)}`,
        500,
      ),
  });
}
