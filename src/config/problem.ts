/** One problem of a config file, before it is given its place in the file. */
import type { Anchor } from './source-positions.js';

export type ConfigPath = readonly (string | number)[];

export interface ConfigProblem {
  /** Where in the config: `['services', 'checkout', 'traffic', 'period']`. */
  path: ConfigPath;
  /** What is wrong and what is accepted, for people. */
  message: string;
  /** Point at the key the path ends with, or at the value it holds (default). */
  anchor?: Anchor;
  /** An unknown key taken for this accepted one ("did you mean …?"). */
  meant?: string;
  /** The path names a required key that is absent. */
  missing?: boolean;
}

/** A mapping of the raw data (as read from YAML): an object, not null, not a list. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `services.checkout.traffic.period`; `(top level)` for the file itself. */
export function pathText(path: ConfigPath): string {
  return path.length === 0 ? '(top level)' : path.map(String).join('.');
}

/** A problem at `path`. */
export function problem(path: ConfigPath, message: string, anchor?: Anchor): ConfigProblem {
  return anchor ? { path, message, anchor } : { path, message };
}
