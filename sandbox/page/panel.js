// The side panel of the sandbox page → HTML strings: the simulated load balancer's forwards and
// weights, target health with toggles, traffic per target group, and the bot's scheduled jobs
// with fast-forward. Pure (no DOM); app.js wires the buttons.
import { escapeHtml } from './render.js';

const SLOT_COLORS = { blue: '#1d6fd8', green: '#1f9d55' };
const FALLBACK_COLORS = ['#8e44ad', '#d35400', '#16a085', '#7f8c8d'];

export function slotColor(slot, index = 0) {
  return SLOT_COLORS[slot] ?? FALLBACK_COLORS[index % FALLBACK_COLORS.length];
}

/** A finite number, or `fallback` (the panel never shows NaN or lets a non-number into markup). */
export const num = (value, fallback = 0) =>
  typeof value === 'number' && Number.isFinite(value) ? value : fallback;

const percentOf = (w) => Math.min(100, Math.max(0, num(w?.percent)));

function groupInfo(aws, arn) {
  return (Array.isArray(aws.targetGroups) ? aws.targetGroups : []).find((g) => g?.arn === arn);
}

/** `in 42s`, `in 3m 05s`, `now`; '' for anything that is not a finite number. */
export function dueIn(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '';
  if (ms <= 500) return 'now';
  const s = Math.round(ms / 1000);
  if (s < 60) return `in ${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `in ${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `in ${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

function forwardHtml(aws, f) {
  const where = `${escapeHtml(f.protocol)} :${escapeHtml(f.port)} · ${f.rule === 'default' ? 'default action' : `rule ${escapeHtml(f.rule)}`}`;
  const weights = Array.isArray(f.weights) ? f.weights : [];
  let body;
  if (weights.length === 0) {
    body = `<div class="fw-action">${escapeHtml(f.action)}</div>`;
  } else {
    const segments = weights
      .filter((w) => percentOf(w) > 0)
      .map((w, i) => {
        const g = groupInfo(aws, w.targetGroupArn);
        const color = slotColor(g?.slot, i);
        return `<span class="seg" style="width:${percentOf(w)}%;background:${color}" title="${escapeHtml(w.name)} ${percentOf(w)}%"></span>`;
      })
      .join('');
    const labels = weights
      .map((w, i) => {
        const g = groupInfo(aws, w.targetGroupArn);
        const on = num(w.weight) > 0 ? ' on' : '';
        return `<span class="wlabel${on}"><i style="background:${slotColor(g?.slot, i)}"></i>${escapeHtml(w.name)} <b>${percentOf(w)}%</b> <small>(weight ${num(w.weight)})</small></span>`;
      })
      .join('');
    body = `<div class="bar">${segments || '<span class="seg none">no traffic</span>'}</div><div class="wlabels">${labels}</div>`;
  }
  const preview = f.testOnly
    ? '<span class="badge preview" title="only requests with this header match: no production traffic">preview</span>'
    : '';
  return (
    `<div class="forward${f.testOnly ? ' preview' : ''}" data-forward="${escapeHtml(f.ruleArn ?? f.listenerArn)}">` +
    `<div class="fw-head"><span class="fw-where">${where}</span>${preview}<span class="fw-cond">${escapeHtml(f.conditions)}</span></div>` +
    `${body}</div>`
  );
}

function sparkline(periods, periodMs, now, count = 12) {
  const step = num(periodMs) > 0 ? periodMs : 60_000;
  const start = Math.floor(num(now) / step) * step - count * step;
  const list = Array.isArray(periods) ? periods : [];
  const values = [];
  for (let i = 0; i < count; i++) {
    const at = start + i * step;
    values.push(Math.max(0, num(list.find((p) => p?.at === at)?.requests)));
  }
  const max = Math.max(1, ...values);
  const bars = values
    .map((v, i) => {
      const h = v === 0 ? 1 : Math.max(2, Math.round((v / max) * 22));
      return `<rect x="${i * 7}" y="${24 - h}" width="5" height="${h}" rx="1"${v === 0 ? ' class="zero"' : ''}><title>${v} requests</title></rect>`;
    })
    .join('');
  return `<svg class="spark" viewBox="0 0 ${count * 7} 24" width="${count * 7}" height="24" aria-hidden="true">${bars}</svg>`;
}

/** What a target's state means, as AWS reports it (shown as the pill's tooltip). */
const STATE_TITLES = {
  healthy: 'passing its health checks',
  unhealthy: 'failing its health checks',
  initial: 'being checked: health known after the group’s threshold of checks',
  unused: 'not health-checked: no forward names this target group',
  draining: 'deregistered: connections drain for the deregistration delay',
  unavailable: 'health checks disabled',
};

function targetHtml(g, t) {
  // The toggle changes how the target answers; its state follows once AWS's checks notice.
  const failing = t.answers === 'failing';
  const next = failing ? 'healthy' : 'unhealthy';
  const toggle =
    t.state !== 'draining'
      ? `<button type="button" class="mini" data-health="${next}" data-tg="${escapeHtml(g.arn)}" data-target="${escapeHtml(t.id)}" title="${failing ? 'Make it answer again' : 'Make it refuse connections'}">${failing ? 'Heal' : 'Fail'}</button>`
      : '';
  const reason = t.reason ? ` (${t.reason})` : '';
  const title = `${STATE_TITLES[t.state] ?? t.state}${reason}`;
  return `<li class="target"><span class="pill ${escapeHtml(t.state)}" title="${escapeHtml(title)}">${escapeHtml(t.state)}</span><code>${escapeHtml(t.id)}</code>${toggle}</li>`;
}

function groupHtml(aws, g, index) {
  const color = slotColor(g.slot, index);
  const live = g.receivesTraffic ? '<span class="badge live">LIVE</span>' : '';
  const traffic = aws.traffic
    ? `<div class="traffic"><span class="rate">${num(g.requestsPerSecond)} req/s</span>${sparkline(g.periods, aws.traffic.periodMs, aws.now)}<span class="last">${lastPeriod(g, aws)}</span></div>`
    : '<div class="traffic muted">traffic model not running — weights only</div>';
  const list = Array.isArray(g.targets) ? g.targets : [];
  const targets =
    list.length > 0
      ? `<ul class="targets">${list.map((t) => targetHtml(g, t)).join('')}</ul>`
      : '<div class="muted small">no registered targets (torn down)</div>';
  return (
    `<div class="tg" data-tg-name="${escapeHtml(g.name)}" style="--slot:${color}">` +
    `<div class="tg-head"><i class="dot" style="background:${color}"></i><b>${escapeHtml(g.slot ?? g.name)}</b><span class="tg-name">${escapeHtml(g.name)}</span>${live}</div>` +
    `${traffic}${targets}</div>`
  );
}

function lastPeriod(g, aws) {
  const p = Array.isArray(g.periods) ? g.periods.at(-1) : undefined;
  const seconds = Math.round(num(aws.traffic.periodMs) / 1000);
  return `${num(p?.requests)} req / ${seconds}s`;
}

export const SKIP_TITLE =
  'Runs the next soak deadline now (the teardown reminder, then the teardown). It never expires an open approval prompt.';
export const ALL_TITLE = 'Runs every scheduled job now, an open approval prompt’s expiry included.';

function jobsHtml(jobs, now, canSkip) {
  const rows =
    jobs.length > 0
      ? jobs
          .slice(0, 8)
          .map(
            (j) =>
              `<li><span class="job-name">${escapeHtml(j?.name)}</span><span class="job-dep">${escapeHtml(j?.deploymentId ?? '')}</span><span class="job-due" data-due="${num(j?.dueAt)}">${dueIn(num(j?.dueAt, Number.NaN) - num(now))}</span></li>`,
          )
          .join('')
      : '<li class="muted">nothing scheduled</li>';
  const disabled = canSkip && jobs.length > 0 ? '' : ' disabled';
  return (
    `<ul class="jobs">${rows}</ul>` +
    `<div class="ff"><button type="button" class="btn small" data-ff="next"${disabled} title="${escapeHtml(SKIP_TITLE)}">⏩ Skip to next deadline</button>` +
    `<button type="button" class="btn small" data-ff="all"${disabled} title="${escapeHtml(ALL_TITLE)}">Run all now</button></div>`
  );
}

/** The whole panel. `data` = `{ aws, jobs }` as the server pushes it. */
export function renderPanel(data, opts = {}) {
  const aws = data?.aws;
  if (!aws) return '<div class="muted">connecting…</div>';
  const now = opts.now ?? aws.now;
  const lb = aws.loadBalancer
    ? `<div class="lb"><b>${escapeHtml(aws.loadBalancer.name)}</b> <span class="muted small">${escapeHtml(aws.loadBalancer.dnsName)}</span></div>`
    : '';
  const list = (value) => (Array.isArray(value) ? value.filter((x) => x && typeof x === 'object') : []);
  const services = new Map();
  for (const g of list(aws.targetGroups)) {
    const key = g.service ?? 'other';
    if (!services.has(key)) services.set(key, []);
    services.get(key).push(g);
  }
  const groups = [...services]
    .map(
      ([name, gs]) =>
        `<div class="svc"><div class="svc-name">${escapeHtml(name)}</div>${gs.map((g, i) => groupHtml(aws, g, i)).join('')}</div>`,
    )
    .join('');
  return (
    `<section><h3>Load balancer</h3>${lb}${list(aws.forwards)
      .map((f) => forwardHtml(aws, f))
      .join('')}</section>` +
    `<section><h3>Target groups</h3>${groups}</section>` +
    `<section><h3>Scheduled jobs</h3>${jobsHtml(list(data.jobs), now, opts.canSkip !== false)}</section>`
  );
}
