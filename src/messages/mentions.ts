/**
 * Slack mention tokens, as the rendered reasons (./reasons.ts) and other texts name people. Pure.
 * Those texts reach Slack through `escKeepMentions` (./format.ts), which keeps a token only when
 * its id is a valid Slack id.
 */
import type { People } from '../domain/reasons.js';

/** `<@U…>`. */
export function userMention(userId: string): string {
  return `<@${userId}>`;
}

/** `<!subteam^S…>`. */
export function groupMention(groupId: string): string {
  return `<!subteam^${groupId}>`;
}

/**
 * `<@U1>, <!subteam^S1>`: users, then groups; `nobody` when the list is empty; past `max`,
 * "… and N more". `as` renders each id (default: the tokens above).
 */
export function mentionList(
  people: People,
  max = Number.POSITIVE_INFINITY,
  as: { user: (id: string) => string; group: (id: string) => string } = {
    user: userMention,
    group: groupMention,
  },
): string {
  const all = [
    ...(people.users ?? []).map((u) => as.user(u)),
    ...(people.usergroups ?? []).map((g) => as.group(g)),
  ];
  if (all.length === 0) return 'nobody';
  const shown = all.slice(0, max).join(', ');
  return all.length > max ? `${shown} and ${all.length - max} more` : shown;
}
