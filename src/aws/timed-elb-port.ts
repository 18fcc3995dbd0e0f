/**
 * Wraps an ElbPort and adds up the wall time spent inside its calls, so a cutover can report
 * "AWS took X ms of our Y ms". Calls made one after another (as the jobs do) add up exactly;
 * overlapping calls would be counted once each.
 */
import { performance } from 'node:perf_hooks';
import type { ElbPort } from '../app/ports/elb.js';

export interface TimedElbPort {
  port: ElbPort;
  /** Milliseconds spent inside port calls since creation or the last reset(). */
  awsMs(): number;
  reset(): void;
}

export function timeElbPort(port: ElbPort, now: () => number = () => performance.now()): TimedElbPort {
  let total = 0;
  const timed =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const start = now();
      try {
        return await fn(...args);
      } finally {
        total += now() - start;
      }
    };
  const wrapped: ElbPort = {
    describeListeners: timed(port.describeListeners.bind(port)),
    describeRules: timed(port.describeRules.bind(port)),
    modifyListener: timed(port.modifyListener.bind(port)),
    modifyRule: timed(port.modifyRule.bind(port)),
    createRule: timed(port.createRule.bind(port)),
    deleteRule: timed(port.deleteRule.bind(port)),
    describeTargetHealth: timed(port.describeTargetHealth.bind(port)),
    describeTargetGroupAttributes: timed(port.describeTargetGroupAttributes.bind(port)),
    describeTargetGroups: timed(port.describeTargetGroups.bind(port)),
    describeTags: timed(port.describeTags.bind(port)),
    deregisterTargets: timed(port.deregisterTargets.bind(port)),
  };
  return {
    port: wrapped,
    awsMs: () => total,
    reset: () => {
      total = 0;
    },
  };
}
