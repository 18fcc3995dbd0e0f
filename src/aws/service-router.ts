/**
 * One TrafficRouter over several: each call goes to the router of the service's account and
 * Region (`routerFor(svc)`, src/aws/aws-clients.ts). Every method of the port takes the service
 * first, so jobs and listeners use it as they use a single router. `timed()` and `cached()` build
 * the timed or cached router of each account and Region the first time a service of it is asked
 * for, and add their times up.
 */
import type { TrafficRouter } from '../app/ports/traffic-router.js';
import type { ServiceConfig } from '../domain/service.js';

export function routerPerService(routerFor: (svc: ServiceConfig) => TrafficRouter): TrafficRouter {
  /** The derived router (timed, cached) of each underlying one, made once. */
  const derived = <T>(make: (r: TrafficRouter) => T) => {
    const made = new Map<TrafficRouter, T>();
    return {
      of(svc: ServiceConfig): T {
        const r = routerFor(svc);
        let d = made.get(r);
        if (d === undefined) {
          d = make(r);
          made.set(r, d);
        }
        return d;
      },
      all: () => [...made.values()],
    };
  };
  return {
    precheck: (svc, targetSlot, opts) => routerFor(svc).precheck(svc, targetSlot, opts),
    liveSlot: (svc) => routerFor(svc).liveSlot(svc),
    forwardSites: (svc) => routerFor(svc).forwardSites(svc),
    slotHealth: (svc, slot) => routerFor(svc).slotHealth(svc, slot),
    slotTags: (svc) => routerFor(svc).slotTags(svc),
    healthCheckTiming: (svc, slot) => routerFor(svc).healthCheckTiming(svc, slot),
    attachSlots: (svc, slots) => routerFor(svc).attachSlots(svc, slots),
    detachSlot: (svc, slot) => routerFor(svc).detachSlot(svc, slot),
    sitesToRewrite: (svc, targetSlot) => routerFor(svc).sitesToRewrite(svc, targetSlot),
    switchTo: (svc, targetSlot, fence) => routerFor(svc).switchTo(svc, targetSlot, fence),
    verify: (svc, targetSlot, oldSlot) => routerFor(svc).verify(svc, targetSlot, oldSlot),
    startDrain: (svc, slot) => routerFor(svc).startDrain(svc, slot),
    stillDraining: (svc, slot, leaving) => routerFor(svc).stillDraining(svc, slot, leaving),
    timed() {
      const timed = derived((r) => r.timed());
      return {
        router: routerPerService((svc) => timed.of(svc).router),
        awsMs: () => timed.all().reduce((sum, t) => sum + t.awsMs(), 0),
      };
    },
    cached() {
      const cached = derived((r) => r.cached());
      return routerPerService((svc) => cached.of(svc));
    },
  };
}
