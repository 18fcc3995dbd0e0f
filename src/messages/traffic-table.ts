/**
 * The monospace part of the traffic evidence message: one sparkline of requests per slot and a
 * per-period table (time UTC, requests, target 5xx, p99 ms) for both slots — and, when they were
 * read, the 5xx the load balancer generated itself (for the whole load balancer: AWS publishes
 * them per load balancer only) — newest rows kept when it must be cut to fit one section. Pure.
 */
import type { SlotTraffic, TrafficPoint, TrafficReport } from '../domain/evidence.js';
import { hhmm, hhmmss } from '../domain/utc-time.js';
import { esc, plainClip } from './format.js';
import { sparkline } from './sparkline.js';

/** Periods shown in a sparkline (the most recent ones). */
export const SPARK_WIDTH = 40;

/** `1,234`, `123.4k`, `12.3M`: at most 6 characters for any count. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '?';
  const v = Math.max(0, Math.round(n));
  if (v < 100_000) return String(v).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  if (v < 1_000_000) return `${(v / 1_000).toFixed(1)}k`;
  if (v < 1_000_000_000) return `${(v / 1_000_000).toFixed(1)}M`;
  return `${Math.min(999, v / 1_000_000_000).toFixed(0)}G`;
}

/** p99 in ms (`182`), seconds past 10 s (`12.3s`), `—` when CloudWatch had none. */
export function formatLatency(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 10_000) return String(Math.max(0, Math.round(ms)));
  return `${Math.min(999.9, ms / 1000).toFixed(1)}s`;
}

interface Row {
  at: number;
  old?: TrafficPoint;
  new?: TrafficPoint;
}

function rowsOf(report: TrafficReport): Row[] {
  const byAt = new Map<number, Row>();
  const add = (points: TrafficPoint[], side: 'old' | 'new') => {
    for (const p of points) {
      if (!Number.isFinite(p.at)) continue;
      const row = byAt.get(p.at) ?? { at: p.at };
      row[side] = p;
      byAt.set(p.at, row);
    }
  };
  add(report.oldSlot.points, 'old');
  add(report.newSlot.points, 'new');
  return [...byAt.values()].sort((a, b) => a.at - b.at);
}

const COL = { req: 7, err: 6, p99: 7, lb: 7 } as const;
const SLOT_WIDTH = COL.req + COL.err + COL.p99;

/** A missing point means no request was published in that period (CloudWatch skips zeros). */
function cells(p: TrafficPoint | undefined): string {
  const req = formatCount(p?.requests ?? 0).padStart(COL.req);
  const err = formatCount(p?.errors5xx ?? 0).padStart(COL.err);
  return `${req}${err}${formatLatency(p?.p99Ms ?? null).padStart(COL.p99)}`;
}

function slotName(s: SlotTraffic, role: string): string {
  return `${plainClip(s.slot, 12)} (${role})`;
}

function published(p: TrafficPoint | undefined): boolean {
  return (
    p !== undefined &&
    (p.requests > 0 ||
      p.errors5xx > 0 ||
      p.p99Ms !== null ||
      (p.lb5xx ?? 0) > 0 ||
      (p.unhealthyHosts ?? null) !== null)
  );
}

/**
 * The newest periods with no datapoint at all, ended less than two periods before `now`: ALB
 * metrics arrive a minute or more late, so they are most likely not published yet — shown as a
 * note, not as a row of zeros that reads as "traffic stopped".
 */
function unpublishedTail(rows: Row[], now: number | undefined, periodMs: number | undefined): number {
  if (now === undefined || periodMs === undefined) return 0;
  let n = 0;
  for (let i = rows.length - 1; i >= 0; i -= 1) {
    const r = rows[i] as Row;
    if (published(r.old) || published(r.new) || r.at + 3 * periodMs <= now) break;
    n += 1;
  }
  return n;
}

/**
 * The code block (with its fences), at most `maxChars` characters. With `now` and the period, the
 * newest periods CloudWatch has most likely not published yet are left out (a note says so).
 */
export function trafficTable(
  report: TrafficReport,
  maxChars: number,
  opts: { now?: number; periodMs?: number } = {},
): string {
  const all = rowsOf(report);
  const pending = unpublishedTail(all, opts.now, opts.periodMs);
  const rows = all.slice(0, all.length - pending);
  const oldName = slotName(report.oldSlot, 'old');
  const newName = slotName(report.newSlot, 'new');
  const nameWidth = Math.max(oldName.length, newName.length);
  const series = (side: 'old' | 'new') => rows.map((r) => r[side]?.requests ?? 0);
  const last = (side: 'old' | 'new') => formatCount(rows[rows.length - 1]?.[side]?.requests ?? 0);
  const spark = rows.length
    ? [
        `${oldName.padEnd(nameWidth)} ${sparkline(series('old').slice(-SPARK_WIDTH))} now ${last('old')} req`,
        `${newName.padEnd(nameWidth)} ${sparkline(series('new').slice(-SPARK_WIDTH))} now ${last('new')} req`,
        '',
      ]
    : [];
  // Sub-minute periods (the sandbox, tests) need seconds to tell the rows apart.
  const seconds = rows.some((r, i) => i > 0 && r.at - (rows[i - 1]?.at ?? 0) < 60_000);
  const time = (at: number) => (seconds ? hhmmss(at) : hhmm(at));
  const w = seconds ? 8 : 5;
  // The load balancer's own 5xx, when they were read (gates.loadBalancerErrors).
  const withLb = rows.some((r) => r.new?.lb5xx !== undefined);
  const lbHead = withLb ? [' │', ' │' + 'lb 5xx'.padStart(COL.lb)] : ['', ''];
  const lbCell = (r: Row) => (withLb ? ` │${formatCount(r.new?.lb5xx ?? 0).padStart(COL.lb)}` : '');
  const head = [
    `${'UTC'.padEnd(w)} │${oldName.slice(0, SLOT_WIDTH).padStart(SLOT_WIDTH)} │${newName.slice(0, SLOT_WIDTH).padStart(SLOT_WIDTH)}${lbHead[0]}`,
    `${''.padEnd(w)} │${'req'.padStart(COL.req)}${'5xx'.padStart(COL.err)}${'p99ms'.padStart(COL.p99)} │${'req'.padStart(COL.req)}${'5xx'.padStart(COL.err)}${'p99ms'.padStart(COL.p99)}${lbHead[1]}`,
  ];
  const body = rows.map((r) => `${time(r.at)} │${cells(r.old)} │${cells(r.new)}${lbCell(r)}`);
  if (body.length === 0) body.push('(no datapoints yet)');
  if (pending > 0) body.push(`… ${pending} newer period(s) not published by CloudWatch yet`);

  const render = (kept: string[], hidden: number) => {
    const note = hidden > 0 ? [`… ${hidden} earlier period(s) not shown`] : [];
    return '```' + esc([...spark, ...head, ...note, ...kept].join('\n')) + '```';
  };
  let kept = body;
  let text = render(kept, 0);
  if (text.length > maxChars) {
    // Every row has the same width: drop the oldest rows until it fits (newest matter most).
    const rowLen = (kept[kept.length - 1]?.length ?? 40) + 1;
    const over = text.length - maxChars + 60;
    kept = kept.slice(Math.min(kept.length, Math.ceil(over / rowLen)));
    text = render(kept, body.length - kept.length);
    while (text.length > maxChars && kept.length > 0) {
      kept = kept.slice(1);
      text = render(kept, body.length - kept.length);
    }
  }
  return text;
}
