/** The sparkline of the traffic evidence message (traffic-table.ts). Pure. */

const BARS = '▁▂▃▄▅▆▇█';

/**
 * A sparkline scaled to the largest value. Zero (or less) is always `▁` and any positive value
 * is at least `▂`, so a single straggler request on a drained slot stays visible.
 */
export function sparkline(values: number[]): string {
  const max = Math.max(0, ...values.filter((v) => Number.isFinite(v)));
  return values
    .map((v) => {
      if (!(v > 0) || max === 0) return BARS[0];
      return BARS[1 + Math.round((Math.min(v, max) / max) * (BARS.length - 2))];
    })
    .join('');
}
