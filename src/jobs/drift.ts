/**
 * After a run of a switch (cutover or rollback) was fenced out — its lock taken over, or the record
 * moved on — one of its writes may still have landed late (AWS has no conditional write). Read the
 * load balancer back and compare it with what the record says: if they disagree, say so loudly in
 * the thread, once per record version, with who must look.
 */

import type { JobContext } from '../app/context.js';
import { expectedLiveSlot } from '../domain/expected-slot.js';
import type { ServiceConfig } from '../domain/service.js';
import { errorMessage } from '../errors.js';
import { requesterAndApprovers } from '../messages/common.js';
import { refusalMessage } from '../messages/refusal.js';
import { postOnce } from './outbox.js';

export async function reportDrift(ctx: JobContext, deploymentId: string, svc: ServiceConfig): Promise<void> {
  const d = await ctx.store.get(deploymentId);
  if (!d) return;
  const expected = expectedLiveSlot(d);
  if (expected === undefined || expected === null) return;
  let live: string | null;
  try {
    live = await ctx.router.liveSlot(svc);
  } catch (err) {
    ctx.log.warn(
      { deployment: d.id, err: errorMessage(err) },
      'could not read the load balancer back for drift',
    );
    return;
  }
  if (live === expected) return;
  ctx.log.error({ deployment: d.id, expected, live }, 'drift: the load balancer disagrees with the record');
  await postOnce(
    ctx,
    d,
    `drift-${d.version}`,
    refusalMessage(
      `🚨 *Drift on ${d.service}:* the load balancer sends its traffic to *${live ?? 'no slot'}*, but deployment ` +
        `${d.id} is ${d.state.replace('_', ' ')} and says *${expected}*. A run that lost its lock may have written late. ` +
        `${requesterAndApprovers(d, svc)}: check the forwards (\`npm run check-config\`), then switch them back by hand or deploy again.`,
    ),
  );
}
