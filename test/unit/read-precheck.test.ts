import { describe, expect, it } from 'vitest';
import { fakeElbClient } from '../../sandbox/fake-elb/client.js';
import { DEMO, demoState } from '../../sandbox/fake-elb/demo.js';
import { forward } from '../../sandbox/fake-elb/state.js';
import { createElbAdapter } from '../../src/aws/elb-sdk-adapter.js';
import { detachSlot, ensurePreviewRules } from '../../src/aws/preview-rules.js';
import { readLiveSlot, readPrecheck } from '../../src/aws/read-precheck.js';
import { previewPriority } from '../../src/domain/preview.js';
import type { ServiceConfig } from '../../src/domain/service.js';
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
  it('attaches the target slot with a rule matched only by its preview header, and shows it in the report', async () => {
    const { state, port } = demo();
    const { report, attached } = await readPrecheck(port, checkout, 'green');
    // The lowest free priority of the listener (search's rule has 10) for the target; blue, the
    // live slot, takes the next: its rule is needed once the cutover moves traffic off it, and made
    // now the cutover creates nothing.
    expect(attached.map((a) => [a.slot, a.priority])).toEqual([
      ['green', 1],
      ['blue', 2],
    ]);
    expect(report.previews).toEqual([
      {
        slot: 'blue',
        place: ':443 rule 2',
        match: 'header X-Greenlight-Slot: checkout/blue',
        attachedNow: true,
      },
      {
        slot: 'green',
        place: ':443 rule 1',
        match: 'header X-Greenlight-Slot: checkout/green',
        attachedNow: true,
      },
    ]);
    const created = state.rulesOf(DEMO.checkout.listenerArn).filter((r) => r.priority < 10);
    expect(created.map((r) => r.conditions)).toEqual(
      ['green', 'blue'].map((slot) => [
        {
          Field: 'http-header',
          HttpHeaderConfig: { HttpHeaderName: 'X-Greenlight-Slot', Values: [`checkout/${slot}`] },
        },
      ]),
    );
    // Preview rules are not production forwards: the live slot and the forwards are as before.
    expect(report.forwards).toHaveLength(1);
    expect(await readLiveSlot(port, checkout)).toBe('blue');
    // Every slot, as the cutover asks: both are there already.
    const all = await ensurePreviewRules(port, checkout);
    expect(all.created).toEqual([]);
    expect([...all.rules.keys()].sort()).toEqual(['blue', 'green']);
  });

  it('finds the rule again instead of creating it twice', async () => {
    const { state, port } = demo();
    await readPrecheck(port, checkout, 'green');
    const again = await readPrecheck(port, checkout, 'green');
    expect(again.attached).toEqual([]);
    expect(again.report.previews?.every((p) => !p.attachedNow)).toBe(true);
    expect(operations(state, 'CreateRule')).toHaveLength(2); // green's and blue's, once each
  });

  it('attaches nothing when something else blocks (green is already live)', async () => {
    const { state, port } = demo();
    state.listener(DEMO.checkout.listenerArn).defaultActions = [forward([DEMO.checkout.greenArn, 1])];
    const { report, attached } = await readPrecheck(port, checkout, 'green');
    expect(report.problems).toContain('green is already live: there is nothing to switch.');
    expect(attached).toEqual([]);
    expect(operations(state, 'CreateRule')).toHaveLength(0);
  });

  it('refuses a preview-like rule that is not the config’s (an earlier header), and attaches nothing', async () => {
    const { state, port } = demo();
    state.addRule({
      listenerArn: DEMO.checkout.listenerArn,
      priority: 3,
      actions: [forward([DEMO.checkout.greenArn, 1])],
      conditions: [
        {
          Field: 'http-header',
          HttpHeaderConfig: { HttpHeaderName: 'X-Old-Slot', Values: ['checkout/green'] },
        },
      ],
    });
    const { report, attached } = await readPrecheck(port, checkout, 'green');
    expect(report.problems).toEqual([
      expect.stringMatching(
        /^:443 rule 3 forwards to green only for requests matching a single header or host condition, but it is not checkout's preview rule for green in the config/,
      ),
    ]);
    expect(attached).toEqual([]);
  });

  it('takes a production host rule to one slot for what it is (many services on one load balancer)', async () => {
    const { state, port } = demo();
    state.addRule({
      listenerArn: DEMO.checkout.listenerArn,
      priority: 3,
      actions: [forward([DEMO.checkout.blueArn, 1])],
      conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['checkout.shop.example.com'] } }],
    });
    const { report } = await readPrecheck(port, checkout, 'green');
    expect(report.problems).toEqual([]);
  });

  it('refuses a host rule that fits the preview host template but is not the config’s slot rule', async () => {
    const { state, port } = demo();
    const hosted = {
      ...checkout,
      preview: { ...checkout.preview, host: '{slot}.checkout.preview.example.com' },
    };
    // Green's preview host, but forwarding to blue: not the config's rule (hand-made, or older).
    state.addRule({
      listenerArn: DEMO.checkout.listenerArn,
      priority: 3,
      actions: [forward([DEMO.checkout.blueArn, 1])],
      conditions: [
        { Field: 'host-header', HostHeaderConfig: { Values: ['green.checkout.preview.example.com'] } },
      ],
    });
    // A production host that fits the template's shape with another first label is production.
    state.addRule({
      listenerArn: DEMO.checkout.listenerArn,
      priority: 4,
      actions: [forward([DEMO.checkout.blueArn, 1])],
      conditions: [
        { Field: 'host-header', HostHeaderConfig: { Values: ['api.checkout.preview.example.com'] } },
      ],
    });
    const { report } = await readPrecheck(port, hosted, 'green');
    expect(report.problems).toEqual([expect.stringMatching(/^:443 rule 3 forwards to blue only/)]);
  });

  it('blocks at once when fewer targets are registered than minHealthyTargets, instead of waiting', async () => {
    const { port } = demo();
    const { report } = await readPrecheck(port, { ...search, minHealthyTargets: 3 }, 'green', {
      mayWait: true,
    });
    expect(report.settling).toBe(0);
    expect(report.problems).toEqual(['green has 0 healthy targets; at least 3 required.']);
  });

  it('warns that the preview rules skip the authentication the production forwards do', async () => {
    const { state, port } = demo();
    state.listener(DEMO.checkout.listenerArn).defaultActions = [
      {
        Type: 'authenticate-cognito',
        Order: 1,
        AuthenticateCognitoConfig: { UserPoolArn: 'arn:pool', UserPoolClientId: 'c', UserPoolDomain: 'd' },
      },
      { ...forward([DEMO.checkout.blueArn, 1], [DEMO.checkout.greenArn, 0]), Order: 2 },
    ];
    const { report } = await readPrecheck(port, checkout, 'green');
    expect(report.warnings.at(-1)).toMatch(
      /^The production forwards of checkout authenticate users \(authenticate-cognito\) but its preview rules do not/,
    );
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
    await readPrecheck(port, search, 'green', { mayWait: true });
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
    // Another writer's rule lands at priority 1 between our read and our CreateRule.
    let raced = false;
    const racing = {
      ...port,
      createRule: async (...args: Parameters<typeof port.createRule>) => {
        if (!raced) {
          raced = true;
          state.addRule({
            listenerArn: DEMO.checkout.listenerArn,
            priority: 1,
            actions: [forward([DEMO.search.blueArn, 1])],
          });
        }
        return port.createRule(...args);
      },
    };
    const { created } = await ensurePreviewRules(racing, checkout);
    // Both created after the race, on free priorities (one of the next few, at random).
    expect(created.map((c) => c.slot)).toEqual(['blue', 'green']);
    const priorities = created.map((c) => c.priority);
    expect(priorities.every((p) => p > 1)).toBe(true);
    expect(new Set(priorities).size).toBe(2);
    expect(state.rulesOf(DEMO.checkout.listenerArn).filter((r) => r.priority === 1)).toHaveLength(1);
  });

  it('finds its own rule when a CreateRule took effect but its answer was lost', async () => {
    const { state, port } = demo();
    const svc = { ...checkout, preview: { ...checkout.preview, priority: 500 } };
    state.failNext('CreateRule', 'InternalFailure', 'connection reset', { afterApply: true });
    await expect(ensurePreviewRules(port, svc, ['green'])).rejects.toMatchObject({ code: 'InternalFailure' });
    // The retry (a re-run) finds the rule instead of failing on its priority.
    const again = await ensurePreviewRules(port, svc, ['green']);
    expect(again.created).toEqual([]);
    expect(again.rules.get('green')?.Priority).toBe('501');
  });

  it('detaches a slot by deleting its preview rule: its targets read unused again', async () => {
    const { state, port } = demo();
    await ensurePreviewRules(port, search);
    expect(await detachSlot(port, search, 'green')).toBe(2);
    expect(state.healthOf(DEMO.search.greenArn).map((t) => t.health.state)).toEqual(['unused', 'unused']);
    expect(await detachSlot(port, search, 'green')).toBeNull();
  });
});

describe('preview rules created by many services at once on one listener', () => {
  it('all get a priority: a writer that lost a race picks one of the next few free ones', async () => {
    const { state, port } = demo();
    const services = Array.from({ length: 20 }, (_, i) => ({ ...checkout, name: `svc-${i}` }));
    const results = await Promise.all(services.map((svc) => ensurePreviewRules(port, svc)));
    expect(results.every((r) => r.rules.size === 2)).toBe(true);
    const priorities = state.rulesOf(DEMO.checkout.listenerArn).map((r) => r.priority);
    expect(new Set(priorities).size).toBe(priorities.length);
    expect(operations(state, 'CreateRule').length).toBeGreaterThanOrEqual(40);
  });

  it('takes the lowest free priority, or a later one when asked to skip', () => {
    const used = new Set([1, 2, 4]);
    expect(previewPriority(checkout.preview, 0, used)).toBe(3);
    expect(previewPriority(checkout.preview, 0, used, 2)).toBe(6);
  });
});
