/**
 * A scale-down webhook: `compute.<slot>: { webhook: url }`. Teardown POSTs
 * `{ event: 'scaleDown', deliveryId, deploymentId, service, slot }`, signed like every hook; done
 * when it answers 2xx (what the receiver does is its business). It may serve several services.
 */
import { webhookEntry } from '../config/compute-entries.js';
import type { ScaleDownReport } from '../domain/evidence.js';
import { redactUrl } from '../domain/redact.js';
import { type ComputeBackend, finished, NOTHING_LEFT, type ScaleDownContext } from './backend.js';

/** The body POSTed to a scale-down webhook; `deliveryId` is the receiver's idempotency key. */
export function scaleDownWebhookBody(context: ScaleDownContext): Record<string, string> {
  return {
    event: 'scaleDown',
    deliveryId: `${context.deploymentId}-scaleDown-${context.slot}`,
    deploymentId: context.deploymentId,
    service: context.service,
    slot: context.slot,
  };
}

export const webhookBackend: ComputeBackend<'webhook'> = {
  ...webhookEntry,

  async begin(t, { webhook }, context) {
    const result = await webhook(t.url, scaleDownWebhookBody(context));
    const report: ScaleDownReport = {
      kind: 'webhook',
      // Kept on the record and shown in Slack: the host only, never the path or query with tokens.
      target: redactUrl(t.url),
      reachedZero: result.ok,
      remaining: 0,
      waitedMs: result.durationMs,
    };
    if (!result.ok) {
      const status = result.status === null ? 'no answer' : `HTTP ${result.status}`;
      report.error = `webhook answered ${status}${result.excerpt ? `: ${result.excerpt}` : ''}`;
    }
    return finished(report);
  },

  // Done once it answered: nothing to count.
  count: async () => NOTHING_LEFT,

  probe: async (t) => ({ found: `webhook ${new URL(t.url).host}` }),
};
