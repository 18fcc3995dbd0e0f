import { describe, expect, it } from 'vitest';
import { forgottenSlots, formatMoney, slotCost, soakCost } from '../../src/domain/cost.js';
import type { Deployment } from '../../src/domain/deployment.js';
import type { ServiceConfig } from '../../src/domain/service.js';
import type { State } from '../../src/domain/states.js';
import { deployment, HOUR, service, T0 } from '../helpers/block-fixtures.js';

const CUTOVER_DONE = T0 + 121_200; // deployment() fixture: cutover.finishedAt
const ROLLED_BACK_AT = T0 + 2 * HOUR;
const NOW = CUTOVER_DONE + 10 * HOUR;

describe('slotCost', () => {
  it.each<[string, number | undefined, number, number, number | undefined]>([
    ['ten hours at 0.70/h', 0.7, 0, 10 * HOUR, 7],
    ['half an hour at 2/h', 2, HOUR, 1.5 * HOUR, 1],
    ['a price of zero', 0, 0, HOUR, 0],
    ['an interval that ends before it starts', 5, 2 * HOUR, HOUR, 0],
    ['no hourly cost configured', undefined, 0, HOUR, undefined],
    ['a negative price (not a price)', -1, 0, HOUR, undefined],
    ['a non-finite start', 1, Number.NaN, HOUR, undefined],
  ])('costs %s correctly', (_name, hourly, from, to, expected) => {
    const cost = slotCost(hourly, from, to);
    if (expected === undefined) expect(cost).toBeUndefined();
    else expect(cost).toBeCloseTo(expected, 10);
  });
});

describe('formatMoney', () => {
  it.each<[number, string]>([
    [12.4, '$12.40'],
    [0.7, '$0.70'],
    [3.499, '$3.50'],
    [1234.5, '$1,234.50'],
    [1_000_000, '$1,000,000.00'],
    [0.009, '<$0.01'],
    [0.0001, '<$0.01'],
    [0, '$0.00'],
    [-2.5, '-$2.50'],
    [Number.NaN, '$?'],
  ])('formats %d as %s', (amount, text) => {
    expect(formatMoney(amount)).toBe(text);
  });
});

describe('soakCost', () => {
  const svc = service({ hourlyCost: { blue: 0.7 }, soakMs: 24 * HOUR });

  it('costs the old slot from the cutover until now, and what one Extend of the soak adds', () => {
    const c = soakCost(deployment('soaking'), svc, CUTOVER_DONE + 5 * HOUR);
    expect(c?.hourly).toBe(0.7);
    expect(c?.soFar).toBeCloseTo(3.5, 10);
    expect(c?.extendAdds).toBeCloseTo(16.8, 10);
  });

  it('stops counting when the deployment finished', () => {
    const d = deployment('done', { finishedAt: CUTOVER_DONE + 2 * HOUR });
    expect(soakCost(d, svc, NOW)?.soFar).toBeCloseTo(1.4, 10);
  });

  it.each<[string, Deployment, ServiceConfig]>([
    ['the old slot has no hourly cost', deployment('soaking'), service({ hourlyCost: { green: 1 } })],
    ['nothing was switched yet', deployment('awaiting_approval'), svc],
    ['the old slot is unknown', deployment('soaking', { fromSlot: null }), svc],
  ])('is undefined when %s', (_name, d, s) => {
    expect(soakCost(d, s, NOW)).toBeUndefined();
  });
});

