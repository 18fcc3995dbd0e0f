/** `/deploy status`: one line per service. Pure. */

import type { SlackMessage } from '../app/ports/slack.js';
import { type ForgottenSlot, formatMoney } from '../domain/cost.js';
import { type Deployment, STATE_LABEL } from '../domain/deployment.js';
import type { ServiceConfig } from '../domain/service.js';
import { previousSlot, STATE_EMOJI, slotVersionLines } from './common.js';
import { capList, channelLink, clipLine, code, dur, mention, slackDate, slot } from './format.js';
import { context, type KnownBlock, message, section, sections } from './kit.js';

export const MAX_SERVICES = 60;
export const MAX_FORGOTTEN_ROWS = 30;

export interface StatusItem {
  svc: ServiceConfig;
  active: Deployment | null;
  last: Deployment | null;
}

function activeText(d: Deployment): string {
  const when =
    d.state === 'soaking'
      ? `live on ${slot(d.toSlot)}, ${slot(previousSlot(d))} kept until ${slackDate(d.teardownAt)}`
      : `${STATE_LABEL[d.state]} → ${slot(d.toSlot)}`;
  return `${STATE_EMOJI[d.state]} ${when} — ${code(d.id)} by ${mention(d.requester)}`;
}

function lastText(d: Deployment): string {
  return `idle — last: ${STATE_EMOJI[d.state]} ${STATE_LABEL[d.state]} → ${slot(d.toSlot)} ${slackDate(d.finishedAt ?? d.updatedAt)}`;
}

/** What ran on the deployment's slots at its precheck, indented under its line. */
function versionsText(item: StatusItem, d: Deployment): string {
  const lines = slotVersionLines(d.slotVersions, item.svc, [d.toSlot, d.fromSlot]).slice(0, 2);
  return lines.length > 0 ? `\n${lines.map((l) => `   ${l}`).join('\n')}` : '';
}

function line(item: StatusItem): string {
  const head = `*${clipLine(item.svc.name, 40)}* (${channelLink(item.svc.channel)})`;
  if (item.active) return `${head}: ${activeText(item.active)}${versionsText(item, item.active)}`;
  if (item.last) return `${head}: ${lastText(item.last)}${versionsText(item, item.last)}`;
  return `${head}: idle — no deployment yet`;
}

/** An age for people: whole hours past a day, whole minutes past an hour (`2d2h`, `3h5m`). */
export function roughAge(ms: number): string {
  const unit = ms >= 86_400_000 ? 3_600_000 : ms >= 3_600_000 ? 60_000 : 1000;
  return dur(Math.round(ms / unit) * unit);
}

function forgottenLine(f: ForgottenSlot): string {
  const cost = f.cost !== undefined ? ` · ${formatMoney(f.cost)} so far` : '';
  return (
    `• *${clipLine(f.service, 40)}* ${slot(f.slot)}: running ${roughAge(f.ageMs)} since ${slackDate(f.since)}${cost} — ` +
    `${clipLine(f.why, 200)} (${code(f.deploymentId, 80)})`
  );
}

/** "Still running after the last cutover": the forgotten-environment report. */
function forgottenBlocks(forgotten: ForgottenSlot[]): KnownBlock[] {
  if (forgotten.length === 0) return [context('✅ No slot is left running after its last cutover.')];
  const priced = forgotten.filter((f) => f.cost !== undefined);
  const total = priced.reduce((sum, f) => sum + (f.cost ?? 0), 0);
  const totalText = priced.length > 0 ? ` — ${formatMoney(total)} so far` : '';
  const lines = capList(forgotten.map(forgottenLine), MAX_FORGOTTEN_ROWS, (n) => `_…and ${n} more slots_`);
  return sections(
    [`💸 *Still running after the last cutover* — ${forgotten.length} slot(s)${totalText}`, ...lines],
    4,
  );
}

/**
 * `/deploy status`: one line per service, then (when `forgotten` is given) every slot still
 * running after its service's last cutover, with its age and cost.
 */
export function statusList(items: StatusItem[], now: number, forgotten?: ForgottenSlot[]): SlackMessage {
  const extra = forgotten ? forgottenBlocks(forgotten) : [];
  const money = forgotten?.length ? ` · ${forgotten.length} slot(s) still running after a cutover` : '';
  if (items.length === 0)
    return message(`No services configured.${money}`, [section('No services configured.'), ...extra]);
  const busy = items.filter((i) => i.active).length;
  const lines = capList(items.map(line), MAX_SERVICES, (n) => `_…and ${n} more services_`);
  return message(`Greenlight status: ${items.length} service(s), ${busy} deploying${money}`, [
    section(`📋 *Status* — ${items.length} service(s), ${busy} with an active deployment`),
    ...sections(lines, 10),
    ...extra,
    context(`As of ${slackDate(now)}`),
  ]);
}
