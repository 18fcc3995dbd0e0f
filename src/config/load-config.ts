/**
 * Reads `greenlight.yml`: YAML → zod (`configSchema`) → defaults applied. Every problem is
 * reported at once as `<dotted.path>: <message>`, including cross-field checks that zod alone
 * cannot express (remindBefore < soak after defaults, one region/account per service).
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { signedComputeLabels, toComputeTarget } from '../compute/registry.js';
import { RESERVED_WORDS } from '../domain/commands/table.js';
import { DURATION_HELP, formatDuration } from '../domain/duration.js';
import { DEFAULT_PREVIEW_HEADER, type PreviewSettings } from '../domain/preview.js';
import type { GreenlightConfig, ServiceConfig } from '../domain/service.js';
import { duration } from './durations.js';
import { EVIDENCE_DEFAULTS, isAlbPeriod, isCloudWatchPeriod } from './evidence-schema.js';
import {
  configSchema,
  DEFAULTS,
  LISTENER_ARN,
  type RawConfig,
  serviceSchema,
  TARGET_GROUP_ARN,
} from './schema.js';

export type ConfigResult = { ok: true; config: GreenlightConfig } | { ok: false; problems: string[] };

const ROOT_KEYS = Object.keys(configSchema.shape);
const SERVICE_KEYS = Object.keys(serviceSchema.shape);
const TIMING_KEYS = Object.keys(configSchema.shape.defaults.unwrap().shape);
const PEOPLE_KEYS = ['users', 'usergroups'];
const NOUNS: Record<string, string> = {
  object: 'a mapping of keys to values',
  record: 'a mapping of keys to values',
  array: 'a list',
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  null: 'nothing (null)',
};
const DURATION_KEYS = new Set([
  'soak',
  'remindBefore',
  'approvalTimeout',
  'verifyWindow',
  'period',
  'pollInterval',
  'maxP99Latency',
  'watchInterval',
  'timeout',
  'computeTimeout',
  'healthWait',
]);

/** Lookups by name never hit Object.prototype members (`constructor`, `toString`, …). */
function dict<T>(entries: [string, T][]): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [k, v] of entries) out[k] = v;
  return out;
}

type RawService = RawConfig['services'][string];

/** Traffic evidence, gates, hooks, compute and cost settings with their defaults applied. */
function resolveEvidence(s: RawService) {
  const g = s.gates;
  const h = s.hooks;
  return {
    traffic: {
      toleranceRequests: s.traffic?.tolerance ?? 0,
      periodMs: s.traffic?.period ?? EVIDENCE_DEFAULTS.periodMs,
      pollIntervalMs: s.traffic?.pollInterval ?? EVIDENCE_DEFAULTS.pollIntervalMs,
      allowIdle: s.traffic?.allowIdle ?? false,
    },
    gates: {
      ...(g?.maxErrorRate !== undefined ? { maxErrorRate: g.maxErrorRate } : {}),
      ...(g?.maxP99Latency !== undefined ? { maxP99LatencyMs: g.maxP99Latency } : {}),
      ...(g?.maxUnhealthyHosts !== undefined ? { maxUnhealthyHosts: g.maxUnhealthyHosts } : {}),
      minRequests: g?.minRequests ?? EVIDENCE_DEFAULTS.minRequests,
      loadBalancerErrors: g?.loadBalancerErrors ?? true,
      alarms: [...(g?.alarms ?? [])],
      autoRollback: g?.autoRollback ?? false,
      watchIntervalMs: g?.watchInterval ?? EVIDENCE_DEFAULTS.watchIntervalMs,
    },
    ...(h
      ? {
          hooks: {
            secretEnv: h.secretEnv,
            timeoutMs: h.timeout ?? EVIDENCE_DEFAULTS.hookTimeoutMs,
            retries: h.retries,
            ...(h.beforeCutover ? { beforeCutover: h.beforeCutover } : {}),
            ...(h.afterCutover ? { afterCutover: h.afterCutover } : {}),
            ...(h.beforeTeardown ? { beforeTeardown: h.beforeTeardown } : {}),
          },
        }
      : {}),
    compute: dict(Object.entries(s.compute ?? {}).map(([slot, c]) => [slot, toComputeTarget(c)])),
    computeTimeoutMs: s.computeTimeout ?? EVIDENCE_DEFAULTS.computeTimeoutMs,
    hourlyCost: dict(Object.entries(s.hourlyCost ?? {})),
  };
}

