// One message of the sandbox page (avatar, name, time, body, "only visible to you", replies) →
// HTML string. Pure (no DOM): `people(id)` looks a person up, `names` renders mentions.
import { escapeHtml, renderFallback, renderMessage } from './render.js';

/** Initials on a colour derived from the id; the app and Slackbot have their own. */
export function avatar(id, people) {
  const p = people(id);
  if (p?.role === 'bot') return '<div class="avatar bot">GL</div>';
  if (p?.role === 'slackbot') return '<div class="avatar slackbot">✱</div>';
  const hue = [...id].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);
  const initials = (p?.name ?? id)
    .split(' ')
    .map((w) => w[0])
    .join('')
    .slice(0, 2);
  return `<div class="avatar" style="background:hsl(${hue} 45% 45%)">${escapeHtml(initials)}</div>`;
}

/** `3:04 PM` in the browser's locale; '' for anything that is not a valid time. */
export function time(at) {
  if (typeof at !== 'number' || !Number.isFinite(at)) return '';
  const when = new Date(at);
  if (!Number.isFinite(when.getTime())) return '';
  return when.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
}

/**
 * A feed item as Slack shows it; `replies` (thread replies) adds the "N replies" link. Never
 * throws: an item that cannot be rendered shows as its plain text with a note.
 */
export function messageHtml(item, opts) {
  try {
    return itemHtml(item, opts);
  } catch (err) {
    let id = '';
    try {
      id = String(item?.id ?? '');
    } catch {
      // no id: the item cannot be clicked or dismissed, but it is shown
    }
    return `<div class="msg" data-item="${escapeHtml(id)}"><div class="msg-body"><div class="msg-content">${renderFallback(item, err)}</div></div></div>`;
  }
}

function itemHtml(item, { people, names, replies = [] }) {
  const p = people(item.user);
  const face = (id) => avatar(id, people);
  const badge = p?.role === 'bot' ? '<span class="app-badge">APP</span>' : '';
  const eph = item.kind === 'ephemeral';
  const note = eph
    ? `<div class="eph-note">👁 Only visible to you · <a href="#" data-dismiss="${escapeHtml(item.id)}">Dismiss</a></div>`
    : '';
  const edited = item.edited ? '<span class="edited">(edited)</span>' : '';
  const faces = [...new Set(replies.map((r) => r.user))].slice(0, 3).map(face).join('');
  const count = `${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}`;
  const thread = replies.length
    ? `<a href="#" class="replies" data-open-thread="${escapeHtml(item.ts)}">${faces}<b>${count}</b><span>Last reply ${time(replies.at(-1).at)}</span></a>`
    : '';
  return (
    `<div class="msg${eph ? ' ephemeral' : ''}" data-item="${escapeHtml(item.id)}">${face(item.user)}<div class="msg-body">` +
    `${note}<div class="msg-head"><b>${escapeHtml(p?.name ?? item.user)}</b>${badge}<span class="ts">${time(item.at)}</span>${edited}</div>` +
    `<div class="msg-content">${renderMessage(item, names)}</div>${thread}</div></div>`
  );
}
