/**
 * A service as the domain sees it: the configuration with every default applied (src/config
 * parses greenlight.yml into these shapes; nothing here knows YAML or zod).
 */
import type { PreviewSettings } from './preview.js';

/**
 * What is scaled to zero at teardown behind one slot: its kind (`ecs`, `asg`, `webhook`, …) and
 * that kind's settings. The domain does not know the kinds: each is a compute backend,
 * src/compute/<backend>.ts, which declares its own target type (`EcsTarget`), and
 * src/compute/registry.ts hands a target to the backend of its kind.
 */
export type ComputeTarget = {
  readonly kind: string;
  readonly [setting: string]: unknown;
};

export interface TrafficSettings {
  toleranceRequests: number;
  periodMs: number;
  pollIntervalMs: number;
  /** A window without any request on the new slot ends drained (with a note), not unverified. */
  allowIdle: boolean;
}

export interface GateSettings {
  maxErrorRate?: number;
  maxP99LatencyMs?: number;
  maxUnhealthyHosts?: number;
  /** Load-balancer 5xx count against the new slot once it holds all traffic (absent: true). */
  loadBalancerErrors?: boolean;
  /**
   * Requests the new slot needs in a period before its error rate and p99 are judged. The
   * loader always sets it (default `EVIDENCE_DEFAULTS.minRequests`); absent means that default.
   */
  minRequests?: number;
  alarms: string[];
  autoRollback: boolean;
  watchIntervalMs: number;
}

export interface HookSettings {
  secretEnv: string;
  timeoutMs: number;
  retries: number;
  beforeCutover?: string;
  afterCutover?: string;
  beforeTeardown?: string;
  /** Notification: traffic is back on the previous slot (manual or automatic rollback). */
  afterRollback?: string;
  /** Notification: verification failed (the deployment failed or rolls back by itself). */
  verificationFailed?: string;
}

/**
 * The events webhook: every state transition of every deployment, signed with the Standard
 * Webhooks scheme, delivered at least once (src/jobs/event-delivery-job.ts).
 */
export interface EventsSettings {
  url: string;
  /** Environment variable holding the signing secret (`whsec_<base64>` or a raw string). */
  secretEnv: string;
  /** Per attempt. */
  timeoutMs: number;
  /** How long an event is retried before it is dead-lettered, from its transition. */
  retryForMs: number;
}

/**
 * Where a service's AWS resources are and how Greenlight reaches them: the Region of its clients
 * and the IAM role it assumes (with the external ID the role's trust policy asks for). Absent
 * keys: the process's own Region and credentials.
 */
export interface AwsSettings {
  region?: string;
  roleArn?: string;
  externalId?: string;
}

/** A service with every default applied. */
export interface ServiceConfig {
  name: string;
  channel: string;
  listeners: string[];
  slots: Record<string, string>;
  approvers: { users: string[]; usergroups: string[] };
  deployers?: { users: string[]; usergroups: string[] };
  allowSelfApproval: boolean;
  /** Preview rules: every slot stays named by a forward only test requests match. */
  preview: PreviewSettings;
  /** Bound on waiting for a slot's health checks; absent: derived from the group's settings. */
  healthWaitMs?: number;
  soakMs: number;
  remindBeforeMs: number;
  approvalTimeoutMs: number;
  verifyWindowMs: number;
  minHealthyTargets: number;
  /** Tag keys on the slots' target groups that say what runs there (src/domain/slot-version.ts). */
  versionTags: string[];
  traffic: TrafficSettings;
  gates: GateSettings;
  hooks?: HookSettings;
  /** Per slot: what is scaled to zero at teardown. */
  compute: Record<string, ComputeTarget>;
  computeTimeoutMs: number;
  /** Per slot: hourly cost of keeping it running. */
  hourlyCost: Record<string, number>;
  /** The account and Region of its resources (`aws:`, over `defaults.aws`); absent: the process's own. */
  aws?: AwsSettings;
}

export interface GreenlightConfig {
  services: Record<string, ServiceConfig>;
  /** The events webhook (absent: no events are recorded or sent). */
  events?: EventsSettings;
}
