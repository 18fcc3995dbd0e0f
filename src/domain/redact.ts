/**
 * URLs reduced to what is safe to show or keep: scheme and host. Webhook URLs carry their
 * credentials in the path (`/services/T…/B…/<secret>`), the query (`?token=`) or `user:pass@`, so
 * nothing past the host is ever posted to Slack, logged, or kept on a deployment record. Pure.
 */

/** `https://hooks.example.com/…` for any URL; `[url]` when it cannot be parsed. */
export function redactUrl(url: string): string {
  try {
    const p = new URL(url);
    return `${p.protocol}//${p.host}/…`;
  } catch {
    return '[url]';
  }
}

/** Every URL in a text reduced to its scheme and host. */
export function redactUrls(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, redactUrl);
}
