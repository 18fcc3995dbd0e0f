/**
 * The fake ELBv2 over HTTP, for the real SDK client (`endpoint` = `url`, or AWS_ENDPOINT_URL in
 * the sandbox). Accepts POST form bodies (what the SDK sends) and GET query strings.
 */
import { queryOrBody, startAnsweringServer } from '../local-http.js';
import { FakeElbError } from './errors.js';
import { handleQuery } from './handler.js';
import { FakeElbState } from './state.js';
import { errorXml } from './xml.js';

export interface FakeElb {
  url: string;
  state: FakeElbState;
  close(): Promise<void>;
}

export async function startFakeElb(
  opts: { port?: number; host?: string; state?: FakeElbState } = {},
): Promise<FakeElb> {
  const state = opts.state ?? new FakeElbState();
  const served = await startAnsweringServer({
    port: opts.port,
    host: opts.host,
    tooLarge: () => new FakeElbError('MalformedQueryString', 'Request body too large'),
    answer: (req, body) => handleQuery(state, queryOrBody(req, body)),
    onError: (err) => {
      const e =
        err instanceof FakeElbError
          ? err
          : new FakeElbError('MalformedQueryString', 'Unreadable request body');
      const requestId = 'fake-elb-unreadable';
      return {
        status: e.status,
        headers: { 'content-type': 'text/xml' },
        body: errorXml(e.code, e.message, requestId, e.type),
      };
    },
  });
  return { ...served, state };
}
