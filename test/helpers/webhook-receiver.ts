/**
 * A real HTTP receiver for webhook tests (node:http on a random port of 127.0.0.1): it records
 * every request (path, headers, raw body) and answers what the test says. It can go down
 * (connections refused) and come back on the same port.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  raw: string;
  /** When it arrived (Date.now()). */
  at: number;
}

/**
 * What to answer; `delayMs`: only after this long (a receiver slower than the sender's timeout);
 * `hang`: never (the connection stays open until the receiver goes down or closes).
 */
export type Answer =
  | { status: number; body?: string; headers?: Record<string, string>; delayMs?: number }
  | { hang: true };

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: ReceivedRequest[];
  /** Requests to `path`, parsed as JSON. */
  bodies(path?: string): Record<string, unknown>[];
  /** What to answer a request (default 200 "ok"). */
  answer(fn: (req: ReceivedRequest, nth: number) => Answer): void;
  /** Stops listening: connections are refused until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  let answer: (req: ReceivedRequest, nth: number) => Answer = () => ({ status: 200, body: 'ok' });
  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const got: ReceivedRequest = {
        path: req.url ?? '',
        headers: req.headers,
        raw: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(got);
      const a = answer(got, requests.length);
      if ('hang' in a) return;
      const reply = () => {
        if (res.destroyed) return;
        res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers });
        res.end(a.body ?? '');
      };
      if (a.delayMs) setTimeout(reply, a.delayMs);
      else reply();
    });
  };
  let server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    bodies: (path) =>
      requests
        .filter((r) => path === undefined || r.path === path)
        .map((r) => JSON.parse(r.raw) as Record<string, unknown>),
    answer: (fn) => {
      answer = fn;
    },
    down: stop,
    up: async () => {
      server = createServer(handler);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
}
