import { describe, expect, it } from 'vitest';
import { createElbAdapter } from '../../src/aws/elb-sdk-adapter.js';
import { detachSlot, ensurePreviewRules } from '../../src/aws/preview-rules.js';
import { readLiveSlot, readPrecheck } from '../../src/aws/read-precheck.js';
import type { ServiceConfig } from '../../src/config/schema.js';
import { fakeElbClient } from '../../src/sandbox/fake-elb/client.js';
import { DEMO, demoState } from '../../src/sandbox/fake-elb/demo.js';
import { operations } from '../helpers/elb-world.js';
import { serviceConfig } from '../helpers/service-config.js';

const checkout: ServiceConfig = serviceConfig({
  listeners: [DEMO.checkout.listenerArn],
  slots: { blue: DEMO.checkout.blueArn, green: DEMO.checkout.greenArn },
  minHealthyTargets: 2,
});

const search: ServiceConfig = serviceConfig({
  name: 'search',
  listeners: [DEMO.search.listenerArn],
  slots: { blue: DEMO.search.blueArn, green: DEMO.search.greenArn },
});

/** The demo world on a manual clock (AWS's own health-check timing: 5 checks × 30 s). */
function demo() {
  const clock = { t: 1_800_000_000_000 };
  const state = demoState({ now: () => clock.t });
  return { clock, state, port: createElbAdapter(fakeElbClient(state, { maxAttempts: 1 })) };
}

describe('readPrecheck and readLiveSlot', () => {
  it('reads blue as live on the demo and passes the precheck for green', async () => {
    const { port } = demo();
    expect(await readLiveSlot(port, checkout)).toBe('blue');
    const { report } = await readPrecheck(port, checkout, 'green');
    expect(report).toMatchObject({ liveSlot: 'blue', targetSlot: 'green', problems: [], warnings: [] });
    expect(report.health).toMatchObject({ slot: 'green', healthy: 2, total: 2 });
    expect(report.forwards).toHaveLength(1);
    expect(report.stickiness.map((s) => [s.slot, s.deregistrationDelaySeconds])).toEqual([
      ['blue', 30],
      ['green', 30],
    ]);
  });

  it('blocks with the unhealthy target named and warns about blue’s stickiness', async () => {
    const { state, port } = demo();
    const [first] = state.targetsOf(DEMO.checkout.greenArn);
    state.setTargetHealth(DEMO.checkout.greenArn, first?.id ?? '', 'unhealthy', 'Target.Timeout');
    state.setTargetGroupAttributes(DEMO.checkout.blueArn, { 'stickiness.enabled': 'true' });
    const { report } = await readPrecheck(port, checkout, 'green', { mayWait: true });
    expect(report.problems).toEqual([
      `green target ${first?.id}:8080 is unhealthy (Target.Timeout).`,
      'green has 1 healthy target; at least 2 required.',
    ]);
    expect(report.warnings.join(' ')).toMatch(/stickiness is on for blue/);
  });

  it('refuses a slot the service does not have', async () => {
    const { report } = await readPrecheck(demo().port, checkout, 'purple');
    expect(report.problems).toEqual(['purple is not a slot of checkout (slots: blue, green).']);
  });
});

