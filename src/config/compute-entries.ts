/**
 * The config side of each compute backend: its key under `compute.<slot>` in greenlight.yml, what
 * that key holds, the target it becomes, what it scales (for "two services may not share compute")
 * and its name for people. Each backend in src/compute builds on its entry here and adds the
 * teardown and check-config steps (src/config imports nothing outside src/domain, so the entries
 * the config schema is built from live in this layer).
 */
import { z } from 'zod';
import type { ComputeKind, ComputeTarget, ComputeTargetOf } from '../domain/service.js';

/** One kind of compute as greenlight.yml writes it. `Value` is what its config key holds. */
export interface ComputeEntrySpec<K extends ComputeKind = ComputeKind, Value = unknown> {
  /** `ComputeTarget.kind`, and the `kind` of its scale-down reports. */
  readonly kind: K;
  /** Its key under `compute.<slot>` (`{ ecs: { cluster, service } }`). */
  readonly configKey: string;
  /** What that key holds. */
  readonly schema: z.ZodType<Value>;
  /** What it is, for people: `ECS service`, `Auto Scaling group`. */
  readonly label: string;
  toTarget(value: Value): ComputeTargetOf<K>;
  /**
   * What it scales, comparable across services (names and ARNs alike): two services may not
   * share it, or tearing one down would scale the other to zero. Absent: it may serve several.
   */
  identity?(target: ComputeTargetOf<K>): string;
}

/** A webhook URL in greenlight.yml (scale-down webhooks and the deployment hooks). */
export const webhookUrl = z
  .string()
  .url('not a URL')
  .refine((u) => /^https?:\/\//.test(u), 'webhooks must be http:// or https:// URLs')
  .refine(
    (u) => !/^https?:\/\/[^/]*@/.test(u),
    'no credentials in the URL (user:password@): they would be sent in clear and shown in errors; authenticate with the signature header',
  );

/** The last segment of a name or an ARN (`arn:…:cluster/shop` and `shop` are the same cluster). */
const lastSegment = (text: string): string => text.slice(text.lastIndexOf('/') + 1);

/** `ecs: { cluster, service }`: names or ARNs. */
export const ecsEntry: ComputeEntrySpec<'ecs', { cluster: string; service: string }> = {
  kind: 'ecs',
  configKey: 'ecs',
  schema: z.object({ cluster: z.string().min(1).max(255), service: z.string().min(1).max(255) }).strict(),
  label: 'ECS service',
  toTarget: (v) => ({ kind: 'ecs', cluster: v.cluster, service: v.service }),
  identity: (t) => `ecs:${lastSegment(t.cluster)}/${lastSegment(t.service)}`,
};

/** `autoScalingGroup: name`. */
export const autoScalingEntry: ComputeEntrySpec<'asg', string> = {
  kind: 'asg',
  configKey: 'autoScalingGroup',
  schema: z.string().min(1).max(255),
  label: 'Auto Scaling group',
  toTarget: (name) => ({ kind: 'asg', name }),
  identity: (t) => `asg:${lastSegment(t.name)}`,
};

/** `webhook: url`: it may serve several services (no identity). */
export const webhookEntry: ComputeEntrySpec<'webhook', string> = {
  kind: 'webhook',
  configKey: 'webhook',
  schema: webhookUrl,
  label: 'webhook',
  toTarget: (url) => ({ kind: 'webhook', url }),
};

/** One entry per kind of `ComputeTarget` (checked by the compiler), in the order they are tried. */
const BY_KIND: { readonly [K in ComputeKind]: ComputeEntrySpec<K> } = {
  ecs: ecsEntry,
  asg: autoScalingEntry,
  webhook: webhookEntry,
};

export const COMPUTE_ENTRIES: readonly ComputeEntrySpec[] = Object.values(BY_KIND);

export function computeEntry(kind: ComputeKind): ComputeEntrySpec {
  const entry: ComputeEntrySpec = BY_KIND[kind];
  return entry;
}

/**
 * The schema of one `compute.<slot>` entry: exactly one of the given kinds' keys with what that
 * kind accepts (`{ ecs: { cluster, service } }`, `{ autoScalingGroup: name }`, …).
 */
export function computeEntrySchema(entries: readonly ComputeEntrySpec[]) {
  return z.union(entries.map((e) => z.object({ [e.configKey]: e.schema }).strict()));
}

/** A parsed `compute.<slot>` entry. */
export type RawComputeEntry = z.infer<ReturnType<typeof computeEntrySchema>>;

/** The target a parsed entry names. */
export function toComputeTarget(raw: RawComputeEntry): ComputeTarget {
  const entry = COMPUTE_ENTRIES.find((e) => Object.hasOwn(raw, e.configKey));
  if (!entry) throw new Error(`not a compute entry: ${Object.keys(raw).join(', ')}`);
  return entry.toTarget(raw[entry.configKey]);
}

/** What a target scales, comparable across services; null when it may serve several (a webhook). */
export function computeIdentity(target: ComputeTarget): string | null {
  return computeEntry(target.kind).identity?.(target) ?? null;
}

/** The kinds of compute two services may not share, for people: `ECS service or Auto Scaling group`. */
export function exclusiveComputeLabels(): string {
  return COMPUTE_ENTRIES.filter((e) => e.identity !== undefined)
    .map((e) => e.label)
    .join(' or ');
}
