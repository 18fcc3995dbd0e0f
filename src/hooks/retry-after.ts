/**
 * `Retry-After` (RFC 9110, section 10.2.3), as both webhook senders read it: delay-seconds or an
 * HTTP-date. Each caller applies its own cap.
 */

/**
 * `Retry-After` as milliseconds from `now`: delay-seconds or an HTTP-date; a date in the past is 0.
 * Undefined when absent or not either form.
 */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  // An HTTP-date names its weekday and month (IMF-fixdate, RFC 850, asctime): not a bare number.
  if (Number.isNaN(at) || !/[A-Za-z]/.test(v)) return undefined;
  return Math.max(0, at - now);
}
