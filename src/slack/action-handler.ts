/**
 * Button clicks (Approve, Cancel, Rollback, Extend, Tear down now). The listener has already
 * acked; this looks the button's intent up in the command table (the same intent, authorization
 * check and event as its command) and records it through the state machine (optimistic
 * concurrency: of two simultaneous Approve clicks exactly one wins), returning a refusal for the
 * clicker, if any.
 */

import type { SlackMessage } from '../app/ports/slack.js';
import { recordEvent } from '../app/record-event.js';
import { decide } from '../domain/commands/intents.js';
import { BUTTONS } from '../domain/commands/table.js';
import { type Deployment, lastToMoveTraffic } from '../domain/deployment.js';
import { decodeActionValue, reasonRefusal, refusalMessage } from '../messages/index.js';
import { actorFor, ROLLBACK_LOOKBACK, type WebContext } from './web-context.js';

export interface ActionInput {
  actionId: string;
  value: string;
  userId: string;
}

export interface ActionResult {
  deployment?: Deployment;
  /** Shown only to the person who clicked (ephemeral), in the deployment's thread. */
  reply?: SlackMessage;
}

export async function handleAction(ctx: WebContext, input: ActionInput): Promise<ActionResult> {
  const intent = BUTTONS.get(input.actionId);
  const value = decodeActionValue(input.value);
  if (!intent || !value) return { reply: refusalMessage('This button is not one Greenlight understands.') };
  const d = await ctx.store.get(value.deploymentId);
  if (!d) return { reply: refusalMessage(`Deployment ${value.deploymentId} no longer exists.`) };
  const svc = ctx.config.services[d.service];
  if (!svc) return { deployment: d, reply: refusalMessage(`Service ${d.service} is no longer configured.`) };

  const [decision, event] = decide(intent, svc, d, await actorFor(ctx, svc, input.userId), value.extendMs);
  if (!decision.ok) return { deployment: d, reply: reasonRefusal(decision.reason) };
  if ((event.type === 'extend' || event.type === 'teardown_now') && value.teardownAt !== undefined) {
    if (d.teardownAt !== value.teardownAt) {
      return {
        deployment: d,
        reply: refusalMessage(
          'This button is out of date: the teardown time changed after it was shown (someone extended it or started the teardown). Nothing was done; use the buttons on the status card.',
        ),
      };
    }
  }
  if (event.type === 'rollback') {
    // A Rollback button of an older deployment must not switch traffic back over a newer one.
    // Only one that moved traffic counts: a later /deploy that was blocked or cancelled does not.
    const latest = lastToMoveTraffic(await ctx.store.listByService(d.service, ROLLBACK_LOOKBACK));
    if (latest && latest.id !== d.id) {
      return {
        deployment: d,
        reply: refusalMessage(
          `This Rollback button belongs to deployment ${d.id}, but ${latest.id} came after it; rolling back to ${d.fromSlot ?? 'the old slot'} now could send traffic to a slot that was changed since. Nothing was done.`,
        ),
      };
    }
  }
  const out = await recordEvent(ctx, d.id, event);
  if (!out.ok) return { deployment: d, reply: reasonRefusal(out.reason) };
  return { deployment: out.deployment };
}
