/**
 * The teardown reminder, posted in the channel itself (not the thread) so the team sees it, with
 * Extend and Tear down now. A reminder job left over from before an Extend does nothing.
 */

import { type JobContext, loadDeployment, serviceOf } from '../app/context.js';
import { reminderMessage } from '../messages/index.js';
import { deliver } from './outbox.js';

export async function runRemind(
  ctx: JobContext,
  deploymentId: string,
  at: number | undefined,
): Promise<void> {
  const d = await loadDeployment(ctx, deploymentId);
  if (d.state !== 'soaking' || d.teardownAt === undefined) return;
  if (at !== undefined && at !== d.remindAt) return; // scheduled for a deadline that was moved
  const key = `remind-${d.teardownAt}`;
  const message = reminderMessage(d, serviceOf(ctx, d), ctx.clock.now());
  await deliver(ctx, d, { key, message, inThread: false, slot: 'reminder' });
}
