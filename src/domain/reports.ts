/**
 * Results the jobs compute from the load balancer and post in the deployment thread.
 * Pure data: produced by `src/domain/forwards.ts` / the AWS orchestration, rendered by
 * `src/messages/`.
 */

export interface TargetState {
  id: string;
  port?: number;
  state: string;
  reason?: string;
}

export interface SlotHealth {
  slot: string;
  targetGroupArn: string;
  targets: TargetState[];
  healthy: number;
  total: number;
}

export interface WeightedGroup {
  /** Slot name when the group is one of the service's slots, else the target group's name. */
  name: string;
  arn: string;
  weight: number;
}

/** One forward action (listener default action or rule action) that references a slot. */
export interface ForwardSite {
  listenerArn: string;
  port?: number;
  /** `default` for a listener's default action, else the rule priority. */
  priority: string;
  /** Rule ARN; absent for a listener's default action. */
  ruleArn?: string;
  groups: WeightedGroup[];
  /** Forward-level (group) stickiness, cookie AWSALBTG. */
  groupStickiness?: { enabled: boolean; durationSeconds?: number };
}

export interface SlotStickiness {
  slot: string;
  enabled: boolean;
  type?: string;
  durationSeconds?: number;
  deregistrationDelaySeconds: number;
}

/** `mixed` when the configured forwards split traffic between slots; null when none is live. */
export type LiveSlot = string | 'mixed' | null;

/** A slot's preview rule: what keeps it health-checked and lets people try it. */
export interface PreviewRoute {
  slot: string;
  /** `:443 rule 3` */
  place: string;
  /** `header X-Greenlight-Slot: checkout/green` or `host green.preview.example.com` */
  match: string;
  /** Created by this precheck (the slot was attached now). */
  attachedNow: boolean;
}

export interface PrecheckReport {
  liveSlot: LiveSlot;
  targetSlot: string;
  health: SlotHealth;
  forwards: ForwardSite[];
  stickiness: SlotStickiness[];
  /** The preview rule of every slot (absent in reports made before preview rules existed). */
  previews?: PreviewRoute[];
  /** Targets of the target slot still being judged (`initial`, or `unused` right after attaching). */
  settling?: number;
  /** Blocking problems: a non-empty list ends the deployment as `blocked`. */
  problems: string[];
  /** Worth knowing but not blocking (e.g. stickiness that the cutover will neutralise). */
  warnings: string[];
}

/** A listener default action or rule still sending traffic to the old slot. */
export interface Offender {
  listenerArn: string;
  port?: number;
  priority: string;
  ruleArn?: string;
  weight: number;
  /**
   * Why it offends: `weight` — the old group has weight > 0; `stickiness` — the old group is
   * listed at weight 0 but the forward has group stickiness on, so clients holding its AWSALBTG
   * cookie still go to it. Always set by findOffenders; absent (read as `weight`) only in values
   * built elsewhere before the field existed.
   */
  reason?: 'weight' | 'stickiness';
}

export interface SwitchReport {
  /** The forwards rewritten (empty when they already pointed at the target: idempotent re-run). */
  changed: ForwardSite[];
  /** Milliseconds spent in AWS calls during the switch and its read-back. */
  awsMs: number;
  totalMs: number;
}

export interface VerificationReport {
  /** Every rewritten forward read back as sending all traffic to the new slot. */
  readBackOk: boolean;
  /** Every listener and rule of the load balancer still forwarding to the old slot with weight > 0. */
  offenders: Offender[];
  listenersScanned: number;
  rulesScanned: number;
}

export interface TeardownReport {
  slot: string;
  deregistered: number;
  /** How long until no target of the old slot was `draining`. */
  drainMs: number;
  /** True when the bound (deregistration delay + margin) ran out with targets still draining. */
  timedOut: boolean;
}
