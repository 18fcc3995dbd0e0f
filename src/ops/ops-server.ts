/**
 * A plain HTTP server for the ops routes, used when the process has no Bolt receiver to host
 * them (GREENLIGHT_ROLE=worker), so health checks and metrics work for workers too.
 */
import { createServer, type Server } from 'node:http';
import type { CustomRoute } from '@slack/bolt';

export async function startOpsServer(routes: CustomRoute[], port: number): Promise<Server> {
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
    server.listen(port, () => resolve());
  });
  return server;
}
