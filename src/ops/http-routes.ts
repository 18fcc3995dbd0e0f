/**
 * GET /healthz (process up, and the version running), /readyz (Redis reachable and its data not lost), /metrics (Prometheus).
 * /readyz answers a fixed body either way: why it is not ready goes to the log, never to whoever
 * can reach the port (a Redis error can name hosts, ports and users).
 */
import type { CustomRoute } from '@slack/bolt';
import { errorMessage } from '../errors.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { VERSION } from './version.js';

export interface OpsDeps {
  /** Resolves when ready; rejects with the reason (logged, not sent). */
  ready: () => Promise<unknown>;
  metrics: Metrics;
  log?: Logger;
}

export function opsRoutes(deps: OpsDeps): CustomRoute[] {
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'ok', version: VERSION }));
      },
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        const timeout = new Promise((_, reject) =>
          setTimeout(() => reject(new Error('timeout')), 1_000).unref(),
        );
        Promise.race([deps.ready(), timeout]).then(
          () => {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end('{"status":"ready"}');
          },
          (err: unknown) => {
            deps.log?.warn({ err: errorMessage(err) }, 'not ready');
            res.writeHead(503, { 'content-type': 'application/json' });
            res.end('{"status":"not ready"}');
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
