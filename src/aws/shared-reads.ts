/**
 * Reads of listeners and rules shared while in flight (single flight): many deployments on one
 * load balancer that read it at the same moment (prechecks, a switch's plan before it locks) cost
 * one DescribeListeners and one DescribeRules per listener, not one each. AWS throttles `Describe*`
 * per account and Region (docs/aws-behaviour.md, "Throttling"), so fifty deploys' reads would
 * otherwise throttle each other.
 *
 * Two kinds of sharing:
 * - `shared`: a read joins a flight already under way (and one finished less than `windowMs` ago,
 *   0 by default). A read asked after a write of this process never joins a flight that started
 *   before it (writes end every flight's sharing). Only reads that decide nothing by themselves use
 *   it: the precheck's, and the plan a switch locks by (src/aws/alb-router.ts says which is which).
 * - `fresh`: a read joins only a flight that starts after it was asked — the next one. While a
 *   flight is under way, every fresh read asked meanwhile waits for it to end and then shares one
 *   new flight. Each such read still sees every write that finished before it was asked (the
 *   switch under its lock, read-back after a Modify), yet fifty switches reading the same
 *   listener at once cost a few reads, not fifty: at most one flight's wait more per read.
 * A rollback's switch reads start at once, alone (src/ops/call-priority.ts): a flight started for
 * a cutover would make it wait at the cutover's rank for rate-limit tokens. A fresh read never
 * waits behind a flight started for less urgent work, and a queued flight starts at the priority
 * of its most urgent reader.
 * A failed read fails the reads that shared it, and is never shared past its flight. Each reader
 * gets its own copy of the result.
 */
import type { ElbPort } from '../app/ports/elb.js';
import { CALL_PRIORITIES, type CallPriority, callPriority, withCallPriority } from '../ops/call-priority.js';

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

/** A flight of the fresh reads of one key: the one under way, and the one queued behind it. */
interface FreshFlights {
  current: Promise<unknown>;
  /** The priority `current` was started at: it waits for rate-limit tokens at that rank. */
  priority: CallPriority;
  next?: Promise<unknown>;
  /** The priority of the most urgent reader waiting for `next`: the rank it starts at. */
  best?: CallPriority;
}

const rank = (p: CallPriority) => CALL_PRIORITIES.indexOf(p);

/** One key per set of listeners asked for (in any order), or per load balancer. */
function listenersKey(query: Parameters<ElbPort['describeListeners']>[0]): string {
  return 'listenerArns' in query
    ? `listeners:${[...query.listenerArns].sort().join(',')}`
    : `lb:${query.loadBalancerArn}`;
}

/** Each reader's own copy: a caller that edits what it read cannot change what another sees. */
const copy = <T>(p: Promise<T>): Promise<T> => p.then((v) => structuredClone(v));

export function sharedReads(port: ElbPort, opts: SharedReadOptions = {}): SharedElb {
  const windowMs = opts.windowMs ?? 0;
  const now = opts.now ?? (() => Date.now());
  const reads = new Map<string, { result: Promise<unknown>; settledAt?: number }>();
  const forgetAll = () => reads.clear();
  function shared<T>(readKey: string, read: () => Promise<T>): Promise<T> {
    // A rollback joins no flight: one started for a cutover waits for tokens at the cutover's
    // rank, and the rollback would wait with it. Work of other priorities shares no flight either
    // (a cutover must not wait at a verification's rank).
    const priority = callPriority();
    if (priority === 'rollback') return read();
    const key = `${priority} ${readKey}`;
    const known = reads.get(key);
    if (known && (known.settledAt === undefined || now() - known.settledAt < windowMs))
      return copy(known.result as Promise<T>);
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
    return copy(entry.result);
  }
  const flights = new Map<string, FreshFlights>();
  /** Starts a flight as the key's current one; when it ends, the queued one (if any) starts. */
  function launch<T>(key: string, read: () => Promise<T>): Promise<T> {
    const result = read();
    const state: FreshFlights = { current: result, priority: callPriority() };
    flights.set(key, state);
    const settled = () => {
      if (flights.get(key) !== state) return;
      if (state.next === undefined) flights.delete(key);
    };
    result.then(settled, settled);
    return result;
  }
  function fresh<T>(key: string, read: () => Promise<T>): Promise<T> {
    // A rollback's read waits for no flight: it starts its own at once (one more Describe call,
    // for the one switch someone is waiting on because production hurts).
    const priority = callPriority();
    if (priority === 'rollback') return read();
    const flying = flights.get(key);
    // No flight, or one started for less urgent work (it may wait long for tokens at its rank,
    // behind a release train): start one now; later readers of this priority queue behind it.
    if (!flying || rank(priority) < rank(flying.priority)) return copy(launch(key, read));
    // The queued flight starts at the priority of its most urgent reader: it waits for rate-limit
    // tokens at that rank, so a cutover that joins a flight a verification queued does not wait
    // at the verification's rank.
    if (flying.best === undefined || rank(priority) < rank(flying.best)) flying.best = priority;
    if (flying.next === undefined) {
      const afterCurrent = flying.current.then(
        () => undefined,
        () => undefined,
      );
      flying.next = afterCurrent.then(() => {
        return withCallPriority(flying.best ?? priority, () => launch(key, read));
      });
    }
    return copy(flying.next as Promise<T>);
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
    describeTags: (arns: string[]) => port.describeTags(arns),
  };
  /** The port whose listener and rule reads go through `share` (shared or fresh). */
  const withReads = (share: <T>(key: string, read: () => Promise<T>) => Promise<T>): ElbPort => ({
    ...others,
    ...writes,
    describeListeners: (query) => share(listenersKey(query), () => port.describeListeners(query)),
    describeRules: (listenerArn) => share(`rules:${listenerArn}`, () => port.describeRules(listenerArn)),
  });
  return { shared: withReads(shared), fresh: withReads(fresh) };
}
