/** A record's reason in the words Slack shows (src/messages/reasons.ts), for assertions on its text. */
import type { Deployment } from '../../src/domain/deployment.js';
import { renderReason } from '../../src/messages/reasons.js';

/** The deployment's reason as rendered, or '' when it has none. */
export function reasonWords(d: Pick<Deployment, 'reason'>): string {
  return d.reason ? renderReason(d.reason) : '';
}
