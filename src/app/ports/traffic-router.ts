/**
 * The traffic-router port: how the use cases move a service's production traffic between its
 * slots, without knowing what routes it. The implementation is the ALB forward switch
 * (src/aws/alb-router.ts): weighted forwards of listeners and rules, preview rules that keep every
 * slot health-checked, target deregistration for draining. Another router (a service mesh, a DNS
 * weight, an API gateway stage) is a new implementation of this interface plus one line in
 * src/runtime.ts (docs/architecture.md).
 */
import type { HealthCheckTiming } from '../../domain/health-wait.js';
import type {
  ForwardSite,
  LiveSlot,
  PrecheckReport,
  SlotHealth,
  SwitchReport,
  VerificationReport,
} from '../../domain/reports.js';
import type { ServiceConfig } from '../../domain/service.js';

/** A slot made reachable by test requests (its preview rule, created now). */
export interface AttachedSlot {
  slot: string;
  ruleArn: string;
  priority: number;
}

export interface PrecheckReading {
  report: PrecheckReport;
  /** The target slot's health-check timing. */
  timing: HealthCheckTiming;
  /** Preview rules created now (slots attached by this precheck). */
  attached: AttachedSlot[];
}

/** Draining started on a slot. */
export interface DrainStart {
  /** How many targets this call deregistered (a re-run: only those not draining yet). */
  deregistered: number;
  /** The targets that must leave (`id:port`). */
  leaving: string[];
  /** The group's deregistration delay plus the margin. */
  boundMs: number;
}

export interface SwitchFence {
  /** Awaited once, right before the first write (not at all when nothing needs changing). */
  beforeFirstModify?: () => Promise<void>;
  /** Awaited right before every write, put-backs included; throwing stops the switch where it is. */
  beforeEachWrite?: () => Promise<void>;
  /**
   * The sites (from `sitesToRewrite`) whose lock the caller holds: a switch that now needs to
   * write another writes nothing and throws ListenerBusyError (run again with a fresh plan).
   */
  lockedSites?: readonly string[];
}

export interface TrafficRouter {
  /**
   * The precheck's reading: the forwards that touch the slots, stickiness, the target slot's
   * health; attaches the target slot (test requests reach it) when nothing else blocks.
   * `mayWait`: targets still being judged are not problems yet.
   */
  precheck(svc: ServiceConfig, targetSlot: string, opts?: { mayWait?: boolean }): Promise<PrecheckReading>;
  /** The slot production traffic goes to now, read live (never a cache unless `cached()`). */
  liveSlot(svc: ServiceConfig): Promise<LiveSlot>;
  /** Every production forward that names one of the service's slots, read live. */
  forwardSites(svc: ServiceConfig): Promise<ForwardSite[]>;
  /** A slot's registered targets and their health. */
  slotHealth(svc: ServiceConfig, slot: string): Promise<SlotHealth>;
  /**
   * The tags of each slot's target group (DescribeTags, 20 groups a call): slot → its tags. What
   * they say runs there (`version`, `commit`) is shown with the slot.
   */
  slotTags(svc: ServiceConfig): Promise<Record<string, Record<string, string>>>;
  /** How long a slot's targets need to pass their health checks. */
  healthCheckTiming(svc: ServiceConfig, slot: string): Promise<HealthCheckTiming>;
  /** Keeps each of `slots` (default: all) reachable by test requests, so it stays health-checked. */
  attachSlots(svc: ServiceConfig, slots?: string[]): Promise<AttachedSlot[]>;
  /** Stops test requests to a slot (before its teardown); the detached rule's priority, or null. */
  detachSlot(svc: ServiceConfig, slot: string): Promise<number | null>;
  /**
   * What a switch to `targetSlot` would rewrite now, as lock keys: one per forward site (a rule, or
   * a listener's default actions). The caller locks them, then switches with `lockedSites`.
   */
  sitesToRewrite(svc: ServiceConfig, targetSlot: string): Promise<string[]>;
  /**
   * Moves all production traffic to `targetSlot`. A failure part-way puts back what it changed
   * and throws SwitchAbortedError saying what the load balancer shows.
   */
  switchTo(svc: ServiceConfig, targetSlot: string, fence?: SwitchFence): Promise<SwitchReport>;
  /**
   * Reads the switch back and scans every listener and rule of the load balancer for forwards
   * that still send traffic to `oldSlot` (null: to any slot but the target).
   */
  verify(svc: ServiceConfig, targetSlot: string, oldSlot: string | null): Promise<VerificationReport>;
  /** Deregisters the slot's targets (draining starts); a re-run deregisters only those left. */
  startDrain(svc: ServiceConfig, slot: string): Promise<DrainStart>;
  /** How many of the `leaving` targets have not left yet. */
  stillDraining(svc: ServiceConfig, slot: string, leaving: string[]): Promise<number>;
  /** The same router, adding up the time its calls spend in AWS. */
  timed(): { router: TrafficRouter; awsMs(): number };
  /** A read-only router whose reads are shared for one pass over many services. */
  cached(): TrafficRouter;
}
