/**
 * What runs on a slot, for the people who approve a switch to it: the tags of its target group
 * (keys from `versionTags`, default `version` and `commit`) and what its compute runs (an ECS
 * task definition and its images, an Auto Scaling group's launch template version). Read at the
 * precheck (src/compute/slot-versions.ts) and kept on the record; best effort: what could not be read
 * is said, and never blocks a deployment. Pure.
 */

/** The tag keys read when a service names none. */
export const DEFAULT_VERSION_TAGS: readonly string[] = ['version', 'commit'];

export interface SlotVersion {
  /** The configured tag keys the slot's target group has, with their values, in config order. */
  tags: Record<string, string>;
  /** What its compute runs, for people: `image checkout:1.42.0`, `task definition checkout:88`. */
  compute: string[];
  /** What could not be read (AccessDenied, a missing service): shown, never blocking. */
  problems?: string[];
}

const FULL_SHA = /^[0-9a-f]{40}$/i;

/** A value for a line of text: a full git SHA shortened to 7 characters, anything else as it is. */
function shortValue(value: string): string {
  return FULL_SHA.test(value) ? value.slice(0, 7) : value;
}

/**
 * An image reference for people: its repository's last path segment and tag
 * (`123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/checkout:1.42.0` → `checkout:1.42.0`); a
 * digest is cut to 12 hex characters (`checkout@sha256:3f9c2e1a8b7d`).
 */
export function shortImage(image: string): string {
  const at = image.indexOf('@');
  const name = at === -1 ? image : image.slice(0, at);
  const digest = at === -1 ? '' : image.slice(at);
  const last = name.slice(name.lastIndexOf('/') + 1);
  const shortDigest = digest.replace(/^@(sha256:)([0-9a-f]{12})[0-9a-f]*$/i, '@$1$2');
  return `${last}${shortDigest}`;
}

/**
 * One line: the first tag's value, the others in brackets, then what the compute runs —
 * `1.42.0 (3f9c2e1), image checkout:1.42.0, task definition checkout:88`. Null when nothing is
 * known and nothing failed; `version unknown (…)` when reads failed and nothing else is known.
 */
export function versionSummary(v: SlotVersion | undefined, keys: readonly string[]): string | null {
  if (!v) return null;
  const values = keys.map((k) => v.tags[k]).filter((x): x is string => x !== undefined && x !== '');
  const [first, ...rest] = values.map(shortValue);
  const tagged = first === undefined ? [] : [rest.length > 0 ? `${first} (${rest.join(', ')})` : first];
  const parts = [...tagged, ...v.compute];
  if (parts.length > 0) return parts.join(', ');
  return v.problems && v.problems.length > 0 ? `version unknown (${v.problems.join('; ')})` : null;
}

/** `green: 1.42.0 (3f9c2e1), task definition checkout:88` for each slot with something to say. */
export function versionLines(
  versions: Record<string, SlotVersion> | undefined,
  slots: readonly string[],
  keys: readonly string[],
): { slot: string; text: string }[] {
  const out: { slot: string; text: string }[] = [];
  for (const slot of slots) {
    const text = versionSummary(versions?.[slot], keys);
    if (text !== null) out.push({ slot, text });
  }
  return out;
}
