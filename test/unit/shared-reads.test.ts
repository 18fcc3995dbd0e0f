import { describe, expect, it } from 'vitest';
import type { ElbPort } from '../../src/app/ports/elb.js';
import { sharedReads } from '../../src/aws/shared-reads.js';
import type { Listener, Rule } from '../../src/domain/load-balancer.js';
import { callPriority, withCallPriority } from '../../src/ops/call-priority.js';

/** An ElbPort whose calls are counted; reads answer when `settle()` is called (or fail when told). */
function countingPort() {
  const calls: string[] = [];
  const pending: (() => void)[] = [];
  let failNext = false;
  const answer = <T>(what: string, value: T): Promise<T> => {
    calls.push(what);
    const fail = failNext;
    failNext = false;
    return new Promise<T>((resolve, reject) =>
      pending.push(() => (fail ? reject(new Error('Throttling')) : resolve(value))),
    );
  };
  const port = {
    describeListeners: (q: { listenerArns: string[] } | { loadBalancerArn: string }) =>
      answer<Listener[]>(`DescribeListeners ${JSON.stringify(q)}`, []),
    // Each call's answer names the call, so a test can tell which flight a reader got.
    describeRules: (arn: string) =>
      answer<Rule[]>(`DescribeRules ${arn}`, [{ RuleArn: `flight-${calls.length + 1}` } as Rule]),
    modifyRule: async (arn: string) => {
      calls.push(`ModifyRule ${arn}`);
    },
  } as unknown as ElbPort;
  const settle = () => {
    for (const p of pending.splice(0)) p();
  };
  return { port, calls, settle, failOnce: () => (failNext = true) };
}

describe('listener and rule reads shared while in flight', () => {
  it('gives concurrent reads of the same listener one call; a read after it settled calls again', async () => {
    const { port, calls, settle } = countingPort();
    const { shared } = sharedReads(port);
    const reads = [shared.describeRules('L1'), shared.describeRules('L1'), shared.describeRules('L2')];
    settle();
    await Promise.all(reads);
    const again = shared.describeRules('L1');
    settle();
    await again;
    expect(calls).toEqual(['DescribeRules L1', 'DescribeRules L2', 'DescribeRules L1']);
  });

  it('keeps sharing a settled read for the window when one is set', async () => {
    let now = 0;
    const { port, calls, settle } = countingPort();
    const { shared } = sharedReads(port, { windowMs: 1_000, now: () => now });
    const first = shared.describeRules('L1');
    settle();
    await first;
    now = 999;
    await shared.describeRules('L1');
    now = 1_000;
    const late = shared.describeRules('L1');
    settle();
    await late;
    expect(calls).toEqual(['DescribeRules L1', 'DescribeRules L1']);
  });

  it('shares DescribeListeners by the set of listeners asked, in any order', async () => {
    const { port, calls, settle } = countingPort();
    const { shared } = sharedReads(port);
    const reads = [
      shared.describeListeners({ listenerArns: ['A', 'B'] }),
      shared.describeListeners({ listenerArns: ['B', 'A'] }),
      shared.describeListeners({ loadBalancerArn: 'LB' }),
    ];
    settle();
    await Promise.all(reads);
    expect(calls).toHaveLength(2);
  });

  it('shares no in-flight read between work of different priorities', async () => {
    const { port, calls, settle } = countingPort();
    const { shared } = sharedReads(port);
    const reads = [
      withCallPriority('background', () => shared.describeRules('L1')),
      withCallPriority('switch', () => shared.describeRules('L1')),
      withCallPriority('switch', () => shared.describeRules('L1')),
    ];
    expect(calls).toEqual(['DescribeRules L1', 'DescribeRules L1']);
    settle();
    await Promise.all(reads);
  });

  it('lets a rollback start its own read instead of joining one under way', async () => {
    const { port, calls, settle } = countingPort();
    const { shared } = sharedReads(port);
    const cutover = shared.describeRules('L1');
    const rollback = withCallPriority('rollback', () => shared.describeRules('L1'));
    expect(calls).toHaveLength(2);
    settle();
    await Promise.all([cutover, rollback]);
  });

  it('never lets a read asked after a write join a flight that started before it', async () => {
    const { port, calls, settle } = countingPort();
    const { shared, fresh } = sharedReads(port, { windowMs: 60_000, now: () => 0 });
    const before = shared.describeRules('L1');
    await fresh.modifyRule('R1', []);
    const after = shared.describeRules('L1');
    settle();
    await Promise.all([before, after]);
    expect(calls).toEqual(['DescribeRules L1', 'ModifyRule R1', 'DescribeRules L1']);
  });

  it('does not share a failed read past its flight', async () => {
    const { port, calls, settle, failOnce } = countingPort();
    const { shared } = sharedReads(port, { windowMs: 60_000, now: () => 0 });
    failOnce();
    const failed = shared.describeRules('L1');
    settle();
    await expect(failed).rejects.toThrow('Throttling');
    const again = shared.describeRules('L1');
    settle();
    await again;
    expect(calls).toEqual(['DescribeRules L1', 'DescribeRules L1']);
  });
});

