// Slack mrkdwn and Block Kit → HTML strings, as the Slack client shows them. Pure (no DOM), so
// the sandbox page uses it in the browser and the unit tests import it in Node.
// Everything that comes from a message is escaped; only the markup built here is HTML.

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text) {
  return String(text ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Slack escapes only `&`, `<` and `>` in message text; this undoes that. */
export function decodeEntities(text) {
  return String(text ?? '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

const EMOJI = {
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  x: '❌',
  warning: '⚠️',
  rocket: '🚀',
  hourglass: '⌛',
  lock: '🔒',
  eyes: '👀',
  tada: '🎉',
};

function shortcodes(html) {
  return html.replace(/:([a-z0-9_+-]{1,40}):/g, (m, name) => EMOJI[name] ?? m);
}

/** Default lookups: ids shown as they are. */
const PLAIN = {
  userName: (id) => id,
  groupName: (id) => id,
  channelName: (id) => id,
};

const PERMALINK =
  /^https:\/\/[a-z0-9-]+\.slack\.com\/archives\/([CGD][A-Z0-9]+)\/p(\d{10})(\d{6})(?:\?thread_ts=(\d+\.\d+))?/;

function link(url, label) {
  const safe = /^(https?:\/\/|mailto:)/i.test(url);
  const text = escapeHtml(label);
  if (!safe) return text;
  const perma = PERMALINK.exec(url);
  const data = perma
    ? ` data-channel="${perma[1]}" data-ts="${perma[2]}.${perma[3]}"${perma[4] ? ` data-thread="${perma[4]}"` : ''}`
    : '';
  return `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer"${data}>${text}</a>`;
}

/** Unix seconds (a string of digits or a number) → ISO 8601, or undefined when it is no valid time. */
export function isoDate(seconds) {
  const ms = Number(seconds) * 1000;
  if (!Number.isFinite(ms)) return undefined;
  const at = new Date(ms);
  return Number.isFinite(at.getTime()) ? at.toISOString() : undefined;
}

/** `value` when it is an array, else an empty one (a malformed block never throws). */
export function listOf(value) {
  return Array.isArray(value) ? value : [];
}

/** One `<…>` token of mrkdwn (already decoded): mention, channel, group, date, special or link. */
export function angleToken(inner, names = PLAIN) {
  const [target, ...rest] = inner.split('|');
  const label = rest.join('|');
  if (/^@[UW][A-Z0-9]+$/.test(target)) {
    return `<span class="mention">@${escapeHtml(label || names.userName(target.slice(1)))}</span>`;
  }
  if (/^#[CGD][A-Z0-9]+$/.test(target)) {
    const name = label || names.channelName(target.slice(1));
    return `<a class="channel-link" href="#" data-channel="${escapeHtml(target.slice(1))}">#${escapeHtml(name)}</a>`;
  }
  const sub = /^!subteam\^(S[A-Z0-9]+)$/.exec(target);
  if (sub) {
    const name = label ? label.replace(/^@/, '') : names.groupName(sub[1]);
    return `<span class="mention group">@${escapeHtml(name)}</span>`;
  }
  const date = /^!date\^(\d+)\^/.exec(target);
  if (date) {
    const iso = isoDate(date[1]);
    // A time out of range shows its fallback text, as Slack does (never a thrown RangeError).
    if (iso === undefined) return escapeHtml(label || `<${inner}>`);
    return `<time datetime="${iso}" title="${iso}">${escapeHtml(label || iso)}</time>`;
  }
  if (/^!(here|channel|everyone)$/.test(target)) {
    return `<span class="mention special">@${target.slice(1)}</span>`;
  }
  if (/^(https?:\/\/|mailto:)/i.test(target)) return link(target, label || target.replace(/^mailto:/i, ''));
  return escapeHtml(`<${inner}>`);
}

const EMPHASIS = [
  [/(^|[^\w*])\*(?!\s)([^*\n]*?[^\s*])\*(?![\w*])/g, 'strong'],
  [/(^|[^\w_])_(?!\s)([^_\n]*?[^\s_])_(?![\w_])/g, 'em'],
  [/(^|[^\w~])~(?!\s)([^~\n]*?[^\s~])~(?![\w~])/g, 'del'],
];

/**
 * Slack mrkdwn → HTML: ```code blocks```, `code`, *bold*, _italic_, ~strike~, > quotes, line
 * breaks, and `<…>` tokens (@user, #channel, @group, dates by their fallback, links).
 */
export function mrkdwn(text, names = PLAIN) {
  const parts = String(text ?? '').split(/```([\s\S]*?)```/);
  return parts
    .map((part, i) => {
      if (i % 2 === 1)
        return `<pre class="code-block">${escapeHtml(decodeEntities(part.replace(/^\n/, '')))}</pre>`;
      return inline(part, names);
    })
    .join('');
}

function inline(text, names) {
  const held = [];
  const hold = (html) => {
    held.push(html);
    return `\uE000${held.length - 1}\uE001`;
  };
  // The placeholder marks are private-use characters: typed ones are dropped so text cannot
  // point at markup held for something else.
  let s = text
    .replace(/[\uE000\uE001]/g, '')
    .replace(/`([^`\n]+)`/g, (_, code) => hold(`<code>${escapeHtml(decodeEntities(code))}</code>`));
  s = s.replace(/<([^<>\n]{1,3000})>/g, (_, inner) => hold(angleToken(decodeEntities(inner), names)));
  s = escapeHtml(decodeEntities(s));
  for (const [re, tag] of EMPHASIS)
    s = s.replace(re, (_, before, body) => `${before}<${tag}>${body}</${tag}>`);
  s = shortcodes(s);
  const lines = s.split('\n');
  const out = [];
  let quote = [];
  const flush = () => {
    if (quote.length > 0) out.push(`<blockquote>${quote.join('<br>')}</blockquote>`);
    quote = [];
  };
  for (const line of lines) {
    if (line.startsWith('&gt; ') || line === '&gt;') quote.push(line.replace(/^&gt; ?/, ''));
    else {
      flush();
      out.push(line);
    }
  }
  flush();
  const html = out
    .join('<br>')
    .replace(/<br><blockquote>/g, '<blockquote>')
    .replace(/<\/blockquote><br>/g, '</blockquote>');
  return html.replace(/\uE000(\d+)\uE001/g, (_, n) => held[Number(n)] ?? '');
}

/** A text object (`plain_text` or `mrkdwn`) → HTML. */
export function textObject(obj, names = PLAIN) {
  if (!obj || typeof obj !== 'object') return '';
  if (obj.type === 'mrkdwn') return mrkdwn(obj.text, names);
  return shortcodes(escapeHtml(obj.text));
}

/** `block_id` as Slack would assign it when the app gave none (the page server agrees). */
export function blockIdOf(block, index) {
  return typeof block?.block_id === 'string' ? block.block_id : `b${index}`;
}

function buttonHtml(el, blockId) {
  if (el?.type !== 'button') {
    return `<span class="unsupported">[${escapeHtml(el?.type ?? 'element')}]</span>`;
  }
  const style = el.style === 'primary' || el.style === 'danger' ? ` ${el.style}` : '';
  const confirm = el.confirm ? ` data-confirm="${escapeHtml(JSON.stringify(el.confirm))}"` : '';
  if (el.url && /^https?:\/\//.test(el.url)) {
    return `<a class="btn${style}" href="${escapeHtml(el.url)}" target="_blank" rel="noopener noreferrer">${textObject(el.text)}</a>`;
  }
  return (
    `<button type="button" class="btn${style}" data-action-id="${escapeHtml(el.action_id ?? '')}"` +
    ` data-block-id="${escapeHtml(blockId)}"${confirm}>${textObject(el.text)}</button>`
  );
}

/** One block → HTML. */
export function renderBlock(block, index, names = PLAIN) {
  const id = blockIdOf(block, index);
  switch (block?.type) {
    case 'section': {
      const text = block.text ? `<div class="section-text">${textObject(block.text, names)}</div>` : '';
      const fields =
        listOf(block.fields).length > 0
          ? `<div class="fields">${block.fields.map((f) => `<div class="field">${textObject(f, names)}</div>`).join('')}</div>`
          : '';
      const accessory = block.accessory
        ? `<div class="accessory">${buttonHtml(block.accessory, id)}</div>`
        : '';
      return `<div class="block section"><div class="section-main">${text}${fields}</div>${accessory}</div>`;
    }
    case 'context': {
      const items = listOf(block.elements).map((e) =>
        e?.type === 'image'
          ? `<span class="ctx-img" title="${escapeHtml(e.alt_text ?? '')}">▣</span>`
          : `<span>${textObject(e, names)}</span>`,
      );
      return `<div class="block context">${items.join('')}</div>`;
    }
    case 'header':
      return `<div class="block header">${textObject(block.text, names)}</div>`;
    case 'divider':
      return '<hr class="block divider">';
    case 'actions':
      return `<div class="block actions">${listOf(block.elements)
        .map((e) => buttonHtml(e, id))
        .join('')}</div>`;
    case 'image':
      return `<div class="block image-alt">🖼 ${escapeHtml(block.alt_text ?? 'image')}</div>`;
    default:
      return `<div class="block unsupported">[unsupported block: ${escapeHtml(block?.type ?? 'unknown')}]</div>`;
  }
}

/**
 * A message body: its blocks when it has any (Slack then shows no `text`), else its text. Never
 * throws: a message that cannot be rendered shows its plain text with a note (see renderFallback),
 * so one bad message never blanks the conversation.
 */
export function renderMessage(message, names = PLAIN) {
  try {
    if (Array.isArray(message?.blocks) && message.blocks.length > 0) {
      return message.blocks.map((b, i) => renderBlock(b, i, names)).join('');
    }
    return `<div class="block section"><div class="section-main"><div class="section-text">${mrkdwn(message?.text ?? '', names)}</div></div></div>`;
  } catch (err) {
    return renderFallback(message, err);
  }
}

/** The plain `text` of a message (entities decoded), '' when there is none or it cannot be read. */
function plainText(message) {
  try {
    return typeof message?.text === 'string' ? decodeEntities(message.text) : '';
  } catch {
    return '';
  }
}

/** A message that could not be rendered: its plain text, escaped, and a note saying why. */
export function renderFallback(message, err) {
  let why = 'error';
  try {
    why = String(err instanceof Error ? err.message : err).slice(0, 200);
  } catch {
    // keep 'error'
  }
  return (
    `<div class="block section render-error"><div class="section-main"><div class="section-text">${escapeHtml(plainText(message)).replace(/\n/g, '<br>')}</div>` +
    `<div class="render-note">⚠️ The sandbox page could not render this message (${escapeHtml(why)}); its plain text is shown.</div></div></div>`
  );
}

/** Every button of a message's blocks, as `{ actionId, blockId, text }` (for tests and lookups). */
export function buttonsOf(blocks) {
  const out = [];
  listOf(blocks).forEach((b, i) => {
    const els = [...listOf(b?.elements), ...(b?.accessory ? [b.accessory] : [])];
    for (const e of els) {
      if (e?.type === 'button')
        out.push({ actionId: e.action_id, blockId: blockIdOf(b, i), text: e.text?.text ?? '' });
    }
  });
  return out;
}
