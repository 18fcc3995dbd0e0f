/**
 * The precheck verdict: blocking problems and non-blocking warnings, each a sentence a person in
 * the deployment thread can act on. Pure.
 */
import { formatDuration } from './duration.js';
import { settlingTargets } from './health-wait.js';
import type {
  ForwardSite,
  LiveSlot,
  PrecheckReport,
  PreviewRoute,
  SlotHealth,
  SlotStickiness,
} from './reports.js';

/** AWS's default `deregistration_delay.timeout_seconds`. */
const DEFAULT_DEREGISTRATION_DELAY_SECONDS = 300;

function seconds(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** The group's `deregistration_delay.timeout_seconds`; AWS's default when unset or not a valid delay. */
export function deregistrationDelaySeconds(attributes: Record<string, string>): number {
  const n = seconds(attributes['deregistration_delay.timeout_seconds']);
  return n !== undefined && n >= 0 ? n : DEFAULT_DEREGISTRATION_DELAY_SECONDS;
}

/** A slot's target-group stickiness and deregistration delay, from DescribeTargetGroupAttributes. */
export function stickinessOf(slot: string, attributes: Record<string, string>): SlotStickiness {
  const out: SlotStickiness = {
    slot,
    enabled: attributes['stickiness.enabled'] === 'true',
    deregistrationDelaySeconds: deregistrationDelaySeconds(attributes),
  };
  const type = attributes['stickiness.type'];
  if (type) out.type = type;
  const duration =
    type === 'app_cookie'
      ? seconds(attributes['stickiness.app_cookie.duration_seconds'])
      : seconds(attributes['stickiness.lb_cookie.duration_seconds']);
  if (duration !== undefined) out.durationSeconds = duration;
  return out;
}

export function describeSite(site: Pick<ForwardSite, 'listenerArn' | 'port' | 'priority'>): string {
  const where = site.port !== undefined ? `:${site.port}` : site.listenerArn;
  return site.priority === 'default' ? `${where} default action` : `${where} rule ${site.priority}`;
}

export interface PrecheckInput {
  targetSlot: string;
  liveSlot: LiveSlot;
  health: SlotHealth;
  sites: ForwardSite[];
  stickiness: SlotStickiness[];
  minHealthyTargets: number;
  soakMs: number;
  previews?: PreviewRoute[];
  /**
   * True while the precheck may still wait for targets that are being judged (`initial`, or
   * `unused` right after attaching): they are not problems yet (see health-wait.ts).
   */
  mayWait?: boolean;
  /** Problems and warnings found by the caller (stray preview rules, unauthenticated previews). */
  extraProblems?: string[];
  extraWarnings?: string[];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function problemsOf(input: PrecheckInput): string[] {
  const { targetSlot, health, sites } = input;
  const problems: string[] = [];
  if (input.liveSlot === targetSlot)
    problems.push(`${targetSlot} is already live: there is nothing to switch.`);
  if (sites.length === 0) {
    problems.push(
      "No forward of the configured listeners references the service's slots: check the listeners and slots in the config.",
    );
  } else if (input.liveSlot === null) {
    problems.push('No slot receives traffic now: every forward gives the slots weight 0.');
  }
  const settling = settlingTargets(health);
  for (const t of health.targets) {
    if (t.state === 'healthy') continue;
    if (input.mayWait && (t.state === 'initial' || t.state === 'unused')) continue;
    const id = t.port !== undefined ? `${t.id}:${t.port}` : t.id;
    problems.push(`${targetSlot} target ${id} is ${t.state}${t.reason ? ` (${t.reason})` : ''}.`);
  }
  // Waiting helps only if enough targets are registered to reach the minimum once they pass.
  const canReach = health.total >= input.minHealthyTargets;
  if (health.healthy < input.minHealthyTargets && !(input.mayWait && settling > 0 && canReach)) {
    problems.push(
      `${targetSlot} has ${plural(health.healthy, 'healthy target')}; at least ${input.minHealthyTargets} required.`,
    );
  }
  return problems;
}

/**
 * Stickiness that outlasts the soak: a client can hold the cookie of the old slot (target-group
 * stickiness) or of its group (forward-level AWSALBTG) past teardown, wherever a forward still
 * includes that slot — and loses its session when the slot goes.
 */
function outlastingStickiness(input: PrecheckInput): string[] {
  const soak = formatDuration(input.soakMs);
  const out: string[] = [];
  for (const s of input.stickiness) {
    if (!s.enabled || s.slot === input.targetSlot || s.durationSeconds === undefined) continue;
    if (s.durationSeconds * 1000 <= input.soakMs) continue;
    out.push(
      `${s.slot}'s stickiness (${s.type ?? 'lb_cookie'}, ${formatDuration(s.durationSeconds * 1000)}) lasts longer than the soak (${soak}): clients can stay pinned to ${s.slot} past its teardown.`,
    );
  }
  const long = input.sites.filter((site) => {
    const d = site.groupStickiness?.enabled ? site.groupStickiness.durationSeconds : undefined;
    return d !== undefined && d * 1000 > input.soakMs;
  });
  if (long.length > 0) {
    const longest = Math.max(...long.map((site) => site.groupStickiness?.durationSeconds ?? 0));
    const where = long.slice(0, 3).map(describeSite).join(', ');
    const more = long.length > 3 ? ` and ${long.length - 3} more` : '';
    out.push(
      `Group stickiness on ${plural(long.length, 'forward')} (${where}${more}) lasts up to ${formatDuration(longest * 1000)}, longer than the soak (${soak}): clients can stay pinned past teardown.`,
    );
  }
  return out;
}

function warningsOf(input: PrecheckInput): string[] {
  const { targetSlot } = input;
  const warnings: string[] = [];
  if (input.liveSlot === 'mixed') {
    warnings.push(`Traffic is split between slots now; the cutover will send all of it to ${targetSlot}.`);
  }
  for (const s of input.stickiness) {
    if (!s.enabled || s.slot === targetSlot) continue;
    const how = [
      s.type,
      s.durationSeconds !== undefined ? formatDuration(s.durationSeconds * 1000) : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    warnings.push(
      `Target group stickiness is on for ${s.slot}${how ? ` (${how})` : ''}: the cutover removes ${s.slot} from every forward, so its cookie cannot pin clients to it.`,
    );
  }
  const slotNames = new Set([targetSlot, ...input.stickiness.map((s) => s.slot)]);
  for (const site of input.sites) {
    if (!site.groupStickiness?.enabled) continue;
    const d = site.groupStickiness.durationSeconds;
    const spanned = [...new Set(site.groups.map((g) => g.name).filter((n) => slotNames.has(n)))];
    const across =
      spanned.length >= 2
        ? `, which forwards to ${spanned.join(' and ')} (a client holding the cookie stays on its slot whatever the weights)`
        : '';
    warnings.push(
      `Group stickiness (cookie AWSALBTG${d !== undefined ? `, ${formatDuration(d * 1000)}` : ''}) is on for the ${describeSite(site)}${across}: the cutover removes the old slot from that forward, so the cookie cannot pin clients to it.`,
    );
  }
  warnings.push(...outlastingStickiness(input));
  for (const s of input.stickiness) {
    if (s.slot === targetSlot || s.deregistrationDelaySeconds * 1000 <= input.soakMs) continue;
    warnings.push(
      `${s.slot}'s deregistration delay (${formatDuration(s.deregistrationDelaySeconds * 1000)}) is longer than the soak (${formatDuration(input.soakMs)}): teardown will wait that long for connections to drain.`,
    );
  }
  return warnings;
}

export function evaluatePrecheck(input: PrecheckInput): PrecheckReport {
  const problems = [...problemsOf(input), ...(input.extraProblems ?? [])];
  return {
    liveSlot: input.liveSlot,
    targetSlot: input.targetSlot,
    health: input.health,
    forwards: input.sites,
    stickiness: input.stickiness,
    ...(input.previews ? { previews: input.previews } : {}),
    settling: problems.length === 0 && input.mayWait ? settlingTargets(input.health) : 0,
    problems,
    warnings: [...warningsOf(input), ...(input.extraWarnings ?? [])],
  };
}