function resolvePreview(s: RawService): PreviewSettings {
  const p = s.preview;
  const out: PreviewSettings = { listenerArn: p?.listener ?? (s.listeners[0] as string) };
  if (p?.host !== undefined) out.host = p.host;
  else out.header = p?.header ?? DEFAULT_PREVIEW_HEADER;
  if (p?.priority !== undefined) out.priority = p.priority;
  if (p?.url !== undefined) out.url = p.url;
  return out;
}

export function resolveConfig(raw: RawConfig): GreenlightConfig {
  const d = raw.defaults;
  const services = Object.entries(raw.services).map(([name, s]): [string, ServiceConfig] => [
    name,
    {
      name,
      channel: s.channel,
      listeners: [...s.listeners],
      slots: dict(Object.entries(s.slots)),
      approvers: { users: [...s.approvers.users], usergroups: [...s.approvers.usergroups] },
      ...(s.deployers
        ? { deployers: { users: [...s.deployers.users], usergroups: [...s.deployers.usergroups] } }
        : {}),
      allowSelfApproval: s.allowSelfApproval,
      preview: resolvePreview(s),
      ...(s.healthWait !== undefined ? { healthWaitMs: s.healthWait } : {}),
      soakMs: s.soak ?? d.soak ?? DEFAULTS.soakMs,
      remindBeforeMs: s.remindBefore ?? d.remindBefore ?? DEFAULTS.remindBeforeMs,
      approvalTimeoutMs: s.approvalTimeout ?? d.approvalTimeout ?? DEFAULTS.approvalTimeoutMs,
      verifyWindowMs: s.verifyWindow ?? d.verifyWindow ?? DEFAULTS.verifyWindowMs,
      minHealthyTargets: s.minHealthyTargets ?? d.minHealthyTargets ?? DEFAULTS.minHealthyTargets,
      ...resolveEvidence(s),
    },
  ]);
  return { services: dict(services) };
}

function pathText(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(top level)' : path.map(String).join('.');
}

