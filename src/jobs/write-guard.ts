/**
 * The fence of every write to the load balancer: right before each Modify (and each restore), the
 * run must still hold the forward locks with its token, and the deployment's record must still be
 * at the version and state the switch was planned from. Otherwise a newer run (a retry after a
 * crash, another replica) or a person (a Rollback, a break-glass unlock) has moved on, and this run
 * stops without writing — it never writes stale actions over newer work.
 */

import type { JobContext } from '../app/context.js';
import type { Fence } from '../app/ports/store.js';
import type { Deployment } from '../domain/deployment.js';
import { LockLostError } from '../errors.js';

export function writeGuard(
  ctx: Pick<JobContext, 'store'>,
  fence: Fence,
  planned: Deployment,
): () => Promise<void> {
  return async () => {
    await fence.check();
    const cur = await ctx.store.get(planned.id);
    if (!cur || cur.version !== planned.version || cur.state !== planned.state) {
      throw new LockLostError(
        `deployment ${planned.id} moved on (${cur ? `${cur.state}, version ${cur.version}` : 'gone'}) since this run planned its switch (${planned.state}, version ${planned.version})`,
      );
    }
  };
}
