/**
 * Reads of listeners and rules shared while in flight (single flight): many deployments on one
 * load balancer that read it at the same moment (prechecks, a switch's plan before it locks) cost
 * one DescribeListeners and one DescribeRules per listener, not one each. AWS throttles `Describe*`
 * per account and Region (docs/aws-behaviour.md, "Throttling"), so fifty deploys' reads would
 * otherwise throttle each other.
 *
 * A read is shared only while it is in flight (and for `windowMs` after, 0 by default): a read
 * asked after a write of this process never joins a flight that started before it (`fresh`'s
 * writes end every flight's sharing). Only reads that decide nothing by themselves use `shared`:
 * a switch reads again under its lock before it writes, verification reads back fresh
 * (src/aws/alb-router.ts says which read is which). A failed read is not shared past its flight.
 */
import type { ElbPort } from '../app/ports/elb.js';

export interface SharedReadOptions {
  /** How long a finished read is still shared (default 0: only while in flight). */
  windowMs?: number;
  now?: () => number;
}

export interface SharedElb {
  /** Listener and rule reads shared while in flight; every other call passes through. */
  shared: ElbPort;
  /** Every call goes to AWS; a write also ends the sharing of every read that started before it. */
  fresh: ElbPort;
}

export function sharedReads(port: ElbPort, opts: SharedReadOptions = {}): SharedElb {
  const windowMs = opts.windowMs ?? 0;
  const now = opts.now ?? (() => Date.now());
  const reads = new Map<string, { result: Promise<unknown>; settledAt?: number }>();
  const forgetAll = () => reads.clear();
  function shared<T>(key: string, read: () => Promise<T>): Promise<T> {
    const known = reads.get(key);
    if (known && (known.settledAt === undefined || now() - known.settledAt < windowMs))
      return known.result as Promise<T>;
    const entry: { result: Promise<T>; settledAt?: number } = { result: read() };
    reads.set(key, entry);
    entry.result.then(
      () => {
        entry.settledAt = now();
        if (windowMs <= 0 && reads.get(key) === entry) reads.delete(key);
      },
      () => {
        if (reads.get(key) === entry) reads.delete(key);
      },
    );
    return entry.result;
  }
  /** A write through either port: reads asked after it start their own flight. */
  const writing =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      forgetAll();
      try {
        return await fn(...args);
      } finally {
        forgetAll();
      }
    };
  const writes = {
    modifyListener: writing((arn: string, actions: Parameters<ElbPort['modifyListener']>[1]) =>
      port.modifyListener(arn, actions),
    ),
    modifyRule: writing((arn: string, actions: Parameters<ElbPort['modifyRule']>[1]) =>
      port.modifyRule(arn, actions),
    ),
    createRule: writing((...args: Parameters<ElbPort['createRule']>) => port.createRule(...args)),
    deleteRule: writing((arn: string) => port.deleteRule(arn)),
    deregisterTargets: writing((...args: Parameters<ElbPort['deregisterTargets']>) =>
      port.deregisterTargets(...args),
    ),
  };
  const others = {
    describeTargetHealth: (arn: string) => port.describeTargetHealth(arn),
    describeTargetGroupAttributes: (arn: string) => port.describeTargetGroupAttributes(arn),
    describeTargetGroups: (arns: string[]) => port.describeTargetGroups(arns),
  };
  return {
    shared: {
      ...others,
      ...writes,
      describeListeners: (query) =>
        shared(
          'listenerArns' in query
            ? `listeners:${[...query.listenerArns].sort().join(',')}`
            : `lb:${query.loadBalancerArn}`,
          () => port.describeListeners(query),
        ),
      describeRules: (listenerArn) => shared(`rules:${listenerArn}`, () => port.describeRules(listenerArn)),
    },
    fresh: {
      ...others,
      ...writes,
      describeListeners: (query) => port.describeListeners(query),
      describeRules: (listenerArn) => port.describeRules(listenerArn),
    },
  };
}
