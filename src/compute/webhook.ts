/**
 * A scale-down webhook: `compute.<slot>: { webhook: url }`. Teardown POSTs
 * `{ event: 'scaleDown', deliveryId, deploymentId, service, slot }`, signed like every hook; done
 * when it answers 2xx (what the receiver does is its business). It may serve several services.
 */
import { z } from 'zod';
import type { ScaleDownReport } from '../domain/evidence.js';
import { redactUrl } from '../domain/redact.js';
import { type ComputeBackend, finished, NOTHING_LEFT, type ScaleDownContext } from './backend.js';

/** `compute.<slot>: { webhook: url }`. */
export type WebhookTarget = { readonly kind: 'webhook'; readonly url: string };

/** A webhook URL in greenlight.yml (scale-down webhooks, and the deployment hooks of src/config). */
export const webhookUrl = z
  .string()
  .url('not a URL')
  .refine((u) => /^https?:\/\//.test(u), 'webhooks must be http:// or https:// URLs')
  .refine(
    (u) => !/^https?:\/\/[^/]*@/.test(u),
    'no credentials in the URL (user:password@): they would be sent in clear and shown in errors; authenticate with the signature header',
  );

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

/**
 * It may serve several services (no identity), what runs behind it cannot be read, and it is
 * signed (its service needs a hook secret).
 */
export const webhookBackend: ComputeBackend<WebhookTarget, string> = {
  kind: 'webhook',
  configKey: 'webhook',
  schema: webhookUrl,
  label: 'webhook',
  toTarget: (url) => ({ kind: 'webhook', url }),
  signed: true,

  async begin(t, { webhook }, context) {
    const result = await webhook(t.url, scaleDownWebhookBody(context));
    const report: ScaleDownReport = {
      kind: 'webhook',
      // Kept on the record and shown in Slack: the host only, never the path or query with tokens.
      target: redactUrl(t.url),
      // No name: the message shows the host of the target; no unit: it answered or it did not.
      shown: { label: 'Scale-down webhook' },
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
