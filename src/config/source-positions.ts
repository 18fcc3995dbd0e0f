/**
 * Where a config path (`services.checkout.traffic.period`) is written in the YAML file, as a line
 * and column (1-based): the node's own range in the parsed document, counted into lines by a
 * `LineCounter` (yaml package, "Documents" and "Parsing YAML" in eemeli.org/yaml).
 */
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

export interface Position {
  line: number;
  col: number;
}

/**
 * `key`: the key that names the path's last segment (an unknown or misnamed key); `value`: what
 * that key holds (a wrong value). Either falls back to the other when it is not there (a list item
 * has no key; an empty `approvers:` has no value).
 */
export type Anchor = 'key' | 'value';

type PathSegment = string | number;

interface Found {
  key: Node | undefined;
  value: Node | undefined;
  /** Every segment of the path was found. */
  complete: boolean;
}

function start(node: Node | undefined): number | undefined {
  return node?.range?.[0];
}

/** Walks the document along `path`, through aliases, as far as it exists. */
function walk(doc: Document, path: readonly PathSegment[]): Found {
  let key: Node | undefined;
  let value: Node | undefined = (doc.contents as Node | null) ?? undefined;
  for (const segment of path) {
    const node = isAlias(value) ? ((value.resolve(doc) as Node | undefined) ?? value) : value;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) return { key, value, complete: false };
      key = pair.key as Node;
      value = (pair.value as Node | null) ?? undefined;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      key = undefined;
      value = node.items[segment] as Node;
    } else {
      return { key, value, complete: false };
    }
  }
  return { key, value, complete: true };
}

/**
 * The position of `path` in the file. A path that is not all written (a missing key, a default)
 * points at the deepest part of it that is: the key of the mapping that lacks it. Undefined only
 * for an empty document.
 */
export function positionOf(
  doc: Document,
  lines: LineCounter,
  path: readonly PathSegment[],
  anchor: Anchor,
): Position | undefined {
  const found = walk(doc, path);
  const offset =
    found.complete && anchor === 'value'
      ? (start(found.value) ?? start(found.key))
      : (start(found.key) ?? start(found.value));
  return offset === undefined ? undefined : lines.linePos(offset);
}
