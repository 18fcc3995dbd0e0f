/**
 * Verification after the switch: read the configuration back and scan every listener and rule of
 * the load balancer for anything still forwarding to the old slot. Offenders are named in the
 * thread and the deployment fails with a one-click Rollback.
 */
import { verifyConfiguration } from '../aws/switch-forwards.js';
import type { VerificationReport } from '../domain/reports.js';
import { errorMessage } from '../errors.js';
import { verificationMessage } from '../slack/blocks/index.js';
import { isTransientAwsError } from './aws-errors.js';
import { applyEvent, type JobContext, loadDeployment, postOnce, serviceOf } from './job-context.js';

export async function runVerify(ctx: JobContext, deploymentId: string): Promise<void> {
  const d = await loadDeployment(ctx, deploymentId);
  if (d.state !== 'verifying') return;
  const svc = serviceOf(ctx, d);
  if (!d.fromSlot) {
    // Nothing was live before: there is no old slot that could still receive traffic.
    await applyEvent(ctx, d.id, { type: 'verify_passed' });
    return;
  }
  let report: VerificationReport;
  try {
    report = await verifyConfiguration(ctx.elb, {
      listenerArns: svc.listeners,
      slots: svc.slots,
      targetSlot: d.toSlot,
      oldSlot: d.fromSlot,
    });
  } catch (err) {
    if (isTransientAwsError(err)) throw err;
    await applyEvent(ctx, d.id, {
      type: 'verify_failed',
      reason: `could not verify the load balancer (not verified): ${errorMessage(err)}`,
    });
    return;
  }
  await postOnce(ctx, d, 'verify', verificationMessage(d, report, svc));
  if (report.readBackOk && report.offenders.length === 0) {
    await applyEvent(ctx, d.id, { type: 'verify_passed' });
    return;
  }
  const parts: string[] = [];
  if (!report.readBackOk)
    parts.push(`the configured listeners did not read back as sending all traffic to ${d.toSlot}`);
  if (report.offenders.length > 0) {
    const names = report.offenders.map(
      (o) => `port ${o.port ?? '?'} ${o.priority === 'default' ? 'default action' : `rule ${o.priority}`}`,
    );
    parts.push(
      `${report.offenders.length} forward(s) still send traffic to ${d.fromSlot}: ${names.join(', ')}`,
    );
  }
  await applyEvent(ctx, d.id, { type: 'verify_failed', reason: `Verification failed: ${parts.join('; ')}.` });
}
