/** Precheck results, posted in the deployment thread. Pure. */

import type { SlackMessage } from '../app/ports/slack.js';
import type { ForwardSite, PrecheckReport, SlotStickiness, TargetState } from '../domain/reports.js';
import type { ServiceConfig } from '../domain/service.js';
import type { SlotVersion } from '../domain/slot-version.js';
import { slotVersionLines } from './common.js';
import { capList, clipLine, code, listenerLabel, priorityLabel, slot, slotText } from './format.js';
import { context, type KnownBlock, message, section, sections } from './kit.js';

export const MAX_TARGET_ROWS = 20;
export const MAX_FORWARD_ROWS = 20;
export const MAX_NOTE_ROWS = 10;

const STATE_ICON: Record<string, string> = {
  healthy: '🟢',
  initial: '🟡',
  draining: '🟠',
  unhealthy: '🔴',
  unavailable: '🔴',
  unused: '⚪',
};

function targetLine(t: TargetState): string {
  const id = t.port !== undefined ? `${t.id}:${t.port}` : t.id;
  const icon = STATE_ICON[t.state] ?? '❔';
  const reason = t.reason ? ` (${clipLine(t.reason, 120)})` : '';
  return `${icon} ${code(id, 80)} ${clipLine(t.state, 30)}${reason}`;
}

/** `:443 rule 10 → blue 0 / green 100 · group stickiness 1h` */
export function forwardLine(f: ForwardSite): string {
  const groups = f.groups.slice(0, 5).map((g) => `${slot(g.name)} ${g.weight}`);
  if (f.groups.length > 5) groups.push(`+${f.groups.length - 5} more`);
  const gs = f.groupStickiness;
  const sticky = gs?.enabled
    ? ` · group stickiness *on*${gs.durationSeconds !== undefined ? ` (${gs.durationSeconds}s)` : ''}`
    : ' · group stickiness off';
  return `• ${listenerLabel(f.port, f.listenerArn)} ${priorityLabel(f.priority)} → ${groups.join(' / ') || '_no groups_'}${sticky}`;
}

function stickinessLine(s: SlotStickiness): string {
  const sticky = s.enabled
    ? `stickiness *on* (${clipLine(s.type ?? 'lb_cookie', 30)}${s.durationSeconds !== undefined ? `, ${s.durationSeconds}s` : ''})`
    : 'stickiness off';
  return `• ${slot(s.slot)}: ${sticky} · deregistration delay ${s.deregistrationDelaySeconds}s`;
}

function liveText(live: PrecheckReport['liveSlot']): string {
  if (live === null) return '_none_ (no configured forward sends traffic to a slot)';
  if (live === 'mixed') return '⚠️ *mixed* (traffic is split between slots)';
  return slot(live);
}

export function precheckMessage(
  report: PrecheckReport,
  svc: ServiceConfig,
  versions?: Record<string, SlotVersion>,
): SlackMessage {
  const ok = report.problems.length === 0;
  const h = report.health;
  const service = clipLine(svc.name, 40);
  const blocks: KnownBlock[] = [
    section(
      `🔍 *Precheck* for *${service}* → ${slot(report.targetSlot)}: ${ok ? '✅ ready' : `❌ ${report.problems.length} problem(s)`}\n` +
        `Live slot (read from the load balancer): ${liveText(report.liveSlot)}`,
    ),
  ];

  const live = report.liveSlot === 'mixed' ? null : report.liveSlot;
  const running = slotVersionLines(versions, svc, [report.targetSlot, live]);
  if (running.length > 0) blocks.push(...sections(['*What runs on each slot*', ...running], 2));

  const healthHead = `*Target health* of ${slot(h.slot)}: ${h.healthy}/${h.total} healthy (at least ${svc.minHealthyTargets} needed)`;
  const targets = capList(h.targets.map(targetLine), MAX_TARGET_ROWS, (n) => `_…and ${n} more targets_`);
  blocks.push(...sections([healthHead, ...(targets.length ? targets : ['_no registered targets_'])], 3));

  const fwHead = `*Forwards that touch the slots* (${report.forwards.length})`;
  const forwards = capList(
    report.forwards.map(forwardLine),
    MAX_FORWARD_ROWS,
    (n) => `_…and ${n} more forwards_`,
  );
  blocks.push(...sections([fwHead, ...(forwards.length ? forwards : ['_none found_'])], 3));

  if (report.previews && report.previews.length > 0) {
    const lines = report.previews.map(
      (p) =>
        `• ${slot(p.slot)}: ${clipLine(p.place, 60)} · ${code(p.match, 160)}${p.attachedNow ? ' · _attached now_' : ''}`,
    );
    blocks.push(
      ...sections(
        ['*Preview rules* (keep every slot health-checked; only requests that match reach them)', ...lines],
        2,
      ),
    );
  }
  if (report.stickiness.length > 0) {
    const lines = capList(report.stickiness.map(stickinessLine), MAX_NOTE_ROWS, (n) => `_…and ${n} more_`);
    blocks.push(...sections(['*Target groups*', ...lines], 2));
  }
  if (report.problems.length > 0) {
    const lines = capList(
      report.problems.map((p) => `❌ ${clipLine(p, 500)}`),
      MAX_NOTE_ROWS,
      (n) => `_…and ${n} more problems_`,
    );
    blocks.push(...sections(['*Problems*', ...lines], 2));
  }
  if (report.warnings.length > 0) {
    const lines = capList(
      report.warnings.map((w) => `⚠️ ${clipLine(w, 500)}`),
      MAX_NOTE_ROWS,
      (n) => `_…and ${n} more warnings_`,
    );
    blocks.push(...sections(['*Warnings*', ...lines], 2));
  }

  const verdict = ok
    ? `✅ *Verdict:* ${slot(report.targetSlot)} is ready — asking for approval.`
    : `⛔ *Verdict:* blocked — nothing will be switched.`;
  blocks.push(section(verdict));
  blocks.push(
    context(
      `${h.healthy}/${h.total} targets healthy · ${report.forwards.length} forwards · ${report.warnings.length} warnings`,
    ),
  );

  const target = slotText(report.targetSlot);
  const firstProblem = report.problems[0] ? `: ${clipLine(report.problems[0], 300)}` : '';
  const text = ok
    ? `Precheck for ${service} → ${target} passed: ${h.healthy}/${h.total} targets healthy`
    : `Precheck for ${service} → ${target} blocked${firstProblem}`;
  return message(text, blocks);
}
