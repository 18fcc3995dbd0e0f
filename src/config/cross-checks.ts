/**
 * Checks across fields and services that zod alone cannot express, run on the raw data (as read
 * from YAML) so that they are reported alongside the schema's problems, whatever else is wrong:
 * each check uses only the values it needs, and only when those are valid.
 */
import { RESERVED_WORDS } from '../domain/commands/table.js';
import { formatDuration } from '../domain/duration.js';
import { type ArnPlace, arnPlace, awsProblems } from './aws-checks.js';
import { computeProblems } from './compute-checks.js';
import { duration } from './durations.js';
import { EVIDENCE_DEFAULTS, isAlbPeriod, isCloudWatchPeriod } from './evidence-schema.js';
import { type ConfigProblem, isObject, problem } from './problem.js';
import { DEFAULTS, LISTENER_ARN, TARGET_GROUP_ARN } from './schema.js';

type Raw = Record<string, unknown>;

/** A duration field as milliseconds; undefined when absent or invalid (the schema reports the latter). */
function ms(v: unknown): number | undefined {
  const r = duration.safeParse(v);
  return r.success ? r.data : undefined;
}

/**
 * - a verify window too short to ever settle a period after the switch (a drained slot publishes
 *   nothing, so a period settles by age: about 3 periods after the switch, plus a poll);
 * - a sub-minute period outside the simulated endpoint (real ALB metrics are per 60 s).
 */
function trafficProblems(name: string, svc: Raw, defaults: Raw, simulatedMetrics: boolean): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const traffic = isObject(svc.traffic) ? svc.traffic : {};
  const period = ms(traffic.period) ?? EVIDENCE_DEFAULTS.periodMs;
  const poll = ms(traffic.pollInterval) ?? EVIDENCE_DEFAULTS.pollIntervalMs;
  const window = ms(svc.verifyWindow) ?? ms(defaults.verifyWindow) ?? DEFAULTS.verifyWindowMs;
  const needed = 4 * period + poll;
  // An invalid period is reported by the schema; judging the window by it would only add noise.
  if (!isCloudWatchPeriod(period)) return out;
  if (window < needed) {
    const where = svc.verifyWindow !== undefined ? ['verifyWindow'] : ['traffic', 'period'];
    out.push(
      problem(
        ['services', name, ...where],
        `the verify window (${formatDuration(window)}) must be at least 4 traffic periods plus a poll interval (${formatDuration(needed)}): a drained slot publishes no datapoint, so a period only counts once it is 2 periods old`,
      ),
    );
  }
  if (!simulatedMetrics && !isAlbPeriod(period)) {
    out.push(
      problem(
        ['services', name, 'traffic', 'period'],
        `${period / 1000}s is served only by the sandbox's simulated endpoint; real ALB metrics are standard resolution, so the period must be a multiple of 60s`,
      ),
    );
  }
  return out;
}

function timingProblems(name: string, svc: Raw, defaults: Raw): ConfigProblem[] {
  const has = (o: Raw, k: string) => Object.hasOwn(o, k) && o[k] !== undefined;
  const pick = (k: 'soak' | 'remindBefore', fallback: number) =>
    has(svc, k) ? ms(svc[k]) : has(defaults, k) ? ms(defaults[k]) : fallback;
  const soak = pick('soak', DEFAULTS.soakMs);
  const remind = pick('remindBefore', DEFAULTS.remindBeforeMs);
  if (soak === undefined || remind === undefined || remind < soak) return [];
  const message = `remindBefore (${formatDuration(remind)}) must be shorter than soak (${formatDuration(soak)})`;
  if (has(svc, 'remindBefore')) return [problem(['services', name, 'remindBefore'], message)];
  if (has(svc, 'soak')) return [problem(['services', name, 'soak'], message)];
  return [problem(['defaults', 'remindBefore'], message)];
}

const samePlace = (a: ArnPlace, b: ArnPlace) =>
  a.partition === b.partition && a.region === b.region && a.account === b.account;

const placeText = (p: ArnPlace) => `region ${p.region}, account ${p.account}`;

/** All listeners and target groups of a service in one region and account. */
function placeProblems(name: string, svc: Raw): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const listeners = Array.isArray(svc.listeners) ? svc.listeners : [];
  let first: { index: number; place: ArnPlace } | undefined;
  listeners.forEach((arn, index) => {
    const p = arnPlace(arn, LISTENER_ARN);
    if (p === undefined) return;
    if (!first) first = { index, place: p };
    else if (!samePlace(p, first.place)) {
      problems.push(
        problem(
          ['services', name, 'listeners', index],
          `in ${placeText(p)} but listeners.${first.index} is in ${placeText(first.place)}; all listeners of a service must be in one region and account`,
        ),
      );
    }
  });
  if (!first || problems.length > 0 || !isObject(svc.slots)) return problems;
  for (const [slot, arn] of Object.entries(svc.slots)) {
    const p = arnPlace(arn, TARGET_GROUP_ARN);
    if (p !== undefined && !samePlace(p, first.place)) {
      problems.push(
        problem(
          ['services', name, 'slots', slot],
          `target group is in ${placeText(p)} but the listeners are in ${placeText(first.place)}`,
        ),
      );
    }
  }
  return problems;
}

/**
 * Preview rules that would collide: two services whose configured priorities overlap on one
 * listener (CreateRule refuses a priority in use), or whose host templates give one host.
 */
function previewProblems(services: Raw): ConfigProblem[] {
  const out: ConfigProblem[] = [];
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
            problem(
              ['services', name, 'preview', 'priority'],
              `priority ${p.priority + i} on that listener is also a preview priority of ${other}; each slot takes preview.priority + its index`,
            ),
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
        if (other) {
          out.push(
            problem(['services', name, 'preview', 'host'], `${host} is also the preview host of ${other}`),
          );
        }
        hosts.set(host, `${name}/${slot}`);
      }
    }
  }
  return out;
}

/**
 * `simulatedMetrics`: the config is for the sandbox's (or a test's) simulated endpoint, which
 * serves CloudWatch's sub-minute periods.
 */
export function crossFieldProblems(data: unknown, simulatedMetrics: boolean): ConfigProblem[] {
  if (!isObject(data) || !isObject(data.services)) return [];
  const defaults = isObject(data.defaults) ? data.defaults : {};
  const problems: ConfigProblem[] = [...previewProblems(data.services), ...computeProblems(data.services)];
  for (const [name, svc] of Object.entries(data.services)) {
    if ((RESERVED_WORDS as readonly string[]).includes(name)) {
      problems.push(
        problem(
          ['services', name],
          `"${name}" is a command word (${RESERVED_WORDS.join(', ')}) and cannot be a service name`,
          'key',
        ),
      );
    }
    if (!isObject(svc)) continue;
    problems.push(
      ...timingProblems(name, svc, defaults),
      ...trafficProblems(name, svc, defaults, simulatedMetrics),
      ...placeProblems(name, svc),
      ...awsProblems(name, svc, defaults),
    );
  }
  return problems;
}
