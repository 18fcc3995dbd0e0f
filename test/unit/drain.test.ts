import { beforeEach, describe, expect, it } from 'vitest';
import { fakeElbClient } from '../../sandbox/fake-elb/client.js';
import { FakeElbState, forward } from '../../sandbox/fake-elb/state.js';
import type { ElbPort } from '../../src/app/ports/elb.js';
import { createElbAdapter } from '../../src/aws/elb-sdk-adapter.js';
import { drainSlot } from '../helpers/teardown-steps.js';

/**
 * A fake world on a manual clock: sleeping advances time, nothing waits for real. The group is
 * named by a listener (so its targets are health-checked and drain as AWS documents: `draining`
 * for the deregistration delay) unless `attached` is false. `timeScale` > 1 makes the fake drain
 * for longer than the delay the bot reads.
 */
function world(delaySeconds: string, opts: { timeScale?: number; lagMs?: number; attached?: boolean } = {}) {
  let t = 1_000_000;
  const state = new FakeElbState({
    now: () => t,
    timeScale: opts.timeScale ?? 1,
    deregisterLagMs: opts.lagMs ?? 0,
  });
  const tg = state.addTargetGroup('checkout-blue', {
    attributes: { 'deregistration_delay.timeout_seconds': delaySeconds },
  });
  if (opts.attached !== false) {
    const lb = state.addLoadBalancer('shop');
    state.addListener({ loadBalancerArn: lb, port: 443, defaultActions: [forward([tg, 1])] });
  }
  for (const id of ['i-1', 'i-2', 'i-3']) state.registerTarget(tg, id, 8080, 'healthy');
  const health = () => state.healthOf(tg).map((h) => h.health.state);
  const waitOpts = {
    slot: 'blue',
    pollMs: 1_000,
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
  return {
    state,
    tg,
    opts: waitOpts,
    health,
    port: createElbAdapter(fakeElbClient(state, { maxAttempts: 1 })) as ElbPort,
  };
}

const calls = (state: FakeElbState, op: string) => state.calls.filter((c) => c.operation === op);

describe('the drain steps: startDrain, then stillDraining until the targets left', () => {
  let w: ReturnType<typeof world>;
  beforeEach(() => {
    w = world('5');
  });

  it('deregisters every target and waits until every one has left the target group', async () => {
    const report = await drainSlot(w.port, w.tg, w.opts);
    expect(report).toEqual({ slot: 'blue', deregistered: 3, drainMs: 5_000, timedOut: false });
    expect(w.state.targetsOf(w.tg)).toEqual([]);
    expect(calls(w.state, 'DeregisterTargets')).toHaveLength(1);
  });

  it('on a re-run deregisters only the targets that are not draining yet', async () => {
    await w.port.deregisterTargets(w.tg, [{ Id: 'i-1', Port: 8080 }]);
    const report = await drainSlot(w.port, w.tg, w.opts);
    expect(report.deregistered).toBe(2);
    const sent = calls(w.state, 'DeregisterTargets')[1]?.params['Targets'] as { Id: string }[];
    expect(sent.map((t) => t.Id)).toEqual(['i-2', 'i-3']);
    expect(report.timedOut).toBe(false);
  });

  it('makes no deregistration call for an empty target group', async () => {
    const tg = w.state.addTargetGroup('empty');
    const report = await drainSlot(w.port, tg, w.opts);
    expect(report).toEqual({ slot: 'blue', deregistered: 0, drainMs: 0, timedOut: false });
    expect(calls(w.state, 'DeregisterTargets')).toHaveLength(0);
  });

  it('stops waiting after the deregistration delay plus the margin and reports a timeout', async () => {
    const slow = world('2', { timeScale: 30 });
    const report = await drainSlot(slow.port, slow.tg, { ...slow.opts, marginMs: 3_000 });
    expect(report.timedOut).toBe(true);
    expect(report.drainMs).toBe(5_000);
    expect(slow.health()).toEqual(['draining', 'draining', 'draining']);
  });

  it('keeps waiting while just-deregistered targets still read healthy, before they read draining', async () => {
    const lagging = world('5', { lagMs: 2_000 });
    const report = await drainSlot(lagging.port, lagging.tg, lagging.opts);
    expect(report).toEqual({ slot: 'blue', deregistered: 3, drainMs: 7_000, timedOut: false });
    expect(lagging.state.targetsOf(lagging.tg)).toEqual([]);
  });

  it('times out when deregistered targets still read healthy at the end of the bound', async () => {
    const stuck = world('2', { lagMs: 60_000 });
    const report = await drainSlot(stuck.port, stuck.tg, { ...stuck.opts, marginMs: 3_000 });
    expect(report).toMatchObject({ deregistered: 3, drainMs: 5_000, timedOut: true });
    expect(stuck.health()).toEqual(['healthy', 'healthy', 'healthy']);
  });

  it('counts a target that reads unused (its group is named by no forward) as gone', async () => {
    const detached = world('5', { attached: false, lagMs: 60_000 });
    expect(detached.health()).toEqual(['unused', 'unused', 'unused']);
    const report = await drainSlot(detached.port, detached.tg, detached.opts);
    expect(report).toMatchObject({ deregistered: 3, drainMs: 0, timedOut: false });
  });

  it('does not wait for a target registered after the drain started', async () => {
    const report = await drainSlot(w.port, w.tg, {
      ...w.opts,
      sleep: async (ms) => {
        await w.opts.sleep(ms);
        w.state.registerTarget(w.tg, 'i-new', 8080, 'healthy');
      },
    });
    expect(report).toMatchObject({ deregistered: 3, drainMs: 5_000, timedOut: false });
    expect(w.state.targetsOf(w.tg).map((t) => t.id)).toEqual(['i-new']);
  });
});
