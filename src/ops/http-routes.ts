/** GET /healthz (process up), /readyz (Redis reachable), /metrics (Prometheus). */
import type { CustomRoute } from '@slack/bolt';
import type { Metrics } from './metrics.js';

export function opsRoutes(deps: { ping: () => Promise<unknown>; metrics: Metrics }): CustomRoute[] {
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"status":"ok"}');
      },
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        const timeout = new Promise((_, reject) =>
          setTimeout(() => reject(new Error('timeout')), 1_000).unref(),
        );
        Promise.race([deps.ping(), timeout]).then(
          () => {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end('{"status":"ready","redis":"ok"}');
          },
          (err: unknown) => {
            res.writeHead(503, { 'content-type': 'application/json' });
            res.end(
              JSON.stringify({
                status: 'not ready',
                redis: err instanceof Error ? err.message : 'unreachable',
              }),
            );
          },
        );
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: (_req, res) => {
        deps.metrics.render().then(
          ({ contentType, body }) => {
            res.writeHead(200, { 'content-type': contentType });
            res.end(body);
          },
          () => {
            res.writeHead(500);
            res.end();
          },
        );
      },
    },
  ];
}
