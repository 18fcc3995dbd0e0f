import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiThrottle, AWS_API_LIMITS } from '../../sandbox/fake-elb/api-limits.js';
import { fakeElbClient } from '../../sandbox/fake-elb/client.js';
import { FakeElbState, forward } from '../../sandbox/fake-elb/state.js';
import { createElbAdapter } from '../../src/aws/elb-sdk-adapter.js';
import { AWS_ELB_RATE_LIMITS, PriorityBucket, rateLimitClient } from '../../src/aws/rate-limit.js';
import { type CallPriority, jobCallPriority, withCallPriority } from '../../src/ops/call-priority.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('a token bucket whose waiting calls are served by priority', () => {
  it('ranks jobs: a rollback, a cutover, a precheck, then the rest', () => {
    expect(['rollback', 'cutover', 'precheck', 'verify', 'teardown'].map(jobCallPriority)).toEqual([
      'rollback',
      'switch',
      'precheck',
      'background',
      'background',
    ]);
  });

  it('serves a rollback before a cutover before a precheck before background work, then in order', async () => {
    vi.useFakeTimers({ now: 0 });
    const bucket = new PriorityBucket({ capacity: 2, refillPerSecond: 1 });
    const served: string[] = [];
    const take = (what: string, p: CallPriority) => bucket.take(p).then(() => served.push(what));
    await take('first', 'background');
    await take('second', 'background');
    const waiting = [
      take('scan', 'background'),
      take('poll', 'background'),
      take('precheck', 'precheck'),
      take('cutover', 'switch'),
      take('rollback', 'rollback'),
    ];
    await vi.advanceTimersByTimeAsync(1_000);
    expect(served).toEqual(['first', 'second', 'rollback']);
    await vi.advanceTimersByTimeAsync(4_000);
    await Promise.all(waiting);
    expect(served).toEqual(['first', 'second', 'rollback', 'cutover', 'precheck', 'scan', 'poll']);
    expect(bucket.waited).toBe(5);
  });
});

/** One load balancer with a listener forwarding to one group. */
function shop(state: FakeElbState) {
  const lb = state.addLoadBalancer('shop');
  const blue = state.addTargetGroup('blue');
  const listener = state.addListener({
    loadBalancerArn: lb,
    port: 443,
    defaultActions: [forward([blue, 1])],
  });
  return { listener, blue };
}

describe('the ELBv2 client limited to AWS’s own buckets', () => {
  it('keeps 60 concurrent describes under AWS’s Describe bucket: none throttled, those past 36 waited', async () => {
    const state = new FakeElbState();
    state.throttle = new ApiThrottle(AWS_API_LIMITS, state.now());
    const { listener } = shop(state);
    const client = fakeElbClient(state, { maxAttempts: 1 });
    const stats = rateLimitClient(client, AWS_ELB_RATE_LIMITS);
    const port = createElbAdapter(client);
    await withCallPriority('background', () =>
      Promise.all(Array.from({ length: 60 }, () => port.describeRules(listener))),
    );
    expect(state.throttle.throttled.size).toBe(0);
    expect(stats.taken.describe).toBe(60);
    expect(stats.waited.describe).toBe(24);
  });

  it('takes a token for every page of a paged describe', async () => {
    const state = new FakeElbState();
    state.pageCap = 1;
    const { listener, blue } = shop(state);
    for (const priority of [10, 20, 30])
      state.addRule({
        listenerArn: listener,
        priority,
        actions: [forward([blue, 1])],
        conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [`/p${priority}`] } }],
      });
    const client = fakeElbClient(state, { maxAttempts: 1 });
    const stats = rateLimitClient(client, {
      ...AWS_ELB_RATE_LIMITS,
      describe: { capacity: 2, refillPerSecond: 1_000 },
    });
    const rules = await createElbAdapter(client).describeRules(listener);
    expect(rules).toHaveLength(4); // three rules and the default rule, one a page
    expect(state.calls.filter((c) => c.operation === 'DescribeRules')).toHaveLength(4);
    expect(stats.taken.describe).toBe(4);
  });
});