describe('fresh reads: only a flight that starts after the read was asked', () => {
  /** Lets the queued flight start (it starts once the one under way has settled). */
  const turn = () => new Promise((r) => setImmediate(r));

  it('makes the reads asked during a flight wait for the next one, and share it', async () => {
    const { port, calls, settle } = countingPort();
    const { fresh } = sharedReads(port);
    const first = fresh.describeRules('L1');
    const during = [fresh.describeRules('L1'), fresh.describeRules('L1'), fresh.describeRules('L1')];
    expect(calls).toHaveLength(1);
    settle();
    expect((await first)[0]?.RuleArn).toBe('flight-1');
    await turn();
    expect(calls).toHaveLength(2);
    settle();
    const got = await Promise.all(during);
    expect(got.map((r) => r[0]?.RuleArn)).toEqual(['flight-2', 'flight-2', 'flight-2']);
    expect(calls).toEqual(['DescribeRules L1', 'DescribeRules L1']);
  });

  it('starts at once when no flight is under way, and keeps listeners apart', async () => {
    const { port, calls, settle } = countingPort();
    const { fresh } = sharedReads(port);
    const reads = [fresh.describeRules('L1'), fresh.describeRules('L2')];
    expect(calls).toEqual(['DescribeRules L1', 'DescribeRules L2']);
    settle();
    await Promise.all(reads);
    const later = fresh.describeRules('L1');
    expect(calls).toHaveLength(3);
    settle();
    await later;
  });

  it('fails only the readers of a failed flight; those queued behind it read anew', async () => {
    const { port, calls, settle, failOnce } = countingPort();
    const { fresh } = sharedReads(port);
    failOnce();
    const failed = fresh.describeRules('L1');
    const queued = fresh.describeRules('L1');
    settle();
    await expect(failed).rejects.toThrow('Throttling');
    await turn();
    settle();
    expect((await queued)[0]?.RuleArn).toBe('flight-2');
    expect(calls).toHaveLength(2);
  });

  it('lets a rollback read at once, without waiting for the flight under way', async () => {
    const { port, calls, settle } = countingPort();
    const { fresh } = sharedReads(port);
    const cutover = fresh.describeRules('L1');
    const rollback = withCallPriority('rollback', () => fresh.describeRules('L1'));
    expect(calls).toHaveLength(2);
    settle();
    expect((await rollback)[0]?.RuleArn).toBe('flight-2');
    await cutover;
  });

  it('starts a queued flight at the rank of its most urgent reader', async () => {
    const ranks: string[] = [];
    const { port, settle } = countingPort();
    const seen = {
      ...port,
      describeRules: (arn: string) => {
        ranks.push(callPriority());
        return port.describeRules(arn);
      },
    };
    const { fresh } = sharedReads(seen as ElbPort);
    // A cutover's flight under way; a scan queues the next one, then a precheck joins it.
    const first = withCallPriority('switch', () => fresh.describeRules('L1'));
    const queued = [
      withCallPriority('background', () => fresh.describeRules('L1')),
      withCallPriority('precheck', () => fresh.describeRules('L1')),
    ];
    settle();
    await first;
    await turn();
    settle();
    await Promise.all(queued);
    expect(ranks).toEqual(['switch', 'precheck']);
  });

  it('never makes a read wait behind a flight started for less urgent work', async () => {
    const { port, calls, settle } = countingPort();
    const { fresh } = sharedReads(port);
    const scan = withCallPriority('background', () => fresh.describeRules('L1'));
    const cutover = withCallPriority('switch', () => fresh.describeRules('L1'));
    expect(calls).toHaveLength(2); // the cutover's own flight, at once
    const another = withCallPriority('switch', () => fresh.describeRules('L1'));
    expect(calls).toHaveLength(2); // queued behind the cutover's flight, not the scan's
    settle();
    await Promise.all([scan, cutover]);
    await turn();
    settle();
    expect((await another)[0]?.RuleArn).toBe('flight-3');
  });

  it('gives every reader its own copy of what was read', async () => {
    const { port, settle } = countingPort();
    const { fresh } = sharedReads(port);
    const first = fresh.describeRules('L1');
    const [a, b] = [fresh.describeRules('L1'), fresh.describeRules('L1')];
    settle();
    await first;
    await turn();
    settle();
    const [ra, rb] = await Promise.all([a, b]);
    (ra[0] as Rule).RuleArn = 'edited';
    expect(rb[0]?.RuleArn).toBe('flight-2');
  });
});
