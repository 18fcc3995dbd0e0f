/**
 * The fake ELBv2 over HTTP, for the real SDK client (`endpoint` = `url`, or AWS_ENDPOINT_URL in
 * the sandbox). Accepts POST form bodies (what the SDK sends) and GET query strings.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeElbError } from './errors.js';
import { handleQuery } from './handler.js';
import { FakeElbState } from './state.js';
import { errorXml } from './xml.js';

export interface FakeElb {
  url: string;
  state: FakeElbState;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1_000_000;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new FakeElbError('MalformedQueryString', 'Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function startFakeElb(
  opts: { port?: number; host?: string; state?: FakeElbState } = {},
): Promise<FakeElb> {
  const state = opts.state ?? new FakeElbState();
  const host = opts.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    const query = (req.url ?? '').split('?')[1] ?? '';
    readBody(req)
      .then((body) => handleQuery(state, req.method === 'GET' ? query : body))
      .catch((err: unknown) => {
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
      })
      .then((r) => {
        res.writeHead(r.status, r.headers);
        res.end(r.body);
      });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      const { port } = server.address() as AddressInfo;
      const shown = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shown}:${port}`,
        state,
        close: () =>
          new Promise<void>((done, fail) => {
            server.closeAllConnections();
            server.close((err) => (err ? fail(err) : done()));
          }),
      });
    });
  });
}
