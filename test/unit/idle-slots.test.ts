import { describe, expect, it } from 'vitest';
import { afterCutoverOwed, switchedOf } from '../../src/domain/after-cutover.js';
import { lastToMoveTraffic } from '../../src/domain/deployment.js';
import { dueForReport, idleSlots, type ServiceReading } from '../../src/domain/idle-slots.js';
import { deployment } from '../helpers/block-fixtures.js';

const HOUR = 3_600_000;

function reading(over: Partial<ServiceReading> = {}): ServiceReading {
  return {
    service: 'checkout',
    soakMs: HOUR,
    live: 'green',
    slots: [
      { slot: 'blue', registered: 2 },
      { slot: 'green', registered: 2 },
    ],
    recent: [],
    ...over,
  };
}

describe('idle slots seen from AWS', () => {
  it('finds a non-live slot with registered targets when no record accounts for it', () => {
    expect(idleSlots(reading()).map((s) => s.slot)).toEqual(['blue']);
  });

  it('finds one whose compute still runs though its targets were deregistered', () => {
    const slots = [
      { slot: 'blue', registered: 0, compute: { what: 'ECS service blue', running: 3 } },
      { slot: 'green', registered: 2 },
    ];
    expect(idleSlots(reading({ slots })).map((s) => s.slot)).toEqual(['blue']);
  });

  it('ignores a slot with nothing registered and nothing running', () => {
    const slots = [
      { slot: 'blue', registered: 0, compute: { what: 'ASG blue', running: 0 } },
      { slot: 'green', registered: 2 },
    ];
    expect(idleSlots(reading({ slots }))).toEqual([]);
  });

  it('judges nothing while traffic is split, unreadable, or a deployment is in flight', () => {
    expect(idleSlots(reading({ live: 'mixed' }))).toEqual([]);
    expect(idleSlots(reading({ live: null }))).toEqual([]);
    expect(idleSlots(reading({ recent: [deployment('awaiting_approval')] }))).toEqual([]);
  });

  it('accounts for the old slot a soaking deployment keeps on purpose, not after it ended', () => {
    expect(idleSlots(reading({ recent: [deployment('soaking')] }))).toEqual([]);
    expect(idleSlots(reading({ recent: [deployment('done')] })).map((s) => s.slot)).toEqual(['blue']);
  });

  it('reports after the soak, or at once after a data loss', () => {
    const idle = [
      { slot: 'blue', idleSince: 0 },
      { slot: 'red', idleSince: HOUR },
    ];
    expect(dueForReport(idle, HOUR, HOUR + 1, false)).toEqual(['blue']);
    expect(dueForReport(idle, HOUR, HOUR + 1, true)).toEqual(['blue', 'red']);
  });
});

describe('the deployment a Rollback acts on', () => {
  it('is the newest that moved traffic, skipping later ones that never reached the switch', () => {
    const failed = deployment('failed', { id: 'a', switchStartedAt: 1 });
    const cancelled = deployment('cancelled', { id: 'b' });
    expect(lastToMoveTraffic([cancelled, failed])?.id).toBe('a');
    expect(lastToMoveTraffic([cancelled])).toBeUndefined();
  });
});

describe('the afterCutover hook owed by a record', () => {
  it('is owed once the attempt ended after beforeCutover was called, whatever happened', () => {
    const refused = deployment('failed', { messages: { posted: ['called:beforeCutover'] } });
    expect(afterCutoverOwed(refused, true)).toBe(true);
    expect(switchedOf(refused)).toBe('none');
    expect(
      afterCutoverOwed(deployment('cutting_over', { messages: { posted: ['called:beforeCutover'] } }), true),
    ).toBe(false);
  });

  it('is owed after a switch, and no more once called or when the service has no such hook', () => {
    const switched = deployment('verifying', {
      history: [{ at: 1, event: 'cutover_succeeded', from: 'cutting_over', to: 'verifying' }],
    });
    expect(afterCutoverOwed(switched, true)).toBe(true);
    expect(switchedOf(switched)).toBe('all');
    expect(afterCutoverOwed(switched, false)).toBe(false);
    const paid = { ...switched, messages: { posted: ['called:afterCutover'] } };
    expect(afterCutoverOwed(paid, true)).toBe(false);
  });

  it('is not owed by a deployment cancelled before approval', () => {
    expect(afterCutoverOwed(deployment('cancelled'), true)).toBe(false);
  });
});
