/**
 * zod's issues → problems worded for the section they are in: an unknown key says which keys its
 * section accepts and, when it is close to one, "did you mean …?"; a bad `compute.<slot>` entry
 * says what is wrong with the kind it names, or which kinds exist and what each needs (instead of
 * zod's "Invalid input" for a union); a wrong type says what was found.
 */
import type { z } from 'zod';
import { DURATION_HELP } from '../domain/duration.js';
import { computeShapesText } from './compute-shapes.js';
import { closestName } from './did-you-mean.js';
import { computeTargetSchema } from './evidence-schema.js';
import { type ConfigPath, type ConfigProblem, isObject, problem } from './problem.js';
import { isDuration, keyedBranches, objectKeys, schemaAt, unwrap } from './schema-walk.js';

type Issue = z.core.$ZodIssue;

const NOUNS: Record<string, string> = {
  object: 'a mapping of keys to values',
  record: 'a mapping of keys to values',
  array: 'a list',
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  null: 'nothing (null)',
};

function valueAt(data: unknown, path: ConfigPath): unknown {
  let v = data;
  for (const segment of path) {
    if (Array.isArray(v) && typeof segment === 'number') v = v[segment];
    else if (isObject(v) && Object.hasOwn(v, String(segment))) v = v[String(segment)];
    else return undefined;
  }
  return v;
}

/** What a value read from YAML is, for people: `a list`, `text`. */
function kindOf(v: unknown): string {
  if (v === null) return NOUNS.null as string;
  if (Array.isArray(v)) return NOUNS.array as string;
  if (typeof v === 'object') return NOUNS.object as string;
  if (typeof v === 'number' && Number.isInteger(v)) return 'a whole number';
  return NOUNS[typeof v] ?? typeof v;
}

/** `traffic`, `service checkout`, `the top level`: the section a key is in. */
function sectionName(path: ConfigPath): string {
  if (path.length === 0) return 'the top level';
  if (path.length === 2 && path[0] === 'services') return `service ${String(path[1])}`;
  return String(path[path.length - 1]);
}

/** The sentence after "did you mean …?" starts with a capital. */
function capitalised(text: string, yes: boolean): string {
  return yes ? `${text.charAt(0).toUpperCase()}${text.slice(1)}` : text;
}

function toPath(path: readonly PropertyKey[]): ConfigPath {
  return path.map((p) => (typeof p === 'number' ? p : String(p)));
}

/** `; did you mean period?` when a key is close to an accepted one. */
function meaning(key: string, accepted: readonly string[]): { near?: string; text: string } {
  const near = closestName(key, accepted);
  return near ? { near, text: `; did you mean ${near}?` } : { text: '' };
}

export interface IssueContext {
  /** The schema the issues came from (paths are from its root). */
  root: z.ZodType;
  /** The data it judged, as read from YAML. */
  data: unknown;
}

function unknownKeys(path: ConfigPath, keys: readonly string[], ctx: IssueContext): ConfigProblem[] {
  const schema = schemaAt(ctx.root, path);
  // zod gives the one branch of a union that only failed on an extra key: `{ ecs: …, region: … }`.
  const branches = keyedBranches(schema);
  if (branches) return keyedUnion(undefined, path, branches, ctx);
  const accepted = objectKeys(schema) ?? [];
  const listed = accepted.length > 0 ? ` (${sectionName(path)} accepts ${accepted.join(', ')})` : '';
  return keys.map((k) => {
    const { near, text } = meaning(k, accepted);
    const p = problem([...path, k], `unknown key${text}${listed}`, 'key');
    return near ? { ...p, meant: near } : p;
  });
}

function wrongType(path: ConfigPath, expected: string, ctx: IssueContext): ConfigProblem {
  const schema = schemaAt(ctx.root, path);
  const value = valueAt(ctx.data, path);
  const keys = objectKeys(schema);
  let wanted = isDuration(schema) ? DURATION_HELP : (NOUNS[expected] ?? expected);
  if (keys && keys.length <= 6) wanted += ` (${keys.join(', ')})`;
  if (value === undefined) return { ...problem(path, `missing; expected ${wanted}`), missing: true };
  if (value === null) return problem(path, `empty; expected ${wanted}`);
  return problem(path, `expected ${wanted}, got ${kindOf(value)}`);
}

