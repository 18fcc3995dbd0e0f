/** `/deploy status`: one line per service. Pure. */
import type { ServiceConfig } from '../../config/schema.js';
import type { Deployment } from '../../domain/deployment.js';
import { previousSlot, STATE_EMOJI, STATE_LABEL } from './common.js';
import { capList, channelLink, clipLine, code, mention, slackDate, slot } from './format.js';
import { context, message, type SlackMessage, section, sections } from './kit.js';

export const MAX_SERVICES = 60;

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

function line(item: StatusItem): string {
  const head = `*${clipLine(item.svc.name, 40)}* (${channelLink(item.svc.channel)})`;
  if (item.active) return `${head}: ${activeText(item.active)}`;
  if (item.last) return `${head}: ${lastText(item.last)}`;
  return `${head}: idle — no deployment yet`;
}

export function statusList(items: StatusItem[], now: number): SlackMessage {
  if (items.length === 0) return message('No services configured.', [section('No services configured.')]);
  const busy = items.filter((i) => i.active).length;
  const lines = capList(items.map(line), MAX_SERVICES, (n) => `_…and ${n} more services_`);
  return message(`Greenlight status: ${items.length} service(s), ${busy} deploying`, [
    section(`📋 *Status* — ${items.length} service(s), ${busy} with an active deployment`),
    ...sections(lines, 10),
    context(`As of ${slackDate(now)}`),
  ]);
}
