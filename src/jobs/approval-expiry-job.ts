/** Fail closed: an approval prompt nobody answered expires at its deadline. */
import { applyEvent, type JobContext, loadDeployment } from './job-context.js';

export async function runApprovalExpiry(ctx: JobContext, deploymentId: string): Promise<void> {
  const d = await loadDeployment(ctx, deploymentId);
  if (d.state !== 'awaiting_approval') return;
  // Refused as not_due when the job fired early (clock skew): the reconciler schedules it again.
  await applyEvent(ctx, d.id, { type: 'approval_expired' });
}
