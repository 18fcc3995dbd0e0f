/**
 * Reads `greenlight.yml`: YAML → zod (`configSchema`) → defaults applied. Every problem is
 * reported at once, each with where it is in the file and its dotted path
 * (`greenlight.yml:14:7: services.checkout.traffic.tolarance: unknown key; did you mean tolerance? …`):
 * the schema's problems (worded in issue-messages.ts) and the checks across fields that zod alone
 * cannot express (cross-checks.ts: remindBefore < soak after defaults, one region/account per
 * service, …) both run on whatever the file holds.
 */
import { readFileSync } from 'node:fs';
import { type Document, LineCounter, parseDocument } from 'yaml';
import { toComputeTarget } from '../compute/registry.js';
import { DEFAULT_PREVIEW_HEADER, type PreviewSettings } from '../domain/preview.js';
import type { GreenlightConfig, ServiceConfig } from '../domain/service.js';
import { DEFAULT_VERSION_TAGS } from '../domain/slot-version.js';
import { resolveAws } from './aws-schema.js';
import { crossFieldProblems } from './cross-checks.js';
import { resolveEvents } from './events-schema.js';
import { EVIDENCE_DEFAULTS } from './evidence-schema.js';
import { describeIssues } from './issue-messages.js';
import { type ConfigProblem, pathText } from './problem.js';
import { configSchema, DEFAULTS, type RawConfig } from './schema.js';
import { positionOf } from './source-positions.js';

export type ConfigResult = { ok: true; config: GreenlightConfig } | { ok: false; problems: string[] };

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
            ...(h.afterRollback ? { afterRollback: h.afterRollback } : {}),
            ...(h.verificationFailed ? { verificationFailed: h.verificationFailed } : {}),
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

/** `{ aws }` when the service or the defaults give any AWS setting (the service's keys win). */
function awsOf(s: RawService, d: RawConfig['defaults']): Pick<ServiceConfig, 'aws'> {
  const aws = resolveAws(s.aws, d.aws);
  return aws ? { aws } : {};
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
      versionTags: [...(s.versionTags ?? DEFAULT_VERSION_TAGS)],
      ...resolveEvidence(s),
      ...awsOf(s, d),
    },
  ]);
  return { services: dict(services), ...(raw.events ? { events: resolveEvents(raw.events) } : {}) };
}

/**
 * `simulatedMetrics`: the config is for the sandbox's (or a test's) simulated endpoint, which
 * serves CloudWatch's sub-minute periods. Without it (production, `check-config`), a traffic
 * period must be a multiple of 60 s: real ALB metrics are standard resolution.
 */
export interface ParseOptions {
  simulatedMetrics?: boolean;
}

interface Placed {
  text: string;
  line: number;
  col: number;
}

/**
 * `<source>:<line>:<col>: <path>: <message>` (the compiler convention editors and terminals link),
 * in the order they appear in the file; the same problem found twice is said once.
 */
function placeProblems(
  problems: readonly ConfigProblem[],
  doc: Document,
  lines: LineCounter,
  source: string | undefined,
): string[] {
  const placed: Placed[] = [];
  const seen = new Set<string>();
  for (const p of problems) {
    const at = positionOf(doc, lines, p.path, p.anchor ?? 'value');
    const where = [source, at?.line, at?.col].filter((part) => part !== undefined).join(':');
    const text = `${where ? `${where}: ` : ''}${pathText(p.path)}: ${p.message}`;
    if (seen.has(text)) continue;
    seen.add(text);
    placed.push({ text, line: at?.line ?? 0, col: at?.col ?? 0 });
  }
  return placed.sort((a, b) => a.line - b.line || a.col - b.col).map((p) => p.text);
}

export function parseConfigText(yamlText: string, source?: string, opts: ParseOptions = {}): ConfigResult {
  /** `greenlight.yml: ` before a problem of the whole file; `greenlight.yml:` before a position. */
  const file = source ? `${source}: ` : '';
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // The data of a document that does not parse cannot be trusted: its syntax errors are all.
    return {
      ok: false,
      problems: doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        const message = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '');
        return `${source ? `${source}:` : ''}${line}:${col}: YAML syntax error: ${message}`;
      }),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return {
      ok: false,
      problems: [`${file}cannot read the YAML: ${(err as Error).message}`],
    };
  }
  if (data === null || data === undefined) {
    return {
      ok: false,
      problems: [`${file}the file is empty; it needs at least a services: block`],
    };
  }
  const parsed = configSchema.safeParse(data);
  const problems = [
    ...(parsed.success ? [] : describeIssues(parsed.error.issues, { root: configSchema, data })),
    ...crossFieldProblems(data, opts.simulatedMetrics === true),
  ];
  if (problems.length > 0 || !parsed.success) {
    return { ok: false, problems: placeProblems(problems, doc, lineCounter, source) };
  }
  return { ok: true, config: resolveConfig(parsed.data) };
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
