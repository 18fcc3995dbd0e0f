/**
 * Slack request signing: `v0=` + hex HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`).
 * Used by tests and the sandbox to send requests exactly as Slack signs them.
 */
import { createHmac } from 'node:crypto';

export function signSlackRequest(signingSecret: string, timestamp: number | string, rawBody: string): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${timestamp}:${rawBody}`, 'utf8');
  return `v0=${hmac.digest('hex')}`;
}
