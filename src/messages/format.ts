/**
 * Text helpers for Slack mrkdwn. Pure.
 *
 * Rule: any text that comes from users or AWS goes through `esc()` (or `clip()`) before it is
 * put into a message; Slack then shows `<`, `>` and `&` literally and `<!channel>` pings nobody.
 * Tokens we build ourselves (`mention`, `slackDate`, `link`, …) are inserted after escaping.
 */
import { formatDuration } from '../domain/duration.js';
import type { People } from '../domain/reasons.js';
import { utcTime } from '../domain/utc-time.js';
import { groupMention, mentionList, userMention } from './mentions.js';

const USER_ID = /^[UW][A-Z0-9]{1,40}$/;
const GROUP_ID = /^S[A-Z0-9]{1,40}$/;
const CHANNEL_ID = /^[CGD][A-Z0-9]{1,40}$/;

/**
 * Escapes `&`, `<` and `>` as Slack asks. Idempotent: entities that are already escaped
 * (`&amp;`, `&lt;`, `&gt;`) are left alone, so text escaped twice renders the same.
 */
export function esc(text: string): string {
  return text
    .replace(/&(?!(?:amp|lt|gt);)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

const SAFE_TOKEN =
  /^<(?:@[UW][A-Z0-9]{1,40}|#[CG][A-Z0-9]{1,40}|!subteam\^S[A-Z0-9]{1,40}|!date\^\d{1,12}\^[^<>|]{1,80}\|[^<>]{1,80})>$/;

/**
 * Like `esc`, but keeps user / channel / user-group mentions and date tokens (`<@U…>`, `<#C…>`,
 * `<!subteam^S…>`, `<!date^…>`). Everything else — `<!channel>`, `<!here>`, links — is escaped.
 * For texts written by other modules (replies, refusals) that may name people.
 */
export function escKeepMentions(text: string): string {
  const out: string[] = [];
  let last = 0;
  for (const m of text.matchAll(/<[^<>]{1,200}>/g)) {
    if (!SAFE_TOKEN.test(m[0])) continue;
    out.push(esc(text.slice(last, m.index)), m[0]);
    last = m.index + m[0].length;
  }
  out.push(esc(text.slice(last)));
  return out.join('');
}

/** Drops a trailing lone high surrogate so a cut never leaves half an emoji. */
function cleanCut(text: string): string {
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, -1) : text;
}

/**
 * Shortens mrkdwn to at most `max` characters, ending with `…` when cut. Never cuts inside an
 * entity (`&amp;`) or inside a `<…>` token we built (mention, date, link): it cuts before them.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return '…'.slice(0, Math.max(0, max));
  let cut = text.slice(0, max - 1);
  const amp = cut.lastIndexOf('&');
  if (amp !== -1 && amp > cut.length - 5 && !/^&(?:amp|lt|gt);/.test(cut.slice(amp))) cut = cut.slice(0, amp);
  const open = cut.lastIndexOf('<');
  if (open !== -1 && open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  return `${cleanCut(cut)}…`;
}

/** Escapes user/AWS text and shortens it to `max` characters (the result, escaped, fits). */
export function clip(raw: string, max: number): string {
  return truncate(esc(raw), max);
}

/** Single-line version of untrusted text (newlines and tabs become spaces), escaped and clipped. */
export function clipLine(raw: string, max: number): string {
  return clip(raw.replace(/[\r\n\t]+/g, ' '), max);
}

/** Inline code for short identifiers (target ids, deployment ids); backticks cannot break out. */
export function code(raw: string, max = 120): string {
  return '`' + clipLine(raw.replace(/`/g, "'"), max) + '`';
}

/** Plain text for `plain_text` objects: no escaping needed, just a length cap. */
export function plainClip(raw: string, max: number): string {
  const flat = raw.replace(/[\r\n\t]+/g, ' ');
  return flat.length <= max ? flat : `${cleanCut(flat.slice(0, max - 1))}…`;
}

/** `<@U…>` for a valid user id; anything else is shown escaped, never as a mention. */
export function mention(userId: string | undefined | null): string {
  if (!userId) return 'someone';
  return USER_ID.test(userId) ? userMention(userId) : clipLine(userId, 40);
}

/** `<!subteam^S…>` for a valid user group id; anything else is shown escaped, never as a mention. */
export function escapedGroupMention(groupId: string): string {
  return GROUP_ID.test(groupId) ? groupMention(groupId) : clipLine(groupId, 40);
}

/** `<#C…>` for a valid channel id. */
export function channelLink(channelId: string): string {
  return CHANNEL_ID.test(channelId) ? `<#${channelId}>` : clipLine(channelId, 40);
}

/** `<url|label>` when the url is a plain https URL; otherwise the label alone. */
export function link(url: string | undefined, label: string): string {
  const safeLabel = clipLine(label, 80).replace(/\|/g, '¦');
  if (!url || url.length > 2000 || !/^https?:\/\/[^\s<>|]+$/.test(url)) return safeLabel;
  return `<${url}|${safeLabel}>`;
}

/** Mentions for a list of users and groups (invalid ids shown escaped), at most `max`, then "and N more". */
export function escapedMentionList(people: People, max = 15): string {
  return mentionList(people, max, { user: mention, group: escapedGroupMention });
}

/**
 * `<!date^…^{date_short_pretty} {time}|2024-01-02 15:04 UTC>`: shown in each reader's timezone.
 * Use in blocks; in fallback `text` prefer `utcTime()` (notifications show the raw fallback, and
 * it is what Slack shows where it cannot localise a date).
 */
export function slackDate(ms: number | undefined, tokens = '{date_short_pretty} at {time}'): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  return `<!date^${Math.floor(ms / 1000)}^${tokens}|${utcTime(ms)}>`;
}

/** A duration for humans: `1h30m`, `850ms`. */
export function dur(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  return formatDuration(ms);
}

/** Slot names come from config (lower-case words) but are escaped anyway. */
export function slot(name: string | null | undefined): string {
  return name ? `*${clipLine(name, 40)}*` : '_unknown slot_';
}

/** Slot name for `plain_text` objects (button labels, confirm dialogs): not escaped. */
export function slotPlain(name: string | null | undefined): string {
  return name ? plainClip(name, 40) : 'unknown slot';
}

/** Slot name for fallback `text` (Slack parses it, so it is escaped, but not bold). */
export function slotText(name: string | null | undefined): string {
  return name ? clipLine(name, 40) : 'unknown slot';
}

/** Listener port or, when unknown, the tail of the listener ARN. */
export function listenerLabel(port: number | undefined, listenerArn: string): string {
  if (port !== undefined) return `:${port}`;
  const tail = listenerArn.split('/').slice(-1)[0] ?? listenerArn;
  return `listener ${code(tail, 40)}`;
}

/** `default` or `rule 10`. */
export function priorityLabel(priority: string): string {
  return priority === 'default' ? 'default action' : `rule ${clipLine(priority, 20)}`;
}

/**
 * The first `max` items, then a line "…and N more" (text given by `more`).
 * Items are already-rendered lines.
 */
export function capList(lines: string[], max: number, more = (n: number) => `…and ${n} more`): string[] {
  if (lines.length <= max) return lines;
  return [...lines.slice(0, max), more(lines.length - max)];
}

/**
 * `hooks.example.com` for a URL, escaped: the host only. Paths (`/services/T…/B…/<secret>`), query
 * strings, fragments and `user:password@` may all hold tokens and are never shown.
 */
export function urlHostPath(url: string, max = 120): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '_an unparsable URL_';
  }
  return clipLine(parsed.host, max);
}

/**
 * Untrusted text for a ``` code block: at most `max` characters of the original, escaped, with
 * backticks replaced so the block cannot be closed early. Never empty.
 */
export function codeBlock(raw: string, max: number): string {
  const cut = raw.length > max ? `${cleanCut(raw.slice(0, max - 1))}…` : raw;
  const body = esc(cut.replace(/`/g, "'")).replace(/\r\n?/g, '\n');
  return '```' + (body.trim() ? body : ' ') + '```';
}
