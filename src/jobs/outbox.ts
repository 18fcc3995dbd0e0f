/**
 * Slack after AWS: every message a job sends goes through here, keyed, and a Slack failure never
 * fails the job's load-balancer or state work. A message is tried once in the job; when Slack is
 * down (an outage, 429s, a deleted thread) it is handed to its own `notify` job, which retries it
 * with capped backoff until Slack answers — the thread catches up when Slack returns.
 *
 * Keys make delivery idempotent: a message whose key is recorded as posted (or whose place on the
 * record — the card, the prompt, the reminder — is filled) is never sent again, whoever retries it.
 * A reply waits for its thread: until the card exists, its notify job retries. Delivery is at
 * least once: if Redis fails between Slack's answer and the mark, the retry posts it again.
 */

import { type JobContext, markPosted, patchMessages } from '../app/context.js';
import type { Outgoing } from '../app/ports/scheduler.js';
import type { SlackMessage } from '../app/ports/slack.js';
import type { Deployment, MessageRefs } from '../domain/deployment.js';
import { errorMessage, NotYetError } from '../errors.js';

function delivered(d: Deployment, out: Outgoing): boolean {
  if (d.messages.posted.includes(out.key)) return true;
  // The card and the prompt exist once per deployment (a reminder once per teardown deadline: its key).
  return (out.slot === 'card' || out.slot === 'prompt') && d.messages[out.slot] !== undefined;
}

/** Sends it now (throws what Slack throws); records it on the record. */
async function send(ctx: JobContext, d: Deployment, out: Outgoing): Promise<Deployment | null> {
  const inThread = out.inThread ?? true;
  if (inThread && !d.messages.card) throw new NotYetError(`the thread of ${d.id} has no card yet`);
  const ts = await ctx.slack.post(d.channel, out.message, inThread ? d.messages.card : undefined);
  if (!out.slot) {
    await markPosted(ctx, d.id, out.key);
    return null;
  }
  const slot = out.slot;
  return patchMessages(ctx, d.id, (m: MessageRefs) =>
    m[slot] ? m : { ...m, [slot]: ts, posted: [...m.posted, out.key] },
  );
}

/**
 * Sends a message once per key. When Slack fails, it is queued for its own retries and this
 * returns: the caller's AWS and state work go on. Returns the record when it changed (a slot).
 */
export async function deliver(ctx: JobContext, d: Deployment, out: Outgoing): Promise<Deployment | null> {
  if (delivered(d, out)) return null;
  try {
    return await send(ctx, d, out);
  } catch (err) {
    ctx.log.warn(
      { deployment: d.id, key: out.key, err: errorMessage(err) },
      'slack: message queued for retry',
    );
    await ctx.scheduler.enqueueNotify(d.id, out);
    return null;
  }
}

/** The `notify` job: one queued message, retried by BullMQ until Slack takes it. */
export async function runNotify(ctx: JobContext, deploymentId: string, out: Outgoing): Promise<void> {
  const d = await ctx.store.get(deploymentId);
  if (!d || delivered(d, out)) return;
  await send(ctx, d, out);
}

/** A reply in the deployment's thread, once per key (see `deliver`). */
export async function postOnce(
  ctx: JobContext,
  d: Deployment,
  key: string,
  message: SlackMessage,
): Promise<void> {
  await deliver(ctx, d, { key, message });
}
