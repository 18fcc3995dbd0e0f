/**
 * A real SDK client whose requests are answered in-process by the fake (no socket): the same
 * serialisation, XML parsing, error mapping and retries as over HTTP, for fast unit tests.
 */
import {
  ElasticLoadBalancingV2Client,
  type ElasticLoadBalancingV2ClientConfig,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { handleQuery } from './handler.js';
import type { FakeElbState } from './state.js';

interface WireRequest {
  body?: unknown;
  query?: Record<string, string | string[] | null>;
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return '';
}

export function fakeElbClient(
  state: FakeElbState,
  opts: { maxAttempts?: number } = {},
): ElasticLoadBalancingV2Client {
  const requestHandler = {
    async handle(request: WireRequest) {
      const r = handleQuery(state, bodyText(request.body));
      return {
        response: { statusCode: r.status, headers: r.headers, body: new TextEncoder().encode(r.body) },
      };
    },
  };
  return new ElasticLoadBalancingV2Client({
    region: 'us-east-1',
    endpoint: 'http://fake-elb.invalid',
    credentials: { accessKeyId: 'AKIAFAKEELB', secretAccessKey: 'fake-elb-secret' },
    maxAttempts: opts.maxAttempts ?? 3,
    requestHandler: requestHandler as unknown as ElasticLoadBalancingV2ClientConfig['requestHandler'],
  });
}
