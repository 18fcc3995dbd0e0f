/** Instants as UTC clock text, for texts that say "UTC" themselves. Pure. */

const pad = (n: number) => String(n).padStart(2, '0');

/** `2024-01-02 15:04 UTC`. */
export function utcTime(ms: number): string {
  if (!Number.isFinite(ms)) return 'unknown time';
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** `15:04`: hours and minutes in UTC. */
export function hhmm(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '--:--';
  const d = new Date(ms);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** `15:04:05` in UTC. */
export function hhmmss(ms: number): string {
  if (!Number.isFinite(ms)) return '--:--:--';
  return `${hhmm(ms)}:${pad(new Date(ms).getUTCSeconds())}`;
}
