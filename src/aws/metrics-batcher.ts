/**
 * CloudWatch economy for many deployments on one load balancer: the metric reads of every
 * verification and soak watch that arrive within a short window share GetMetricData calls.
 * - One call carries up to 500 queries (GetMetricData's limit, docs/platform-facts.md).
 * - A metric two reads ask for (the load balancer's own 5xx, read by every deployment behind it)
 *   is requested once. CloudWatch bills GetMetricData per metric requested, so a shared metric is
 *   paid once per call instead of once per deployment (README, "CloudWatch cost").
 * - A call has one StartTime and EndTime: it spans the earliest start and latest end of its
 *   reads, and each read gets back only the points of its own window.
 * - Only reads whose queries share one period, and whose start falls at the same place in that
 *   period, share a call: CloudWatch places data points `Period` apart from the StartTime it
 *   rounds, so their points land on the same grid. Anything else is read on its own.
 * - A query CloudWatch answers with a failed status fails the reads that asked for it; a call that
 *   fails fails every read in it (each job then handles it as before: "not verified", retried).
 * The window is a wait before the call, not a sleep in a job: verification and soak watches poll
 * on one grid shared by all deployments (src/domain/traffic/periods.ts, `nextPollAt`), so reads
 * due at the same instant meet in the window.
 */
import type { MetricQuery, MetricResult } from '../domain/metrics.js';
import type { AwsCallError } from '../errors.js';

/** GetMetricData takes at most 500 queries per call. */
const MAX_QUERIES = 500;
/** CloudWatch rounds a recent StartTime down to the minute (GetMetricData, "StartTime"). */
const MINUTE_MS = 60_000;

/** What one GetMetricData read returns: the series per id, and the queries that failed. */
export interface MetricFetch {
  results: MetricResult[];
  /** Per query id: CloudWatch answered `Forbidden` or `InternalError` for it. */
  failed: Map<string, AwsCallError>;
}

export type FetchMetrics = (queries: MetricQuery[], startMs: number, endMs: number) => Promise<MetricFetch>;

export interface MetricsBatchOptions {
  /** How long the first read of a call waits for others to join (default 200 ms). */
  windowMs?: number;
  /** Queries per call (default and most: 500). */
  maxQueries?: number;
}

interface Read {
  queries: MetricQuery[];
  startMs: number;
  endMs: number;
  resolve: (results: MetricResult[]) => void;
  reject: (err: unknown) => void;
}

interface Batch {
  key: string;
  reads: Read[];
  /** Metric identity → the id it has in the shared call. */
  ids: Map<string, string>;
  timer: ReturnType<typeof setTimeout>;
}

/** What makes two queries the same metric to CloudWatch (the id is the asker's own name for it). */
function metricKey(q: MetricQuery): string {
  return [q.metricName, q.stat, q.loadBalancer, q.targetGroup ?? '', q.periodSeconds].join('|');
}

/** The call a read may share: its one period, and where its start falls in that period. */
function batchKey(read: { queries: MetricQuery[]; startMs: number }): string | undefined {
  const periods = new Set(read.queries.map((q) => q.periodSeconds));
  if (periods.size !== 1) return undefined;
  const periodMs = (read.queries[0]?.periodSeconds ?? 0) * 1000;
  if (!(periodMs > 0)) return undefined;
  const start = roundedStart(read.startMs);
  return `${periodMs}@${((start % periodMs) + periodMs) % periodMs}`;
}

function roundedStart(startMs: number): number {
  return Math.floor(startMs / MINUTE_MS) * MINUTE_MS;
}

/** The points of a shared series inside one read's own window. */
function within(series: MetricResult, id: string, read: Read): MetricResult {
  const from = roundedStart(read.startMs);
  const timestamps: number[] = [];
  const values: number[] = [];
  series.timestamps.forEach((t, i) => {
    const v = series.values[i];
    if (t >= from && t < read.endMs && v !== undefined) {
      timestamps.push(t);
      values.push(v);
    }
  });
  return { id, timestamps, values };
}

export interface MetricsBatcher {
  getMetricData(queries: MetricQuery[], startMs: number, endMs: number): Promise<MetricResult[]>;
}

export function createMetricsBatcher(fetch: FetchMetrics, opts: MetricsBatchOptions = {}): MetricsBatcher {
  const windowMs = opts.windowMs ?? 200;
  const maxQueries = Math.min(opts.maxQueries ?? MAX_QUERIES, MAX_QUERIES);
  const open = new Map<string, Batch>();

  /** One call for `reads`; `ids` gives each metric (metricKey) its id in the call. */
  async function send(reads: Read[], ids: Map<string, string>) {
    const startMs = Math.min(...reads.map((r) => r.startMs));
    const endMs = Math.max(...reads.map((r) => r.endMs));
    const shared = new Map<string, MetricQuery>();
    for (const r of reads)
      for (const q of r.queries) {
        const id = ids.get(metricKey(q));
        if (id !== undefined && !shared.has(id)) shared.set(id, { ...q, id });
      }
    let fetched: MetricFetch;
    try {
      fetched = await fetch([...shared.values()], startMs, endMs);
    } catch (err) {
      for (const r of reads) r.reject(err);
      return;
    }
    const byId = new Map(fetched.results.map((s) => [s.id, s]));
    for (const r of reads) {
      const own = r.queries.map((q) => ({ q, sharedId: ids.get(metricKey(q)) ?? '' }));
      const failure = own.map(({ sharedId }) => fetched.failed.get(sharedId)).find((e) => e !== undefined);
      if (failure) {
        r.reject(failure);
        continue;
      }
      r.resolve(
        own.map(({ q, sharedId }) =>
          within(byId.get(sharedId) ?? { id: sharedId, timestamps: [], values: [] }, q.id, r),
        ),
      );
    }
  }

  function flush(batch: Batch) {
    clearTimeout(batch.timer);
    if (open.get(batch.key) === batch) open.delete(batch.key);
    void send(batch.reads, batch.ids);
  }

  function getMetricData(queries: MetricQuery[], startMs: number, endMs: number): Promise<MetricResult[]> {
    if (queries.length === 0) return Promise.resolve([]);
    return new Promise<MetricResult[]>((resolve, reject) => {
      const read: Read = { queries, startMs, endMs, resolve, reject };
      const key = batchKey(read);
      const distinct = new Set(queries.map(metricKey));
      if (key === undefined || distinct.size > maxQueries) {
        // Not shareable: sent alone, with its own ids (the adapter splits past 500).
        const ids = new Map(queries.map((q) => [metricKey(q), q.id]));
        void send([read], ids);
        return;
      }
      let batch = open.get(key);
      if (batch) {
        const ids = batch.ids;
        const added = [...distinct].filter((k) => !ids.has(k)).length;
        if (ids.size + added > maxQueries) {
          flush(batch);
          batch = undefined;
        }
      }
      if (!batch) {
        const fresh: Batch = {
          key,
          reads: [],
          ids: new Map(),
          timer: setTimeout(() => flush(fresh), windowMs),
        };
        open.set(key, fresh);
        batch = fresh;
      }
      for (const k of distinct) if (!batch.ids.has(k)) batch.ids.set(k, `m${batch.ids.size}`);
      batch.reads.push(read);
      if (batch.ids.size >= maxQueries) flush(batch);
    });
  }

  return { getMetricData };
}