describe('attaching the slots with their preview rules', () => {
  it('gives every slot a rule matched only by its preview header, and shows them in the report', async () => {
    const { state, port } = demo();
    const { report, attached } = await readPrecheck(port, checkout, 'green');
    // The lowest free priorities of the listener (search's rule has 10).
    expect(attached.map((a) => [a.slot, a.priority])).toEqual([
      ['blue', 1],
      ['green', 2],
    ]);
    expect(report.previews).toEqual([
      {
        slot: 'blue',
        place: ':443 rule 1',
        match: 'header X-Greenlight-Slot: checkout/blue',
        attachedNow: true,
      },
      {
        slot: 'green',
        place: ':443 rule 2',
        match: 'header X-Greenlight-Slot: checkout/green',
        attachedNow: true,
      },
    ]);
    const created = state.rulesOf(DEMO.checkout.listenerArn).filter((r) => r.priority < 10);
    expect(created.map((r) => r.conditions)).toEqual([
      [
        {
          Field: 'http-header',
          HttpHeaderConfig: { HttpHeaderName: 'X-Greenlight-Slot', Values: ['checkout/blue'] },
        },
      ],
      [
        {
          Field: 'http-header',
          HttpHeaderConfig: { HttpHeaderName: 'X-Greenlight-Slot', Values: ['checkout/green'] },
        },
      ],
    ]);
    // Preview rules are not production forwards: the live slot and the forwards are as before.
    expect(report.forwards).toHaveLength(1);
    expect(await readLiveSlot(port, checkout)).toBe('blue');
  });

  it('finds the rules again instead of creating them twice', async () => {
    const { state, port } = demo();
    await readPrecheck(port, checkout, 'green');
    const again = await readPrecheck(port, checkout, 'green');
    expect(again.attached).toEqual([]);
    expect(again.report.previews?.every((p) => !p.attachedNow)).toBe(true);
    expect(operations(state, 'CreateRule')).toHaveLength(2);
  });

  it('waits for a slot no forward named: its targets read initial after the attach, then healthy', async () => {
    const { clock, state, port } = demo();
    expect(state.healthOf(DEMO.search.greenArn).map((t) => t.health.reason)).toEqual([
      'Target.NotInUse',
      'Target.NotInUse',
    ]);
    const first = await readPrecheck(port, search, 'green', { mayWait: true });
    expect(first.report.problems).toEqual([]);
    expect(first.report.settling).toBe(2);
    expect(first.report.health.targets.map((t) => [t.state, t.reason])).toEqual([
      ['initial', 'Elb.InitialHealthChecking'],
      ['initial', 'Elb.InitialHealthChecking'],
    ]);
    expect(first.timing).toEqual({ intervalSeconds: 30, healthyThreshold: 5 });
    clock.t += 4 * 30_000;
    expect((await readPrecheck(port, search, 'green', { mayWait: true })).report.settling).toBe(2);
    clock.t += 30_000;
    const ready = await readPrecheck(port, search, 'green', { mayWait: true });
    expect(ready.report).toMatchObject({ settling: 0, problems: [] });
    expect(ready.report.health.healthy).toBe(2);
  });

  it('names targets still initial as problems once it may no longer wait', async () => {
    const { port } = demo();
    const { report } = await readPrecheck(port, search, 'green', { mayWait: false });
    expect(report.settling).toBe(0);
    expect(report.problems[0]).toMatch(/green target i-\S+ is initial \(Elb.InitialHealthChecking\)/);
  });

  it('takes the configured priorities, in slot order', async () => {
    const { state, port } = demo();
    const svc = { ...checkout, preview: { ...checkout.preview, priority: 500 } };
    await ensurePreviewRules(port, svc);
    expect(state.rulesOf(DEMO.checkout.listenerArn).map((r) => r.priority)).toEqual([10, 500, 501]);
  });

  it('takes the next free priority when another writer took one meanwhile (PriorityInUse)', async () => {
    const { state, port } = demo();
    state.failNext('CreateRule', 'PriorityInUse', "Priority '1' is currently in use");
    const { created } = await ensurePreviewRules(port, checkout);
    expect(created.map((c) => c.slot)).toEqual(['blue', 'green']);
    expect(operations(state, 'CreateRule')).toHaveLength(3);
  });

  it('detaches a slot by deleting its preview rule: its targets read unused again', async () => {
    const { state, port } = demo();
    await ensurePreviewRules(port, search);
    expect(await detachSlot(port, search, 'green')).toBe(2);
    expect(state.healthOf(DEMO.search.greenArn).map((t) => t.health.state)).toEqual(['unused', 'unused']);
    expect(await detachSlot(port, search, 'green')).toBeNull();
  });
});
