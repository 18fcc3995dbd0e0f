/** `/deploy history <service>`: the audit trail, newest first. Pure. */
import type { SlackMessage } from '../app/ports/slack.js';
import type { AuditEntry } from '../domain/deployment.js';
import { capList, clipLine, code, mention, slackDate } from './format.js';
import { context, message, section, sections } from './kit.js';
import { renderReason } from './reasons.js';

export const MAX_HISTORY_ROWS = 40;

function line(e: AuditEntry): string {
  const by = e.by ? ` by ${mention(e.by)}` : '';
  // Entries written before reasons were data carry the reason as text in `detail`.
  const words = e.reason ? renderReason(e.reason) : e.detail;
  const detail = words ? ` — ${clipLine(words, 200)}` : '';
  return (
    `${slackDate(e.at, '{date_num} {time}')} ${code(e.deploymentId, 80)} ` +
    `${clipLine(e.from, 30)} → *${clipLine(e.to, 30)}* (${clipLine(e.event, 40)})${by}${detail}`
  );
}

export function historyMessage(service: string, entries: AuditEntry[]): SlackMessage {
  const name = clipLine(service, 40);
  if (entries.length === 0) {
    return message(`No history for ${name}.`, [section(`📜 No deployment history for *${name}* yet.`)]);
  }
  const newest = [...entries].sort((a, b) => b.at - a.at);
  const lines = capList(newest.map(line), MAX_HISTORY_ROWS, (n) => `_…and ${n} older events_`);
  return message(`History of ${name}: ${entries.length} event(s)`, [
    section(`📜 *History of ${name}* — ${entries.length} event(s), newest first`),
    ...sections(lines, 8),
    context('Times are shown in your timezone'),
  ]);
}
