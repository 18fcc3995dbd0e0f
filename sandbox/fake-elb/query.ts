/**
 * Decodes an awsQuery request body into nested objects, the way AWS reads it:
 *   `Actions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn=arn…`
 *     → `{ Actions: [{ ForwardConfig: { TargetGroups: [{ TargetGroupArn: 'arn…' }] } }] }`
 * Lists are `X.member.N` (N from 1), maps are `X.entry.N.key` / `X.entry.N.value`, and an empty
 * list is sent as `X=` (the SDK serialises empty lists that way). Values stay strings: the
 * operations convert the fields they read.
 */
import { FakeElbError } from './errors.js';

export interface DecodedQuery {
  action?: string;
  version?: string;
  params: Record<string, unknown>;
}

type Node = { [key: string]: Node | string };

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_PAIRS = 5000;

function decodePart(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new FakeElbError('MalformedQueryString', `Invalid percent-encoding in "${text.slice(0, 40)}"`);
  }
}

function insert(root: Node, key: string, value: string): void {
  const path = key.split('.');
  let node = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i] as string;
    if (seg === '' || FORBIDDEN.has(seg))
      throw new FakeElbError('MalformedQueryString', `Invalid parameter name "${key}"`);
    const last = i === path.length - 1;
    const existing = node[seg];
    if (last) {
      if (existing !== undefined)
        throw new FakeElbError('MalformedQueryString', `Parameter "${key}" given twice or as a prefix`);
      node[seg] = value;
      return;
    }
    if (existing === undefined) {
      const child: Node = Object.create(null);
      node[seg] = child;
      node = child;
    } else if (typeof existing === 'string') {
      // `X=` (empty list) followed by `X.member.1=…` is what no client sends; AWS rejects it too.
      throw new FakeElbError(
        'MalformedQueryString',
        `Parameter "${path.slice(0, i + 1).join('.')}" is both a value and a structure`,
      );
    } else {
      node = existing;
    }
  }
}

function indexed(node: Node, where: string): Node[] {
  const keys = Object.keys(node);
  const indices = keys.map((k) => (/^[1-9]\d{0,4}$/.test(k) ? Number(k) : Number.NaN));
  if (indices.some((n) => Number.isNaN(n)))
    throw new FakeElbError('ValidationError', `Invalid list index under ${where}`);
  return indices
    .map((n, i) => [n, node[keys[i] as string]] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, v]) => v as Node);
}

function convert(node: Node | string, where: string): unknown {
  if (typeof node === 'string') return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === 'member' && typeof node.member === 'object') {
    return indexed(node.member, where).map((child) => convert(child, `${where}.member`));
  }
  if (keys.length === 1 && keys[0] === 'entry' && typeof node.entry === 'object') {
    const out: Record<string, unknown> = {};
    for (const e of indexed(node.entry, where)) {
      const k = typeof e === 'object' ? e.key : undefined;
      if (typeof k !== 'string' || FORBIDDEN.has(k))
        throw new FakeElbError('ValidationError', `Invalid map entry under ${where}`);
      out[k] = convert(e.value ?? '', `${where}.${k}`);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = convert(node[k] as Node | string, where ? `${where}.${k}` : k);
  return out;
}

export function decodeQuery(body: string): DecodedQuery {
  const root: Node = Object.create(null);
  let action: string | undefined;
  let version: string | undefined;
  const pairs = body.split('&').filter((p) => p !== '');
  if (pairs.length > MAX_PAIRS) throw new FakeElbError('MalformedQueryString', 'Too many parameters');
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = decodePart(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodePart(pair.slice(eq + 1));
    if (key === 'Action') action = value;
    else if (key === 'Version') version = value;
    else insert(root, key, value);
  }
  const out: DecodedQuery = { params: convert(root, '') as Record<string, unknown> };
  if (action !== undefined) out.action = action;
  if (version !== undefined) out.version = version;
  return out;
}

/** A list parameter: an array, or empty when absent or sent as `X=`. */
export function listParam(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
