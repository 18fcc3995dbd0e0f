/**
 * One awsQuery request → one response, without any network: the HTTP server (server.ts) and the
 * in-process SDK client (client.ts) both go through here, so they answer identically.
 */
import { randomUUID } from 'node:crypto';
import { awsAnswer, type HttpAnswer } from '../local-http.js';
import { FakeElbError, statusOf } from './errors.js';
import { runOperation, SUPPORTED_OPERATIONS } from './operations.js';
import { decodeQuery } from './query.js';
import type { FakeElbState } from './state.js';
import type { FakeCall, InjectedFailure } from './types.js';
import { errorXml, resultXml } from './xml.js';

export const API_VERSION = '2015-12-01';

export type FakeResponse = HttpAnswer;

function respond(status: number, body: string, requestId: string): FakeResponse {
  return awsAnswer(status, 'text/xml', body, requestId);
}

function failure(err: FakeElbError, requestId: string): FakeResponse {
  return respond(err.status, errorXml(err.code, err.message, requestId, err.type), requestId);
}

export function handleQuery(
  state: FakeElbState,
  body: string,
  requestId: string = randomUUID(),
  signedBy?: FakeCall['signedBy'],
): FakeResponse {
  try {
    const query = decodeQuery(body);
    if (query.action === undefined || query.action === '') {
      throw new FakeElbError('MissingAction', 'The request must contain the parameter Action.');
    }
    if (!SUPPORTED_OPERATIONS.includes(query.action)) {
      throw new FakeElbError(
        'InvalidAction',
        `The action ${query.action} is not valid for this web service.`,
      );
    }
    if (query.version !== undefined && query.version !== API_VERSION) {
      throw new FakeElbError(
        'NoSuchVersion',
        `The requested version (${query.version}) of service ElasticLoadBalancing does not exist.`,
      );
    }
    state.calls.push({ operation: query.action, params: query.params, ...(signedBy ? { signedBy } : {}) });
    if (state.throttle && !state.throttle.admit(query.action, state.now())) {
      throw new FakeElbError('ThrottlingException', 'Rate exceeded');
    }
    const injected = state.takeFailure(query.action);
    const fail = (f: InjectedFailure) => new FakeElbError(f.code, f.message, statusOf(f.code));
    if (injected && !injected.afterApply) throw fail(injected);
    const result = runOperation(state, query.action, query.params);
    if (injected) throw fail(injected); // applied, then failed (a timeout after the change)
    return respond(200, resultXml(query.action, result, requestId), requestId);
  } catch (err) {
    if (err instanceof FakeElbError) return failure(err, requestId);
    const message = err instanceof Error ? err.message : String(err);
    return failure(new FakeElbError('InternalFailure', `The fake ELB failed: ${message}`, 500), requestId);
  }
}
