/** A signed webhook call (hooks and webhook compute); the implementation is src/hooks/webhook.ts. */
import type { HookResult } from '../../domain/evidence.js';

export interface WebhookRequest {
  hook: HookResult['hook'];
  url: string;
  payload: unknown;
  /** HMAC key; undefined sends the request unsigned. */
  secret: string | undefined;
  /** Per attempt, the body read included. */
  timeoutMs: number;
  /** Extra attempts after the first (0 = one attempt). */
  retries: number;
}
