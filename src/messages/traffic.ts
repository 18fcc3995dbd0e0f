/**
 * Traffic evidence after the switch: ONE thread message, edited in place (`messages.traffic`) as
 * CloudWatch periods arrive — sparklines and a per-period table for both slots, the verdict, and
 * any health-gate breach. Pure.
 */

import type { SlackMessage } from '../app/ports/slack.js';
import type { Deployment } from '../domain/deployment.js';
import type { GateBreach, GateKind, TrafficReport } from '../domain/evidence.js';
import type { ServiceConfig } from '../domain/service.js';
import { hhmm } from '../domain/utc-time.js';
import {
  previousSlot,
  requesterAndApprovers,
  rollbackAllowed,
  rollbackButton,
  route,
  routeText,
} from './common.js';
import { capList, clipLine, code, dur, slackDate, slot, slotText } from './format.js';
import { actions, context, type KnownBlock, LIMITS, message, section, sections } from './kit.js';
import { formatCount, trafficTable } from './traffic-table.js';

export const MAX_BREACH_ROWS = 20;

const KIND_LABEL: Record<GateKind, string> = {
  error_rate: '5xx rate',
  p99_latency: 'p99 latency',
  unhealthy_hosts: 'unhealthy targets',
  alarm: 'alarm',
  metrics_unreadable: 'metrics unreadable',
};

/** `❌ 5xx rate: green answered 7.5% 5xx …` (escaped). */
export function breachLine(b: GateBreach): string {
  return `❌ *${KIND_LABEL[b.kind] ?? clipLine(String(b.kind), 30)}*: ${clipLine(b.detail, 300)}`;
}

/** Breach lines, at most `MAX_BREACH_ROWS`, then "…and N more". */
export function breachLines(breaches: GateBreach[]): string[] {
  return capList(breaches.map(breachLine), MAX_BREACH_ROWS, (n) => `_…and ${n} more breaches_`);
}

function lastRequests(report: TrafficReport): number {
  const points = report.oldSlot.points;
  let latest: { at: number; requests: number } | undefined;
  for (const p of points) if (!latest || p.at > latest.at) latest = p;
  return latest?.requests ?? 0;
}

/** The most requests the old slot got in one period entirely after the switch (evidence for a failure). */
function peakAfterSwitch(report: TrafficReport): number {
  const sorted = [...report.oldSlot.points].sort((a, b) => a.at - b.at);
  const from = report.firstFullPeriod;
  const after = from !== undefined ? sorted.filter((p) => p.at >= from) : sorted.slice(1);
  return after.reduce((m, p) => Math.max(m, p.requests), 0);
}

function toleranceText(report: TrafficReport): string {
  return report.toleranceRequests > 0
    ? `at most ${formatCount(report.toleranceRequests)} requests`
    : 'no request';
}

/** The verdict line (mrkdwn) and its plain summary for the fallback text. */
function verdict(d: Deployment, report: TrafficReport, svc: ServiceConfig): { line: string; text: string } {
  const old = previousSlot(d);
  const who = requesterAndApprovers(d, svc);
  const last = formatCount(lastRequests(report));
  const end = `${hhmm(report.windowEndsAt)} UTC`;
  switch (report.verdict) {
    case 'drained': {
      const at = report.drainedAt !== undefined ? ` at ${hhmm(report.drainedAt)} UTC` : '';
      const note = report.note ? `\n_${clipLine(report.note, 300)}_` : '';
      return {
        line: `✅ *Drained*${at}: ${slot(old)} got ${toleranceText(report)} for a full period — traffic left it.${note}`,
        text: `drained${at}: ${slotText(old)} got ${toleranceText(report)} for a full period`,
      };
    }
    case 'waiting':
      return {
        line: `⏳ *Waiting* until ${end} (end of the verify window): ${slot(old)} still got ${last} request(s) in the last period.`,
        text: `waiting for ${slotText(old)} to drain, until ${end}`,
      };
    case 'not_drained':
      return {
        line:
          `❌ *NOT drained*: requests are still on ${slot(old)} (up to ${formatCount(peakAfterSwitch(report))} per period after the switch) after the verify window ended at ${end}.\n` +
          `${who}: roll back to ${slot(old)}, or find what still sends it traffic.`,
        text: `${who}: NOT drained — requests still on ${slotText(old)} after the verify window ended at ${end}`,
      };
    default: {
      const why = report.error ? `: ${clipLine(report.error, 500)}` : '';
      return {
        line:
          `⚠️ *${report.unverifiedCause === 'no_requests' ? 'No traffic observed' : report.unverifiedCause === 'not_settled' ? 'Metrics not published yet' : report.unverifiedCause === 'missing_alarms' ? 'Alarms missing' : 'Metrics unreadable'} — not verified*${why}\n` +
          `This is not a success. ${who}: check the traffic yourself, or roll back to ${slot(old)}.`,
        text: `${who}: traffic not verified — metrics unreadable${report.error ? ` (${clipLine(report.error, 200)})` : ''}`,
      };
    }
  }
}

/** Sections other than the table need about 2 × 3000 characters; the table gets one section. */
const TABLE_MAX = LIMITS.sectionText;

export function trafficMessage(
  d: Deployment,
  report: TrafficReport,
  svc: ServiceConfig,
  now: number,
): SlackMessage {
  const periods = new Set([...report.oldSlot.points, ...report.newSlot.points].map((p) => p.at)).size;
  const v = verdict(d, report, svc);
  const blocks: KnownBlock[] = [
    section(
      `📈 *Traffic after the switch* — ${route(d)} · ${periods} period(s) of ${dur(svc.traffic.periodMs)}`,
    ),
    section(v.line),
    section(trafficTable(report, TABLE_MAX, { now, periodMs: svc.traffic.periodMs })),
  ];
  if (report.breaches.length > 0) {
    blocks.push(
      ...sections(
        [`*Health gates*: ${report.breaches.length} breach(es)`, ...breachLines(report.breaches)],
        3,
      ),
    );
  }
  const needsDecision =
    report.verdict === 'not_drained' || report.verdict === 'unreadable' || report.breaches.length > 0;
  if (needsDecision && rollbackAllowed(d)) blocks.push(actions([rollbackButton(d)]));
  blocks.push(
    context(
      `Deployment ${code(d.id)} · CloudWatch RequestCount, HTTPCode_Target_5XX_Count, p99 TargetResponseTime · ` +
        `window ends ${slackDate(report.windowEndsAt)} · updated ${slackDate(now)}`,
    ),
  );
  const breaches = report.breaches.length > 0 ? ` · ${report.breaches.length} gate breach(es)` : '';
  return message(`Traffic ${routeText(d)}: ${v.text}${breaches}`, blocks);
}

/**
 * A new thread reply when traffic verification fails (not drained, or not verifiable). The table
 * above is edited in place, and Slack does not notify anyone of a mention added by an edit
 * (docs/platform-facts.md, "Slack formatting and notifications"): this message is what pings the
 * requester and approvers, with Rollback.
 */
export function trafficFailedMessage(d: Deployment, report: TrafficReport, svc: ServiceConfig): SlackMessage {
  const v = verdict(d, report, svc);
  const blocks: KnownBlock[] = [section(`🚨 *Verification failed* — ${route(d)}\n${v.line}`)];
  if (rollbackAllowed(d)) blocks.push(actions([rollbackButton(d)]));
  blocks.push(context(`Deployment ${code(d.id)} · the traffic table above has the per-period figures`));
  return message(`Verification failed, ${routeText(d)}: ${v.text}`, blocks);
}