function allowedKeys(path: readonly PropertyKey[]): string[] | undefined {
  if (path.length === 0) return ROOT_KEYS;
  if (path.length === 1 && path[0] === 'defaults') return TIMING_KEYS;
  if (path.length === 2 && path[0] === 'services') return SERVICE_KEYS;
  if (path.length === 3 && path[0] === 'services') return PEOPLE_KEYS;
  return undefined;
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const at = pathText(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(issue.path);
      const hint = allowed ? `; expected one of ${allowed.join(', ')}` : '';
      return issue.keys.map((k) => `${pathText([...issue.path, k])}: unknown key${hint}`);
    }
    case 'invalid_key':
      return [`${at}: invalid name: ${issue.issues.map((i) => i.message).join('; ')}`];
    case 'invalid_type': {
      const expected = NOUNS[issue.expected] ?? issue.expected;
      const received = /received (\w+)$/.exec(issue.message)?.[1] ?? 'something else';
      if (received === 'undefined') return [`${at}: missing; expected ${expected}`];
      const last = issue.path[issue.path.length - 1];
      if (typeof last === 'string' && DURATION_KEYS.has(last)) return [`${at}: expected ${DURATION_HELP}`];
      return [`${at}: expected ${expected}, got ${NOUNS[received] ?? received}`];
    }
    default:
      return [`${at}: ${issue.message}`];
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A duration field as milliseconds; undefined when absent or invalid (zod reports the latter). */
function ms(v: unknown): number | undefined {
  const r = duration.safeParse(v);
  return r.success ? r.data : undefined;
}

/** `partition:region:account` of a well-formed ARN, else undefined. */
function place(arn: unknown, shape: RegExp): string | undefined {
  if (typeof arn !== 'string' || !shape.test(arn)) return undefined;
  const [, partition, , region, account] = arn.split(':');
  return `${partition}:${region}:${account}`;
}

function placeText(p: string): string {
  const [, region, account] = p.split(':');
  return `region ${region}, account ${account}`;
}

/**
 * Evidence settings that cannot work together:
 * - a verify window too short to ever settle a period after the switch (a drained slot publishes
 *   nothing, so a period settles by age: about 3 periods after the switch, plus a poll);
 * - a signed scale-down backend (a webhook) with no hook secret (it would go unsigned).
 */
function evidenceProblems(
  name: string,
  svc: Record<string, unknown>,
  defaults: Record<string, unknown>,
): string[] {
  const out: string[] = [];
  const traffic = isObject(svc.traffic) ? svc.traffic : {};
  const period = ms(traffic.period) ?? EVIDENCE_DEFAULTS.periodMs;
  const poll = ms(traffic.pollInterval) ?? EVIDENCE_DEFAULTS.pollIntervalMs;
  const window = ms(svc.verifyWindow) ?? ms(defaults.verifyWindow) ?? DEFAULTS.verifyWindowMs;
  const needed = 4 * period + poll;
  // An invalid period is reported by the schema; judging the window by it would only add noise.
  if (isCloudWatchPeriod(period) && window < needed) {
    const where =
      svc.verifyWindow !== undefined ? `services.${name}.verifyWindow` : `services.${name}.traffic.period`;
    out.push(
      `${where}: the verify window (${formatDuration(window)}) must be at least 4 traffic periods plus a poll interval (${formatDuration(needed)}): a drained slot publishes no datapoint, so a period only counts once it is 2 periods old`,
    );
  }
  const compute = isObject(svc.compute) ? svc.compute : {};
  const hooks = isObject(svc.hooks) ? svc.hooks : undefined;
  for (const [slot, target] of Object.entries(compute)) {
    if (!isObject(target) || hooks?.secretEnv) continue;
    for (const label of signedComputeLabels(target)) {
      out.push(
        `services.${name}.compute.${slot}: a scale-down ${label} needs hooks.secretEnv (it is signed like every hook)`,
      );
    }
  }
  return out;
}

function timingProblems(
  name: string,
  svc: Record<string, unknown>,
  defaults: Record<string, unknown>,
): string | null {
  const has = (o: Record<string, unknown>, k: string) => Object.hasOwn(o, k) && o[k] !== undefined;
  const pick = (k: 'soak' | 'remindBefore', fallback: number) =>
    has(svc, k) ? ms(svc[k]) : has(defaults, k) ? ms(defaults[k]) : fallback;
  const soak = pick('soak', DEFAULTS.soakMs);
  const remind = pick('remindBefore', DEFAULTS.remindBeforeMs);
  if (soak === undefined || remind === undefined || remind < soak) return null;
  const message = `remindBefore (${formatDuration(remind)}) must be shorter than soak (${formatDuration(soak)})`;
  if (has(svc, 'remindBefore')) return `services.${name}.remindBefore: ${message}`;
  if (has(svc, 'soak')) return `services.${name}.soak: ${message}`;
  return `defaults.remindBefore: ${message}`;
}

function placeProblems(name: string, svc: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const listeners = Array.isArray(svc.listeners) ? svc.listeners : [];
  let first: { index: number; place: string } | undefined;
  listeners.forEach((arn, index) => {
    const p = place(arn, LISTENER_ARN);
    if (p === undefined) return;
    if (!first) first = { index, place: p };
    else if (p !== first.place) {
      problems.push(
        `services.${name}.listeners.${index}: in ${placeText(p)} but listeners.${first.index} is in ` +
          `${placeText(first.place)}; all listeners of a service must be in one region and account`,
      );
    }
  });
  if (!first || problems.length > 0 || !isObject(svc.slots)) return problems;
  for (const [slot, arn] of Object.entries(svc.slots)) {
    const p = place(arn, TARGET_GROUP_ARN);
    if (p !== undefined && p !== first.place) {
      problems.push(
        `services.${name}.slots.${slot}: target group is in ${placeText(p)} but the listeners are in ` +
          `${placeText(first.place)}`,
      );
    }
  }
  return problems;
}

/**
 * Preview rules that would collide: two services whose configured priorities overlap on one
 * listener (CreateRule refuses a priority in use), or whose host templates give one host.
 */
function previewProblems(services: Record<string, unknown>): string[] {
  const out: string[] = [];
  const taken = new Map<string, string>();
  const hosts = new Map<string, string>();
  for (const [name, svc] of Object.entries(services)) {
    if (!isObject(svc) || !isObject(svc.preview)) continue;
    const p = svc.preview;
    const listener =
      typeof p.listener === 'string'
        ? p.listener
        : Array.isArray(svc.listeners)
          ? svc.listeners[0]
          : undefined;
    const slots = isObject(svc.slots) ? Object.keys(svc.slots) : [];
    if (typeof p.priority === 'number' && typeof listener === 'string') {
      for (let i = 0; i < slots.length; i += 1) {
        const key = `${listener}#${p.priority + i}`;
        const other = taken.get(key);
        if (other && other !== name) {
          out.push(
            `services.${name}.preview.priority: priority ${p.priority + i} on that listener is also a preview priority of ${other}; each slot takes preview.priority + its index`,
          );
          break;
        }
        taken.set(key, name);
      }
    }
    // A host without {slot} is reported by the schema: every slot would get the same host.
    if (typeof p.host === 'string' && p.host.includes('{slot}')) {
      for (const slot of slots) {
        const host = p.host.replaceAll('{service}', name).replaceAll('{slot}', slot).toLowerCase();
        const other = hosts.get(host);
        if (other) out.push(`services.${name}.preview.host: ${host} is also the preview host of ${other}`);
        hosts.set(host, `${name}/${slot}`);
      }
    }
  }
  return out;
}

/** Checks across fields, run on the raw data so they are reported alongside zod's problems. */
function crossFieldProblems(data: unknown): string[] {
  if (!isObject(data) || !isObject(data.services)) return [];
  const defaults = isObject(data.defaults) ? data.defaults : {};
  const problems = new Set<string>(previewProblems(data.services));
  for (const [name, svc] of Object.entries(data.services)) {
    if ((RESERVED_WORDS as readonly string[]).includes(name)) {
      problems.add(
        `services.${name}: "${name}" is a command word (${RESERVED_WORDS.join(', ')}) and cannot be a service name`,
      );
    }
    if (!isObject(svc)) continue;
    const timing = timingProblems(name, svc, defaults);
    if (timing) problems.add(timing);
    for (const p of evidenceProblems(name, svc, defaults)) problems.add(p);
    for (const p of placeProblems(name, svc)) problems.add(p);
  }
  return [...problems];
}

/**
 * `simulatedMetrics`: the config is for the sandbox's (or a test's) simulated endpoint, which
 * serves CloudWatch's sub-minute periods. Without it (production, `check-config`), a traffic
 * period must be a multiple of 60 s: real ALB metrics are standard resolution.
 */
export interface ParseOptions {
  simulatedMetrics?: boolean;
}

export function parseConfigText(yamlText: string, source?: string, opts: ParseOptions = {}): ConfigResult {
  const where = source ? `${source}: ` : '';
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const [syntax] = doc.errors;
  if (syntax) {
    const { line, col } = lineCounter.linePos(syntax.pos[0]);
    const message = syntax.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '');
    return { ok: false, problems: [`${where}line ${line}, column ${col}: YAML syntax error: ${message}`] };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, problems: [`${where}cannot read the YAML: ${(err as Error).message}`] };
  }
  if (data === null || data === undefined) {
    return { ok: false, problems: [`${where}the file is empty; it needs at least a services: block`] };
  }
  const parsed = configSchema.safeParse(data);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.flatMap(describeIssue)),
    ...crossFieldProblems(data),
  ];
  if (problems.length > 0 || !parsed.success) return { ok: false, problems };
  const config = resolveConfig(parsed.data);
  const simulatedOnly = opts.simulatedMetrics ? [] : subMinutePeriods(config);
  if (simulatedOnly.length > 0) return { ok: false, problems: simulatedOnly.map((p) => `${where}${p}`) };
  return { ok: true, config };
}

/** Traffic periods only the simulated endpoint serves (ALB metrics are per 60 s). */
function subMinutePeriods(config: GreenlightConfig): string[] {
  return Object.values(config.services)
    .filter((svc) => !isAlbPeriod(svc.traffic.periodMs))
    .map(
      (svc) =>
        `services.${svc.name}.traffic.period: ${svc.traffic.periodMs / 1000}s is served only by the sandbox's simulated endpoint; real ALB metrics are standard resolution, so the period must be a multiple of 60s`,
    );
}

export function loadConfigFile(path: string, opts: ParseOptions = {}): ConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (err as Error).message;
    return { ok: false, problems: [`${path}: cannot read the configuration file (${reason})`] };
  }
  return parseConfigText(text, path, opts);
}

export function formatProblems(problems: string[]): string {
  const head =
    problems.length === 1
      ? 'The configuration has 1 problem:'
      : `The configuration has ${problems.length} problems:`;
  return [head, ...problems.map((p) => `  - ${p}`)].join('\n');
}
