/**
 * Renders the messages the bot edits in place from the current record: the status card, the
 * approval prompt (buttons replaced once answered) and the teardown reminder (buttons replaced
 * once acted on), so a stale button cannot act twice. Level-triggered: always the latest record.
 * Sync jobs of different versions may run concurrently and finish out of order, so after each
 * render the record is read again and rendered again until its version stops changing.
 */

import { type JobContext, loadDeployment, markPosted, serviceOf } from '../app/context.js';
import type { Deployment } from '../domain/deployment.js';
import { approvalResolved, reminderResolved, statusCard } from '../messages/index.js';

const MAX_RENDERS = 5;

export async function runSync(ctx: JobContext, deploymentId: string): Promise<void> {
  let d = await loadDeployment(ctx, deploymentId);
  for (let i = 0; i < MAX_RENDERS; i++) {
    await render(ctx, d);
    const again = await loadDeployment(ctx, deploymentId);
    if (again.version === d.version) return;
    d = again;
  }
}

async function render(ctx: JobContext, d: Deployment): Promise<void> {
  const svc = serviceOf(ctx, d);
  const now = ctx.clock.now();
  if (d.messages.card) await ctx.slack.update(d.channel, d.messages.card, statusCard(d, svc, now));
  // The prompt and reminder are edited once, when they stop being actionable.
  if (
    d.messages.prompt &&
    d.state !== 'awaiting_approval' &&
    !d.messages.posted.includes('prompt-resolved')
  ) {
    await ctx.slack.update(d.channel, d.messages.prompt, approvalResolved(d, svc));
    await markPosted(ctx, d.id, 'prompt-resolved');
  }
  const reminderKey = `reminder-resolved-${d.messages.reminder}`;
  const currentReminder = d.teardownAt !== undefined && d.messages.posted.includes(`remind-${d.teardownAt}`);
  if (
    d.messages.reminder &&
    !(d.state === 'soaking' && currentReminder) &&
    !d.messages.posted.includes(reminderKey)
  ) {
    await ctx.slack.update(d.channel, d.messages.reminder, reminderResolved(d, now));
    await markPosted(ctx, d.id, reminderKey);
  }
}
