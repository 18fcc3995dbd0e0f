/** Reading the operator metrics as Prometheus exposes them (the text format a scrape gets). */

/** What renders the metrics text: the bot's `Metrics` (src/ops/metrics.ts). */
export interface RendersMetrics {
  render(): Promise<{ body: string }>;
}

/** The value of one series in Prometheus text, e.g. `name{a="b"} 3` for `name{a="b"}`; undefined when absent. */
export function seriesValue(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/**
 * Reads one series as `metrics` render it now. Takes the metrics or a getter of them, for a rig
 * started afresh for each test: `const metric = metricOf(() => rig.ctx.metrics);`.
 */
export function metricOf(
  metrics: RendersMetrics | (() => RendersMetrics),
): (series: string) => Promise<number | undefined> {
  return async (series) => {
    const source = typeof metrics === 'function' ? metrics() : metrics;
    return seriesValue((await source.render()).body, series);
  };
}
