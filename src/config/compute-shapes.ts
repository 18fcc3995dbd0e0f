/**
 * What a `compute.<slot>` entry may look like, for people: one line per registered backend
 * (`{ ecs: { cluster, service } }` — an ECS service), built from each backend's own zod schema so
 * that a new backend is described without a line here. Used by the JSON Schema's description and
 * by the error for a bad entry.
 */
import { z } from 'zod';
import type { ComputeBackend } from '../compute/backend.js';
import { COMPUTE_BACKENDS } from '../compute/registry.js';

export interface ComputeShape {
  /** The backend's key under `compute.<slot>`: `ecs`. */
  key: string;
  /** What it is: `ECS service`. */
  label: string;
  /** The whole entry: `{ ecs: { cluster, service } }`. */
  entry: string;
}

type JsonSchema = {
  type?: string;
  format?: string;
  properties?: Record<string, unknown>;
  required?: string[];
};

/** `{ cluster, service }`, `<name>`, `<URL>`: what a value of this JSON Schema is written as. */
function valueText(schema: JsonSchema): string {
  if (schema.type === 'object') {
    const required = new Set(schema.required ?? []);
    const keys = Object.keys(schema.properties ?? {}).map((k) => (required.has(k) ? k : `${k}?`));
    return `{ ${keys.join(', ')} }`;
  }
  if (schema.type === 'string') return schema.format === 'uri' ? '<URL>' : '<name>';
  if (schema.type === 'number' || schema.type === 'integer') return '<number>';
  if (schema.type === 'boolean') return 'true or false';
  return '…';
}

function computeShapes(backends: readonly ComputeBackend[] = COMPUTE_BACKENDS): ComputeShape[] {
  return backends.map((b) => ({
    key: b.configKey,
    label: b.label,
    entry: `{ ${b.configKey}: ${valueText(z.toJSONSchema(b.schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema)} }`,
  }));
}

/** `an ECS service`, `a webhook`. */
function withArticle(label: string): string {
  return `${/^[aeiou]/i.test(label) ? 'an' : 'a'} ${label}`;
}

/** `{ ecs: { cluster, service } } for an ECS service, { autoScalingGroup: <name> } for an Auto Scaling group, …` */
export function computeShapesText(backends: readonly ComputeBackend[] = COMPUTE_BACKENDS): string {
  return computeShapes(backends)
    .map((s) => `${s.entry} for ${withArticle(s.label)}`)
    .join(', ');
}