describe('forgottenSlots', () => {
  const withCompute = service({
    hourlyCost: { blue: 0.5, green: 2 },
    compute: { blue: { kind: 'ecs', cluster: 'shop', service: 'checkout-blue' } },
  });
  const noCompute = service({ hourlyCost: { blue: 0.5, green: 2 } });
  const rollback = { startedAt: ROLLED_BACK_AT - 5000, finishedAt: ROLLED_BACK_AT, awsMs: 300, changed: 2 };
  const zero = {
    kind: 'ecs' as const,
    target: 'shop/checkout-blue',
    reachedZero: true,
    remaining: 0,
    waitedMs: 30_000,
  };

  it.each<
    [string, State, Partial<Deployment>, ServiceConfig, { slot: string; since: number; why: RegExp } | null]
  >([
    [
      'soaking keeps the old slot',
      'soaking',
      {},
      withCompute,
      { slot: 'blue', since: CUTOVER_DONE, why: /soak/ },
    ],
    [
      'verifying keeps the old slot',
      'verifying',
      {},
      withCompute,
      { slot: 'blue', since: CUTOVER_DONE, why: /verified/ },
    ],
    [
      'a failure after the cutover keeps the old slot',
      'failed',
      { cutover: { startedAt: T0, finishedAt: CUTOVER_DONE, awsMs: 1, changed: 1 } },
      withCompute,
      { slot: 'blue', since: CUTOVER_DONE, why: /never torn down/ },
    ],
    [
      'a failed teardown may leave the old slot running',
      'failed',
      {
        cutover: { startedAt: T0, finishedAt: CUTOVER_DONE, awsMs: 1, changed: 1 },
        teardownStartedAt: T0 + 24 * HOUR,
      },
      withCompute,
      { slot: 'blue', since: CUTOVER_DONE, why: /teardown failed/ },
    ],
    [
      'a rollback leaves the new slot idle',
      'rolled_back',
      { rollback },
      withCompute,
      { slot: 'green', since: ROLLED_BACK_AT, why: /idle after the rollback to blue/ },
    ],
    [
      'done without compute scale-down configured',
      'done',
      {},
      noCompute,
      { slot: 'blue', since: CUTOVER_DONE, why: /no compute scale-down configured/ },
    ],
    [
      'done with a scale-down that did not reach zero',
      'done',
      { scaleDown: { ...zero, reachedZero: false, remaining: 2 } },
      withCompute,
      { slot: 'blue', since: CUTOVER_DONE, why: /did not reach zero \(2 remaining\)/ },
    ],
    ['done with the old slot scaled to zero', 'done', { scaleDown: zero }, withCompute, null],
    ['done, scaled to zero, compute since removed from config', 'done', { scaleDown: zero }, noCompute, null],
    ['done with compute scale-down configured and no failure reported', 'done', {}, withCompute, null],
    ['a failure before the cutover', 'failed', {}, withCompute, null],
    ['awaiting approval', 'awaiting_approval', {}, withCompute, null],
    ['blocked', 'blocked', {}, withCompute, null],
    ['cancelled', 'cancelled', {}, withCompute, null],
  ])('%s', (_name, state, over, svc, expected) => {
    const found = forgottenSlots([deployment(state, over)], { checkout: svc }, NOW);
    if (expected === null) {
      expect(found).toEqual([]);
      return;
    }
    expect(found).toHaveLength(1);
    const [f] = found;
    expect(f?.service).toBe('checkout');
    expect(f?.slot).toBe(expected.slot);
    expect(f?.since).toBe(expected.since);
    expect(f?.ageMs).toBe(NOW - expected.since);
    expect(f?.why).toMatch(expected.why);
    expect(f?.deploymentId).toBe('checkout-20240102150400-a1b2');
  });

  it('prices each slot at its own hourly cost since it was left running', () => {
    const [blue] = forgottenSlots([deployment('soaking')], { checkout: noCompute }, NOW);
    expect(blue?.cost).toBeCloseTo(5, 10); // 10 h × 0.5
    const [green] = forgottenSlots([deployment('rolled_back', { rollback })], { checkout: noCompute }, NOW);
    expect(green?.cost).toBeCloseTo(2 * ((NOW - ROLLED_BACK_AT) / HOUR), 10);
  });

  it('reports a slot without an hourly cost, without a cost', () => {
    const [f] = forgottenSlots([deployment('soaking')], { checkout: service() }, NOW);
    expect(f).toBeDefined();
    expect(f).not.toHaveProperty('cost');
  });

  it('lists several services oldest first', () => {
    const old = deployment('soaking', {
      service: 'search',
      cutover: { startedAt: T0 - 5 * HOUR, finishedAt: T0 - 4 * HOUR, awsMs: 1, changed: 1 },
    });
    const found = forgottenSlots(
      [deployment('soaking'), old],
      { checkout: noCompute, search: service({ name: 'search' }) },
      NOW,
    );
    expect(found.map((f) => f.service)).toEqual(['search', 'checkout']);
  });
});
