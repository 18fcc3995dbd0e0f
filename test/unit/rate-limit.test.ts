import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiThrottle, AWS_API_LIMITS } from '../../sandbox/fake-elb/api-limits.js';
import { fakeElbClient } from '../../sandbox/fake-elb/client.js';
import { FakeElbState, forward } from '../../sandbox/fake-elb/state.js';
import { createElbAdapter } from '../../src/aws/elb-sdk-adapter.js';
import { AWS_ELB_RATE_LIMITS, PriorityBucket, rateLimitClient } from '../../src/aws/rate-limit.js';
import {
  type CallPriority,
  callJob,
  callPriority,
  jobCallPriority,
  runJobCalls,
  withCallPriority,
} from '../../src/ops/call-priority.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('a token bucket whose waiting calls are served by priority', () => {
  it('names the job a call is made for, whatever priority a step of it runs at', () => {
    expect(callJob()).toBeUndefined();
    runJobCalls('rollback', () => {
      expect([callJob(), callPriority()]).toEqual(['rollback', 'rollback']);
      withCallPriority('switch', () => expect([callJob(), callPriority()]).toEqual(['rollback', 'switch']));
    });
  });

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

describe('the tokens kept for rollbacks', () => {
  it('refuses a bucket too small for its reserve and headroom (background work would wait for ever)', () => {
    expect(
      () =>
        new PriorityBucket({ capacity: 3, refillPerSecond: 1, rollbackReserve: 2, backgroundHeadroom: 1 }),
    ).toThrow(/cannot keep 3 in reserve/);
    expect(() => new PriorityBucket(AWS_ELB_RATE_LIMITS.describe)).not.toThrow();
  });

  it('serves a cutover queued ahead of a scan as soon as its own token is there', async () => {
    vi.useFakeTimers({ now: 0 });
    const bucket = new PriorityBucket({ capacity: 3, refillPerSecond: 1, backgroundHeadroom: 2 });
    for (let i = 0; i < 3; i += 1) await bucket.take('switch');
    const served: string[] = [];
    const scan = bucket.take('background').then(() => served.push('scan')); // needs 3 tokens
    const cutover = bucket.take('switch').then(() => served.push('cutover')); // needs 1
    await vi.advanceTimersByTimeAsync(1_050);
    expect(served).toEqual(['cutover']);
    await vi.advanceTimersByTimeAsync(3_000);
    await Promise.all([scan, cutover]);
    expect(served).toEqual(['cutover', 'scan']);
  });

  it('leaves the headroom to cutovers: background work takes a token only above it', async () => {
    vi.useFakeTimers({ now: 0 });
    const bucket = new PriorityBucket({
      capacity: 5,
      refillPerSecond: 1,
      rollbackReserve: 1,
      backgroundHeadroom: 2,
    });
    const served: string[] = [];
    const take = (what: string, p: CallPriority) => bucket.take(p).then(() => served.push(what));
    await take('scan 1', 'background');
    await take('scan 2', 'background');
    const third = take('scan 3', 'background'); // 3 left: 1 for rollbacks, 2 of headroom
    await vi.advanceTimersByTimeAsync(0);
    await take('cutover', 'switch');
    expect(served).toEqual(['scan 1', 'scan 2', 'cutover']);
    // 2 tokens left: the scan waits until the bucket holds 4 again.
    await vi.advanceTimersByTimeAsync(1_500);
    expect(served).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(600);
    await third;
    expect(served.at(-1)).toBe('scan 3');
  });

  it('lets other work take a token only above the reserve, and a rollback the reserve at once', async () => {
    vi.useFakeTimers({ now: 0 });
    const bucket = new PriorityBucket({ capacity: 4, refillPerSecond: 1, rollbackReserve: 2 });
    const served: string[] = [];
    const take = (what: string, p: CallPriority) => bucket.take(p).then(() => served.push(what));
    await take('cutover 1', 'switch');
    await take('cutover 2', 'switch');
    const third = take('cutover 3', 'switch'); // two tokens left: the reserve
    await vi.advanceTimersByTimeAsync(0);
    expect(served).toEqual(['cutover 1', 'cutover 2']);
    await take('rollback', 'rollback');
    expect(served).toEqual(['cutover 1', 'cutover 2', 'rollback']);
    // One token left, under the reserve: the cutover waits until the bucket holds three again.
    await vi.advanceTimersByTimeAsync(1_900);
    expect(served).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(200);
    await third;
    expect(served.at(-1)).toBe('cutover 3');
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
  it('keeps 60 concurrent describes under AWS’s Describe bucket: none throttled, those past 24 waited', async () => {
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
    // 36 tokens at 90 % of AWS's 40; 4 kept for rollbacks and 8 more that background work
    // leaves: 24 go at once.
    expect(stats.waited.describe).toBe(36);
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
