// The sandbox page: a Slack-like client for the local bot. It talks only to the page server's
// control API (/sandbox/api/…), which signs and sends Slack's requests to the bot, and follows
// the conversation and the simulated AWS through Server-Sent Events.

import { avatar as face, messageHtml as message } from './message.js';
import { dueIn, renderPanel } from './panel.js';
import { escapeHtml } from './render.js';

const $ = (sel) => document.querySelector(sel);
const state = {
  config: null,
  user: localStorage.getItem('gl-user') || 'U0REQUESTER',
  channel: null,
  thread: null, // ts of the open thread's parent
  items: [],
  panel: null,
  dismissed: new Set(),
  seenReplies: new Set(),
  lastSeen: {},
};

const names = {
  userName: (id) => person(id)?.handle ?? id.toLowerCase(),
  groupName: (id) => state.config?.groups.find((g) => g.id === id)?.handle ?? id,
  channelName: (id) => state.config?.channels.find((c) => c.id === id)?.name ?? id,
};

function person(id) {
  return [...(state.config?.people ?? []), ...(state.config?.bots ?? [])].find((p) => p.id === id);
}

async function api(method, path, body) {
  const res = await fetch(`/sandbox/api/${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = await res.json().catch(() => ({ ok: false, error: `HTTP ${res.status}` }));
  if (!res.ok) throw new Error(json.error ?? `HTTP ${res.status}`);
  return json;
}

function toast(text) {
  const el = $('#toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.hidden = true), 5000);
}

const avatar = (id) => face(id, person);
const messageHtml = (item, opts = {}) => message(item, { people: person, names, ...opts });

function visible(item) {
  return item.channel === state.channel && !state.dismissed.has(item.id);
}

function render() {
  if (!state.config) return;
  const ch = state.config.channels.find((c) => c.id === state.channel);
  const items = state.items.filter(visible);
  const top = items.filter((i) => !i.threadTs);
  const repliesOf = (ts) => items.filter((i) => i.threadTs === ts);
  $('#channel-name').textContent = `# ${ch?.name ?? ''}`;
  const svc = state.config.services.filter((s) => s.channel === state.channel);
  $('#channel-topic').textContent = svc.length
    ? `Deploys of ${svc.map((s) => s.name).join(', ')} · try /deploy ${svc[0].name} green`
    : '';
  $('#messages').innerHTML =
    top.map((i) => messageHtml(i, { replies: repliesOf(i.ts) })).join('') ||
    '<div class="empty">No messages yet. Type <code>/deploy checkout green</code> below.</div>';
  $('#composer-input').placeholder = `Message #${ch?.name ?? ''}`;
  renderThread(items);
  renderSidebar();
}

function renderThread(items) {
  const pane = $('#thread');
  const parent = state.thread && items.find((i) => i.ts === state.thread && !i.threadTs);
  document.body.classList.toggle('thread-open', !!parent);
  if (!parent) {
    pane.hidden = true;
    return;
  }
  pane.hidden = false;
  const replies = items.filter((i) => i.threadTs === state.thread);
  const ch = state.config.channels.find((c) => c.id === state.channel);
  $('#thread-channel').textContent = `# ${ch?.name ?? ''}`;
  const count = `<div class="thread-count">${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}</div>`;
  const list = $('#thread-messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.innerHTML = messageHtml(parent) + count + replies.map((r) => messageHtml(r)).join('');
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function renderSidebar() {
  $('#channels').innerHTML = state.config.channels
    .map((c) => {
      const unread = state.items.filter(
        (i) => i.channel === c.id && !i.threadTs && i.order > (state.lastSeen[c.id] ?? 0),
      ).length;
      const cls = `${c.id === state.channel ? 'active' : ''}${unread && c.id !== state.channel ? ' unread' : ''}`;
      return `<li><a href="#" class="${cls}" data-channel="${c.id}"># ${escapeHtml(c.name)}${unread && c.id !== state.channel ? `<span class="count">${unread}</span>` : ''}</a></li>`;
    })
    .join('');
  $('#people').innerHTML = state.config.people
    .map(
      (p) =>
        `<li><label class="${p.id === state.user ? 'active' : ''}"><input type="radio" name="who" value="${p.id}"${p.id === state.user ? ' checked' : ''}>${avatar(p.id)}<span><b>${escapeHtml(p.name)}</b><small>${escapeHtml(p.title)}</small></span></label></li>`,
    )
    .join('');
  const me = person(state.user);
  $('#me').innerHTML =
    `${avatar(state.user)}<span>You are <b>${escapeHtml(me?.name ?? state.user)}</b></span>`;
}

let loading = null;
let again = false;
async function refresh() {
  if (loading) {
    again = true;
    return;
  }
  loading = api('GET', `state?user=${encodeURIComponent(state.user)}`)
    .then((s) => {
      const before = new Set(state.items.map((i) => i.id));
      state.items = s.items;
      autoOpenThread(before);
      for (const i of state.items)
        if (i.channel === state.channel)
          state.lastSeen[i.channel] = Math.max(state.lastSeen[i.channel] ?? 0, i.order);
      render();
    })
    .catch((err) => toast(`Could not load messages: ${err.message}`))
    .finally(() => {
      loading = null;
      if (again) {
        again = false;
        refresh();
      }
    });
}

/** Opens the thread of a card when its first reply arrives and no thread is open (as a user would). */
function autoOpenThread(before) {
  if (state.thread) return;
  // On the first load every reply is "new": open the latest thread of the channel, if any. A
  // thread the person closed is not opened again.
  const fresh = state.items.filter(
    (i) =>
      !before.has(i.id) && i.threadTs && i.channel === state.channel && !state.seenReplies.has(i.threadTs),
  );
  const parent = fresh.at(-1)?.threadTs;
  if (parent) {
    state.thread = parent;
    state.seenReplies.add(parent);
  }
}

async function send(text, threadTs) {
  if (!text.trim()) return;
  try {
    await api('POST', 'command', {
      user: state.user,
      channel: state.channel,
      text,
      ...(threadTs ? { threadTs } : {}),
    });
  } catch (err) {
    toast(err.message);
  }
}

function confirmDialog(confirm) {
  const dlg = $('#confirm');
  $('#confirm-title').textContent = confirm.title?.text ?? 'Are you sure?';
  $('#confirm-text').textContent = confirm.text?.text ?? '';
  const yes = $('#confirm-yes');
  yes.textContent = confirm.confirm?.text ?? 'Yes';
  yes.className = `btn ${confirm.style === 'danger' ? 'danger' : 'primary'}`;
  $('#confirm-no').textContent = confirm.deny?.text ?? 'Cancel';
  dlg.showModal();
  return new Promise((resolve) =>
    dlg.addEventListener('close', () => resolve(dlg.returnValue === 'yes'), { once: true }),
  );
}

async function click(btn) {
  const item = btn.closest('[data-item]')?.dataset.item;
  if (btn.dataset.confirm && !(await confirmDialog(JSON.parse(btn.dataset.confirm)))) return;
  btn.classList.add('busy');
  try {
    const res = await api('POST', 'action', {
      user: state.user,
      item,
      actionId: btn.dataset.actionId,
      blockId: btn.dataset.blockId,
    });
    if (res.ok === false) toast(`⚠️ ${res.error}`);
  } catch (err) {
    toast(err.message);
  } finally {
    setTimeout(() => btn.classList.remove('busy'), 600);
  }
}

function renderPanelNow() {
  try {
    $('#panel-body').innerHTML = renderPanel(state.panel, {
      now: Date.now(),
      canSkip: state.config?.fastForward !== false,
    });
  } catch (err) {
    // one bad update never leaves the panel blank for good: the next push renders it again
    $('#panel-body').innerHTML =
      `<div class="muted">The panel could not be shown (${escapeHtml(err?.message ?? err)}).</div>`;
  }
}

document.addEventListener('click', async (e) => {
  const t = e.target.closest('a, button');
  if (!t) return;
  if (t.matches('[data-action-id]')) return click(t);
  if (t.matches('[data-open-thread], [data-dismiss], #thread-close')) {
    e.preventDefault();
    if (t.dataset.openThread) state.thread = t.dataset.openThread;
    else if (t.dataset.dismiss) state.dismissed.add(t.dataset.dismiss);
    else state.thread = null;
    return render();
  }
  if (t.matches('[data-channel]')) {
    e.preventDefault();
    if (t.dataset.channel !== state.channel) state.thread = null;
    state.channel = t.dataset.channel;
    if (t.dataset.thread || t.dataset.ts) state.thread = t.dataset.thread ?? t.dataset.ts;
    return refresh();
  }
  if (t.matches('[data-health]')) {
    return api('POST', 'target-health', {
      targetGroup: t.dataset.tg,
      target: t.dataset.target,
      state: t.dataset.health,
    }).catch((err) => toast(err.message));
  }
  if (t.matches('[data-ff]')) {
    try {
      const res = await api('POST', 'fast-forward', { all: t.dataset.ff === 'all' });
      toast(
        res.promoted.length
          ? `⏩ Ran now: ${res.promoted.map((j) => j.name).join(', ')}`
          : t.dataset.ff === 'all'
            ? 'Nothing to run'
            : 'Nothing to skip: no reminder or teardown is scheduled',
      );
    } catch (err) {
      toast(err.message);
    }
  }
});

document.addEventListener('change', (e) => {
  if (e.target.name !== 'who') return;
  state.user = e.target.value;
  localStorage.setItem('gl-user', state.user);
  refresh();
});

for (const [form, input, thread] of [
  ['#composer', '#composer-input', () => null],
  ['#thread-composer', '#thread-input', () => state.thread],
]) {
  const el = $(input);
  $(form).addEventListener('submit', (e) => {
    e.preventDefault();
    send(el.value, thread());
    el.value = '';
    $('#slash-hint').hidden = true;
  });
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      $(form).requestSubmit();
    }
  });
}
$('#composer-input').addEventListener(
  'input',
  (e) => ($('#slash-hint').hidden = !/^\/\w*$/.test(e.target.value)),
);

function connect() {
  const es = new EventSource('/sandbox/api/events');
  es.addEventListener('open', () => {
    $('#live').className = 'live on';
    refresh(); // catch up on what happened while disconnected
  });
  es.addEventListener('error', () => ($('#live').className = 'live'));
  es.addEventListener('slack', () => refresh());
  es.addEventListener('panel', (e) => {
    try {
      state.panel = JSON.parse(e.data);
    } catch {
      return;
    }
    renderPanelNow();
  });
}

async function start() {
  state.config = await api('GET', 'config');
  if (!person(state.user)) state.user = state.config.people[0].id;
  state.channel = state.config.channels[0]?.id;
  render();
  await refresh();
  connect();
  setInterval(() => {
    for (const el of document.querySelectorAll('[data-due]'))
      el.textContent = dueIn(Number(el.dataset.due) - Date.now());
  }, 1000);
}

start().catch((err) => toast(`The sandbox is not reachable: ${err.message}`));
