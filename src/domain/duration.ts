/** Durations as written in config and commands: `90s`, `5m`, `24h`, `7d`, `1h30m`. Pure. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+)(ms|s|m|h|d)/gy;

export const DURATION_HELP = 'a duration such as 30s, 5m, 2h, 1d or 1h30m';

/** Returns milliseconds, or null when `text` is not a duration. */
export function parseDuration(text: string): number | null {
  const s = text.trim().toLowerCase();
  if (s.length === 0 || s.length > 32) return null;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = PART.exec(s); m !== null; m = PART.exec(s)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    consumed = PART.lastIndex;
  }
  if (consumed !== s.length || !Number.isSafeInteger(total)) return null;
  return total;
}

/** `5400000` → `1h30m`; under a second in ms (`0` → `0ms`); negative or non-finite → `0ms`. */
export function formatDuration(ms: number): string {
  const total = Number.isFinite(ms) ? Math.max(0, Math.round(ms)) : 0;
  if (total < 1000) return `${total}ms`;
  let rest = Math.round(total / 1000);
  const out: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out.push(`${n}${unit}`);
    rest -= n * size;
  }
  return out.join('') || '0s';
}
