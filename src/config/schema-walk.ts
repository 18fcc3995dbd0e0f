/**
 * Reads the zod schema by path, to word a problem for the section it is in: which keys an object
 * accepts (`traffic` accepts tolerance, period, …), whether a field is a duration. Generic over the
 * schema, so a field added to it is known here without a change.
 */
import { z } from 'zod';
import { durationText } from './durations.js';

type Segment = PropertyKey;

/** The schema behind wrappers that do not change what is written: optional, default, nullable, a transform's input. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) {
      s = s.unwrap() as z.ZodType;
    } else if (s instanceof z.ZodPipe) {
      s = s.in as z.ZodType;
    } else {
      return s;
    }
  }
}

/**
 * The schema of the value at `path` under `root`, or undefined when the path leaves the schema (an
 * unknown key). In a union, the branch of an object that has the key is followed.
 */
export function schemaAt(root: z.ZodType, path: readonly Segment[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = root;
  for (const segment of path) {
    s = s === undefined ? undefined : child(unwrap(s), segment);
  }
  return s;
}

function child(s: z.ZodType, segment: Segment): z.ZodType | undefined {
  if (s instanceof z.ZodObject) {
    const shape = s.shape as Record<string, z.ZodType>;
    return typeof segment === 'string' && Object.hasOwn(shape, segment) ? shape[segment] : undefined;
  }
  if (s instanceof z.ZodRecord) return s.valueType as z.ZodType;
  if (s instanceof z.ZodArray) return typeof segment === 'number' ? (s.element as z.ZodType) : undefined;
  if (s instanceof z.ZodUnion) {
    for (const option of s.options as readonly z.ZodType[]) {
      const found = child(unwrap(option), segment);
      if (found) return found;
    }
  }
  return undefined;
}

/** The keys an object schema accepts, in the schema's order; undefined when it is not an object. */
export function objectKeys(schema: z.ZodType | undefined): string[] | undefined {
  const s = schema && unwrap(schema);
  return s instanceof z.ZodObject ? Object.keys(s.shape) : undefined;
}

/** Whether the field is a duration (`30s`, `5m`): its input is the duration text schema. */
export function isDuration(schema: z.ZodType | undefined): boolean {
  return schema !== undefined && unwrap(schema) === durationText;
}

/**
 * A union whose every branch is an object of exactly one key (`{ ecs: … }`, `{ webhook: … }`):
 * the key says which branch is meant. Its branches by key; undefined for any other schema.
 */
export function keyedBranches(schema: z.ZodType | undefined): Map<string, number> | undefined {
  const s = schema && unwrap(schema);
  if (!(s instanceof z.ZodUnion)) return undefined;
  const byKey = new Map<string, number>();
  const options = s.options as readonly z.ZodType[];
  for (const [index, option] of options.entries()) {
    const keys = objectKeys(option);
    if (keys?.length !== 1) return undefined;
    byKey.set(keys[0] as string, index);
  }
  return byKey;
}
