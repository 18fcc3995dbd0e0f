/** Fail closed: an approval prompt nobody answered expires at its deadline. */

import { type JobContext, loadDeployment } from '../app/context.js';
import { recordEvent } from '../app/record-event.js';
import { NotDueYetError } from '../errors.js';
import { renderReason } from '../messages/index.js';

export async function runApprovalExpiry(ctx: JobContext, deploymentId: string): Promise<void> {
  const d = await loadDeployment(ctx, deploymentId);
  if (d.state !== 'awaiting_approval') return;
  const out = await recordEvent(ctx, d.id, { type: 'approval_expired' });
  // Fired a little early (clocks of two workers differ): fail this attempt so BullMQ retries it
  // with backoff, rather than completing and leaving the prompt open.
  if (!out.ok && out.code === 'not_due') throw new NotDueYetError(renderReason(out.reason));
}
