/**
 * What a command does, as the command table (./table.ts) declares it: which handler runs it,
 * whether it is taken only in the service's channel, which authorization check applies and,
 * for a change to a deployment, the event it records and the button that records the same.
 * Pure data and pure functions; the Slack listeners (src/slack/) run them.
 */
import type { Actor, Decision } from '../authorization.js';
import type { Deployment } from '../deployment.js';
import type { DeploymentEvent } from '../events.js';
import type { ServiceConfig } from '../service.js';

/** Reads and answers: taken in any channel, by anyone; nothing is recorded. */
export interface ReadIntent<H extends string = string> {
  /** The Slack handler that answers it, registered under this name in src/slack/command-handler.ts. */
  readonly handler: H;
  readonly serviceChannel: false;
}

/** A new deployment: taken only in the service's channel, from whoever `authorize` lets deploy it. */
export interface RequestIntent {
  readonly handler: 'request';
  readonly serviceChannel: true;
  readonly authorize: (svc: ServiceConfig, actor: Actor) => Decision;
}

/**
 * An event recorded on one of the service's deployments, through the state machine. Taken only
 * in the service's channel. A button that does the same thing carries `button` as its action id.
 */
export interface ChangeIntent<B extends string = string> {
  readonly handler: 'change';
  readonly serviceChannel: true;
  /** Who may (src/domain/authorization.ts). */
  readonly authorize: (svc: ServiceConfig, d: Deployment, actor: Actor) => Decision;
  /** The event recorded; `extendMs` is what the command or the button asked for, if anything. */
  readonly event: (actor: Actor, svc: ServiceConfig, extendMs?: number) => DeploymentEvent;
  /**
   * The deployment the command acts on (a button names its own): the lock holder, else the
   * newest (`current`) or the newest that moved traffic (`lastToMoveTraffic`).
   */
  readonly actsOn: 'current' | 'lastToMoveTraffic';
  /** The action id of the button that records the same intent. */
  readonly button?: B;
  /** The reply once recorded, when not the usual "Done: <command> of <service> recorded". */
  readonly done?: (service: string, d: Pick<Deployment, 'id' | 'channel'>) => string;
}

export type Intent = ReadIntent | RequestIntent | ChangeIntent;

/** A read-only command answered by the Slack handler registered as `handler`. */
export function read<const H extends string>(handler: H): ReadIntent<H> {
  return { handler, serviceChannel: false };
}

/** A deployment request (`/deploy <service> <slot>`), allowed by `authorize`. */
export function request(authorize: RequestIntent['authorize']): RequestIntent {
  return { handler: 'request', serviceChannel: true, authorize };
}

/** A change to a deployment; `actsOn` defaults to `current`. */
export function change<const B extends string = never>(
  intent: Omit<ChangeIntent<B>, 'handler' | 'serviceChannel' | 'actsOn'> & {
    actsOn?: ChangeIntent['actsOn'];
  },
): ChangeIntent<B> {
  return { ...intent, handler: 'change', serviceChannel: true, actsOn: intent.actsOn ?? 'current' };
}

/** The authorization decision and the event a change records (whether it came from a command or a button). */
export function decide(
  intent: ChangeIntent,
  svc: ServiceConfig,
  d: Deployment,
  actor: Actor,
  extendMs?: number,
): [Decision, DeploymentEvent] {
  return [intent.authorize(svc, d, actor), intent.event(actor, svc, extendMs)];
}
