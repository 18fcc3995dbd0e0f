/**
 * What the local fakes (ELB, CloudWatch, the combined AWS endpoint, Slack) share over HTTP:
 * one response shape, the AWS response headers, reading a bounded request body, and a node:http
 * server on host:port (0 = any free port) that closes its open connections when closed.
 */
import { createServer, type IncomingMessage, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One HTTP response of a fake, built without the network. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** An AWS-style response: content type, `x-amzn-requestid`, `content-length`, then `extra`. */
export function awsAnswer(
  status: number,
  contentType: string,
  body: string,
  requestId: string,
  extra: Record<string, string> = {},
): HttpAnswer {
  return {
    status,
    headers: {
      'content-type': contentType,
      'x-amzn-requestid': requestId,
      'content-length': String(Buffer.byteLength(body)),
      ...extra,
    },
    body,
  };
}

/** The body as UTF-8; past `maxBytes` it rejects with `tooLarge()` and drops the connection. */
export function readBody(req: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(tooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The form an awsQuery fake reads: the query string of a GET, the body otherwise. */
export function queryOrBody(req: IncomingMessage, body: string): string {
  return req.method === 'GET' ? ((req.url ?? '').split('?')[1] ?? '') : body;
}

export interface LocalServer {
  /** `http://host:port` (an IPv6 host in brackets), no trailing slash. */
  url: string;
  close(): Promise<void>;
}

export interface LocalServerOptions {
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

/** Serves `listener` on host:port; rejects if it cannot listen. */
export function listenLocal(listener: RequestListener, opts: LocalServerOptions = {}): Promise<LocalServer> {
  const host = opts.host ?? '127.0.0.1';
  const server = createServer(listener);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      const { port } = server.address() as AddressInfo;
      const shown = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shown}:${port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.closeAllConnections();
            server.close((err) => (err ? fail(err) : done()));
          }),
      });
    });
  });
}

export interface AnsweringServerOptions extends LocalServerOptions {
  /** Largest request body accepted (default 1 000 000 bytes). */
  maxBodyBytes?: number;
  /** The error a larger body rejects with (it goes to `onError`). */
  tooLarge: () => Error;
  answer: (req: IncomingMessage, body: string) => HttpAnswer | Promise<HttpAnswer>;
  /** The response when the body could not be read or `answer` failed. */
  onError: (err: unknown) => HttpAnswer;
}

/** A server that reads each request's body, answers it with `answer` and writes the response. */
export function startAnsweringServer(opts: AnsweringServerOptions): Promise<LocalServer> {
  const maxBytes = opts.maxBodyBytes ?? 1_000_000;
  return listenLocal((req, res) => {
    readBody(req, maxBytes, opts.tooLarge)
      .then((body) => opts.answer(req, body))
      .catch(opts.onError)
      .then((r) => {
        res.writeHead(r.status, r.headers);
        res.end(r.body);
      });
  }, opts);
}
