/**
 * After a break-glass unlock: read the load balancer and say in the thread what it looks like now
 * — every forward that touches the service's slots, and which slot is live — so the approver who
 * unlocked knows what state the service was left in. Read-only.
 */

import { type JobContext, loadDeployment, serviceOf } from '../app/context.js';
import { mustRunAgain } from '../app/failures.js';
import { liveSlot } from '../domain/forwards.js';
import { errorMessage } from '../errors.js';
import { forwardLine, refusalMessage, renderReason } from '../messages/index.js';
import { postOnce } from './outbox.js';

export async function runInspect(ctx: JobContext, deploymentId: string): Promise<void> {
  const d = await loadDeployment(ctx, deploymentId);
  const svc = serviceOf(ctx, d);
  const why = d.reason ? renderReason(d.reason) : '';
  let text: string;
  try {
    const sites = await ctx.router.forwardSites(svc);
    const live = liveSlot(sites, svc.slots);
    const livePart =
      live === null
        ? 'no slot receives traffic'
        : live === 'mixed'
          ? '*mixed*: traffic is split between slots'
          : `live on *${live}*`;
    text =
      `🔓 *Unlocked.* ${why}\nThe load balancer now: ${livePart}.\n` +
      (sites.length > 0 ? sites.map(forwardLine).join('\n') : '_no forward references the slots_') +
      (d.cutover !== undefined ? '\nRollback stays possible: `/deploy rollback`.' : '');
  } catch (err) {
    if (mustRunAgain(err)) throw err;
    text = `🔓 *Unlocked.* ${why}\nThe load balancer could not be read: ${errorMessage(err)}.`;
  }
  await postOnce(ctx, d, `inspect-${d.version}`, refusalMessage(text));
}
