/**
 * Health-gate alert, posted in the thread when the new slot breaches a gate during
 * verification or the soak: who must decide, what broke, and either "rolling back
 * automatically because …" or a Rollback button. Pure.
 */

import type { SlackMessage } from '../app/ports/slack.js';
import type { Deployment } from '../domain/deployment.js';
import type { GateBreach } from '../domain/evidence.js';
import type { ServiceConfig } from '../domain/service.js';
import { previousSlot, requesterAndApprovers, rollbackAllowed, rollbackButton, routeText } from './common.js';
import { clipLine, code, slot, slotText } from './format.js';
import { actions, context, type KnownBlock, message, section, sections } from './kit.js';
import { breachLines } from './traffic.js';

export interface GateAlertOptions {
  autoRollback: boolean;
  during: 'verification' | 'soak';
}

export function gateAlertMessage(
  d: Deployment,
  breaches: GateBreach[],
  svc: ServiceConfig,
  opts: GateAlertOptions,
): SlackMessage {
  const old = previousSlot(d);
  const who = requesterAndApprovers(d, svc);
  const n = breaches.length;
  const first = breaches[0] ? clipLine(breaches[0].detail, 300) : 'a health gate was breached';
  const more = n > 1 ? ` (and ${n - 1} more)` : '';
  const blocks: KnownBlock[] = [
    section(
      `🚨 *Health gate breached* during the ${opts.during} of ${routeText(d)}: ${n} breach(es) on ${slot(d.toSlot)}.\n${who}`,
    ),
    ...sections(breachLines(breaches), 3),
  ];
  if (opts.autoRollback) {
    blocks.push(
      section(`↩️ *Rolling back automatically* to ${slot(old)} because ${first}${more}. (autoRollback is on)`),
    );
  } else {
    blocks.push(section(`Roll back to ${slot(old)} if in doubt — one click, traffic goes back in seconds.`));
    if (rollbackAllowed(d)) blocks.push(actions([rollbackButton(d)]));
  }
  blocks.push(context(`Deployment ${code(d.id)} · gates are checked during verification and the soak`));
  const plainFirst = breaches[0] ? clipLine(breaches[0].detail, 200) : 'a health gate was breached';
  const text = opts.autoRollback
    ? `${who}: health gate breached on ${routeText(d)} — rolling back automatically to ${slotText(old)} because ${plainFirst}`
    : `${who}: health gate breached on ${routeText(d)} — ${plainFirst}`;
  return message(text, blocks);
}
