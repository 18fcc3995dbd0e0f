/**
 * The teardown reminder, posted in the channel itself (not the thread) so the team sees it, with
 * Extend and Tear down now. A reminder job left over from before an Extend does nothing.
 */
import { reminderMessage } from '../slack/blocks/index.js';
import { type JobContext, loadDeployment, patchMessages, serviceOf } from './job-context.js';

export async function runRemind(
  ctx: JobContext,
  deploymentId: string,
  at: number | undefined,
): Promise<void> {
  const d = await loadDeployment(ctx, deploymentId);
  if (d.state !== 'soaking' || d.teardownAt === undefined) return;
  if (at !== undefined && at !== d.remindAt) return; // scheduled for a deadline that was moved
  const key = `remind-${d.teardownAt}`;
  if (d.messages.posted.includes(key)) return;
  const ts = await ctx.slack.post(d.channel, reminderMessage(d, serviceOf(ctx, d), ctx.clock.now()));
  await patchMessages(ctx, d.id, (m) => ({ ...m, reminder: ts, posted: [...m.posted, key] }));
}