/** zod's own wording of a size limit (`Too big: expected number to be <=50000`), said plainly. */
function sizeLimit(issue: Extract<Issue, { code: 'too_big' | 'too_small' }>): string {
  const big = issue.code === 'too_big';
  if (!issue.message.startsWith(big ? 'Too big' : 'Too small')) return issue.message;
  const limit = Number(big ? issue.maximum : issue.minimum);
  const bound = big
    ? issue.inclusive
      ? 'at most'
      : 'less than'
    : issue.inclusive
      ? 'at least'
      : 'more than';
  const unit: Record<string, [string, string]> = {
    string: ['character', 'characters'],
    array: ['item', 'items'],
    set: ['item', 'items'],
  };
  const words = unit[issue.origin];
  if (!words) return `must be ${bound} ${limit}`;
  return `must have ${bound} ${limit} ${limit === 1 ? words[0] : words[1]}`;
}

/**
 * A union of one-key objects (the compute entry, `{ ecs: … }` or `{ webhook: … }`): judged by the
 * key it was given — the issues of that branch alone — or, without a known key, by saying which
 * keys exist and what each takes.
 */
function keyedUnion(
  /** What each branch found, when zod tried them all. */
  branchIssues: readonly (readonly Issue[])[] | undefined,
  path: ConfigPath,
  branches: Map<string, number>,
  ctx: IssueContext,
): ConfigProblem[] {
  const schema = schemaAt(ctx.root, path);
  const isCompute = schema !== undefined && unwrap(schema) === unwrap(computeTargetSchema);
  const kinds = [...branches.keys()];
  const noun = isCompute ? 'kind of compute' : 'key';
  const oneOf = isCompute
    ? `a compute entry is one of ${computeShapesText()}`
    : `the entry has one of the keys ${kinds.join(', ')}`;
  const value = valueAt(ctx.data, path);
  if (!isObject(value)) return [problem(path, `expected a mapping, got ${kindOf(value)}; ${oneOf}`)];
  const given = Object.keys(value);
  const known = given.filter((k) => branches.has(k));
  const unknown = given.filter((k) => !branches.has(k));
  if (given.length === 0) return [problem(path, `names no ${noun}; ${oneOf}`)];
  if (known.length > 1) return [problem(path, `names ${known.join(' and ')}: one ${noun} only; ${oneOf}`)];
  const out: ConfigProblem[] = unknown.map((k) => {
    const { near, text } = meaning(k, kinds);
    const what = known.length === 0 ? `unknown ${noun}` : `unknown key beside ${known[0]}`;
    const p = problem(
      [...path, k],
      `${what}${text}${text ? ' ' : '; '}${capitalised(oneOf, text !== '')}`,
      'key',
    );
    return near ? { ...p, meant: near } : p;
  });
  const branch = known[0] === undefined ? undefined : branchIssues?.[branches.get(known[0]) as number];
  for (const inner of branch ?? []) {
    // The branch's own unknown keys are the ones named above.
    if (inner.code === 'unrecognized_keys' && inner.path.length === 0) continue;
    out.push(...describeIssue({ ...inner, path: [...path, ...inner.path] } as Issue, ctx));
  }
  return out;
}

function union(issue: Extract<Issue, { code: 'invalid_union' }>, ctx: IssueContext): ConfigProblem[] {
  const path = toPath(issue.path);
  const branches = keyedBranches(schemaAt(ctx.root, path));
  if (branches) return keyedUnion(issue.errors, path, branches, ctx);
  const forms = issue.errors.map((branch) => branch.map((i) => i.message).join(', ')).join('; or ');
  return [problem(path, `matches none of the accepted forms: ${forms}`)];
}

export function describeIssue(issue: Issue, ctx: IssueContext): ConfigProblem[] {
  const path = toPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return unknownKeys(path, issue.keys, ctx);
    case 'invalid_key':
      return [problem(path, `invalid name: ${issue.issues.map((i) => i.message).join('; ')}`, 'key')];
    case 'invalid_type':
      return [wrongType(path, issue.expected, ctx)];
    case 'invalid_union':
      return union(issue, ctx);
    case 'too_big':
    case 'too_small':
      return [problem(path, sizeLimit(issue))];
    default:
      return [problem(path, issue.message)];
  }
}

/**
 * Every issue, worded. A key reported missing is left out when an unknown key beside it was taken
 * for it (`servces` → "did you mean services?" says it already).
 */
export function describeIssues(issues: readonly Issue[], ctx: IssueContext): ConfigProblem[] {
  const problems = issues.flatMap((i) => describeIssue(i, ctx));
  const meant = new Set(
    problems.flatMap((p) => (p.meant ? [JSON.stringify([...p.path.slice(0, -1), p.meant])] : [])),
  );
  return problems.filter((p) => !(p.missing && meant.has(JSON.stringify(p.path))));
}
