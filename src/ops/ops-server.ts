/**
 * A plain HTTP server for the ops routes on OPS_PORT, in every process (web, worker or both):
 * readiness and metrics stay off the public Slack port, and workers have them too. GET only; a
 * request body is never read.
 */
import { createServer, type Server } from 'node:http';
import type { CustomRoute } from '@slack/bolt';

export async function startOpsServer(routes: CustomRoute[], port: number, host?: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = routes.find((r) => r.path === path);
    const methods = route ? ([] as string[]).concat(route.method).map((m) => m.toUpperCase()) : [];
    if (!route || !methods.includes(req.method ?? 'GET')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"not found"}');
      return;
    }
    route.handler(Object.assign(req, { params: {} }), res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (host) server.listen(port, host, () => resolve());
    else server.listen(port, () => resolve());
  });
  return server;
}
