import { describe, expect, it } from 'vitest';
import type { CutoverTiming, Deployment } from '../../src/domain/deployment.js';
import { TERMINAL_STATES } from '../../src/domain/deployment.js';
import type { DeploymentEvent, Effect, EventType, TransitionResult } from '../../src/domain/events.js';
import type { JobName } from '../../src/domain/job-ids.js';
import { JOB_NAMES, jobId } from '../../src/domain/job-ids.js';
import { newDeployment, newDeploymentId } from '../../src/domain/new-deployment.js';
import type { DeploymentReason } from '../../src/domain/reasons.js';
import { allowedEvents, canRollBack, transition } from '../../src/domain/state-machine.js';
import type { State } from '../../src/domain/states.js';
import { STATES } from '../../src/domain/states.js';
import { describeState, EVENT_TYPES } from '../../src/domain/transitions/rules.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 2, 1, 12, 0, 0);
/** Far enough after every fixture that all deadlines are due. */
const LATER = T0 + 60 * DAY;

/** A job's own explanation of a failed step. */
const stopped = (step: 'precheck' | 'cutover' | 'verify' | 'teardown' | 'rollback', detail: string) =>
  ({ code: 'stopped', params: { step, detail } }) satisfies DeploymentReason;

const timing = (startedAt: number): CutoverTiming => ({
  startedAt,
  finishedAt: startedAt + 1_500,
  awsMs: 900,
  changed: 2,
});

/** One sample of every event type (spelled out here, independently of the implementation's table). */
const SAMPLE: { [K in EventType]: Extract<DeploymentEvent, { type: K }> } = {
  precheck_started: { type: 'precheck_started' },
  precheck_passed: { type: 'precheck_passed', fromSlot: 'blue', approvalTimeoutMs: 30 * MIN },
  precheck_failed: { type: 'precheck_failed', reason: stopped('precheck', 'green has 0 healthy targets') },
  approve: { type: 'approve', user: 'U0APPROVER' },
  cancel: { type: 'cancel', user: 'U0REQ' },
  approval_expired: { type: 'approval_expired' },
  cutover_succeeded: { type: 'cutover_succeeded', timing: timing(T0), verifyWindowMs: 5 * MIN },
  cutover_failed: {
    type: 'cutover_failed',
    reason: { code: 'failure', params: { step: 'cutover', detail: 'ModifyListener throttled' } },
  },
  verify_passed: { type: 'verify_passed' },
  verify_failed: { type: 'verify_failed', reason: stopped('verify', 'rule 10 still forwards to blue') },
  extend: { type: 'extend', user: 'U0REQ', byMs: DAY },
  teardown_now: { type: 'teardown_now', user: 'U0REQ' },
  teardown_due: { type: 'teardown_due' },
  teardown_done: { type: 'teardown_done', detail: '3 targets drained' },
  teardown_failed: { type: 'teardown_failed', reason: stopped('teardown', 'targets still draining') },
  rollback: { type: 'rollback', user: 'U0APPROVER' },
  rollback_done: { type: 'rollback_done', timing: timing(T0) },
  rollback_failed: {
    type: 'rollback_failed',
    reason: { code: 'failure', params: { step: 'rollback', detail: 'ModifyListener denied' } },
  },
  unlock: { type: 'unlock', user: 'U0APPROVER' },
};
const ALL_EVENTS = Object.keys(SAMPLE) as EventType[];

function fresh(overrides: { soakMs?: number; remindBeforeMs?: number } = {}): Deployment {
  return newDeployment(
    {
      id: 'checkout-20250301120000-9f3a',
      service: 'checkout',
      channel: 'C0DEPLOYS',
      requester: 'U0REQ',
      toSlot: 'green',
      soakMs: overrides.soakMs ?? DAY,
      remindBeforeMs: overrides.remindBeforeMs ?? HOUR,
    },
    T0,
  );
}

function accept(d: Deployment, event: DeploymentEvent, now: number): Deployment {
  const r = transition(d, event, now);
  if (!r.ok) throw new Error(`fixture step ${event.type} refused: ${JSON.stringify(r.reason)}`);
  return r.deployment;
}

function expectOk(r: TransitionResult): { deployment: Deployment; effects: Effect[] } {
  if (!r.ok) throw new Error(`expected acceptance, got ${r.code}: ${JSON.stringify(r.reason)}`);
  return r;
}

/** Each step one minute after the previous one, starting at T0 + 1m. */
function drive(events: DeploymentEvent[], d = fresh()): Deployment {
  return events.reduce((acc, e, i) => accept(acc, e, T0 + (i + 1) * MIN), d);
}

const TO_AWAITING: DeploymentEvent[] = [SAMPLE.precheck_started, SAMPLE.precheck_passed];
const TO_VERIFYING: DeploymentEvent[] = [...TO_AWAITING, SAMPLE.approve, SAMPLE.cutover_succeeded];
const TO_SOAKING: DeploymentEvent[] = [...TO_VERIFYING, SAMPLE.verify_passed];

/** A realistic record in every state, reached through the state machine itself. */
const FIXTURE: Record<State, () => Deployment> = {
  requested: () => fresh(),
  prechecking: () => drive([SAMPLE.precheck_started]),
  awaiting_approval: () => drive(TO_AWAITING),
  cutting_over: () => drive([...TO_AWAITING, SAMPLE.approve]),
  verifying: () => drive(TO_VERIFYING),
  soaking: () => drive(TO_SOAKING),
  tearing_down: () => drive([...TO_SOAKING, SAMPLE.teardown_now]),
  done: () => drive([...TO_SOAKING, SAMPLE.teardown_now, SAMPLE.teardown_done]),
  blocked: () => drive([SAMPLE.precheck_started, SAMPLE.precheck_failed]),
  cancelled: () => drive([...TO_AWAITING, SAMPLE.cancel]),
  expired: () => accept(drive(TO_AWAITING), SAMPLE.approval_expired, T0 + HOUR),
  // Verification failed after traffic was switched: the one failure that can still be rolled back.
  failed: () => drive([...TO_VERIFYING, SAMPLE.verify_failed]),
  rolling_back: () => drive([...TO_SOAKING, SAMPLE.rollback]),
  rolled_back: () => drive([...TO_SOAKING, SAMPLE.rollback, SAMPLE.rollback_done]),
};

/** Exactly the accepted (state, event) pairs and where they lead; everything else is illegal. */
const ACCEPTED: Partial<Record<State, Partial<Record<EventType, State>>>> = {
  requested: { precheck_started: 'prechecking', cancel: 'cancelled', unlock: 'failed' },
  prechecking: {
    precheck_passed: 'awaiting_approval',
    precheck_failed: 'blocked',
    cancel: 'cancelled',
    unlock: 'failed',
  },
  awaiting_approval: {
    approve: 'cutting_over',
    cancel: 'cancelled',
    approval_expired: 'expired',
    unlock: 'failed',
  },
  cutting_over: { cutover_succeeded: 'verifying', cutover_failed: 'failed', unlock: 'failed' },
  verifying: {
    verify_passed: 'soaking',
    verify_failed: 'failed',
    rollback: 'rolling_back',
    unlock: 'failed',
  },
  soaking: {
    extend: 'soaking',
    teardown_now: 'tearing_down',
    teardown_due: 'tearing_down',
    rollback: 'rolling_back',
    unlock: 'failed',
  },
  tearing_down: { teardown_done: 'done', teardown_failed: 'failed', unlock: 'failed' },
  failed: { rollback: 'rolling_back' },
  rolling_back: { rollback_done: 'rolled_back', rollback_failed: 'failed', unlock: 'failed' },
};

/** Approving is only possible before the prompt expires; every other event is tried when all is due. */
function nowFor(event: EventType, d: Deployment): number {
  // Approve before the approval expires; extend within the 30-day cap on the whole soak.
  return event === 'approve' || event === 'extend' ? d.updatedAt + MIN : LATER;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function effectsOf(d: Deployment, event: DeploymentEvent, now: number): Effect[] {
  return expectOk(transition(d, event, now)).effects;
}

describe('every state × every event', () => {
  it('the test covers all 14 states and all 19 event types', () => {
    expect(STATES).toHaveLength(14);
    expect(ALL_EVENTS).toHaveLength(19);
    expect([...EVENT_TYPES].sort()).toEqual([...ALL_EVENTS].sort());
  });

  const cases = STATES.flatMap((state) =>
    ALL_EVENTS.map((event) => {
      const to = ACCEPTED[state]?.[event];
      return { state, event, to, outcome: to === undefined ? 'is refused as illegal' : `leads to ${to}` };
    }),
  );

  it.each(cases)('in $state, $event $outcome', ({ state, event, to }) => {
    const d = deepFreeze(FIXTURE[state]());
    expect(d.state).toBe(state);
    const before = structuredClone(d);
    const now = nowFor(event, d);
    const r = transition(d, SAMPLE[event], now);
    expect(d).toEqual(before);

    if (to === undefined) {
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.code).toBe('illegal');
      // The words (deployment name, state, when it is possible): test/unit/reasons.test.ts.
      expect(r.reason).toEqual({
        code: 'event_not_allowed',
        params: {
          deployment: { service: 'checkout', fromSlot: d.fromSlot, toSlot: 'green', state },
          event,
        },
      });
      return;
    }

    const { deployment: next, effects } = expectOk(r);
    expect(next).not.toBe(d);
    expect(next.state).toBe(to);
    expect(next.version).toBe(d.version + 1);
    expect(next.updatedAt).toBe(now);
    expect(next.history).toHaveLength(d.history.length + 1);
    expect(next.history.at(-1)).toMatchObject({ at: now, event, from: state, to });
    expect(effects.at(-1)).toEqual({ type: 'sync' });
    expect(effects.filter((e) => e.type === 'sync')).toHaveLength(1);
    if (TERMINAL_STATES.includes(to)) expect(next.finishedAt).toBe(now);
    else expect(next.finishedAt).toBeUndefined();
  });

  it.each(STATES)('allowedEvents(%s) lists exactly the events accepted in that state', (state) => {
    expect([...allowedEvents(state)].sort()).toEqual(Object.keys(ACCEPTED[state] ?? {}).sort());
  });
});

describe('refusal reasons (worded by src/messages/reasons.ts: test/unit/reasons.test.ts)', () => {
  it('name the deployment, its state and the refused event', () => {
    const r = transition(FIXTURE.soaking(), SAMPLE.approve, LATER);
    expect(r).toEqual({
      ok: false,
      code: 'illegal',
      reason: {
        code: 'event_not_allowed',
        params: {
          deployment: { service: 'checkout', fromSlot: 'blue', toSlot: 'green', state: 'soaking' },
          event: 'approve',
        },
      },
    });
  });

  it('name the target slot alone before the precheck has read the live slot', () => {
    const r = transition(fresh(), SAMPLE.approve, T0);
    expect(r.ok === false && r.reason).toEqual({
      code: 'event_not_allowed',
      params: {
        deployment: { service: 'checkout', fromSlot: null, toSlot: 'green', state: 'requested' },
        event: 'approve',
      },
    });
  });

  it('describe every state in distinct, non-empty words', () => {
    const words = STATES.map(describeState);
    expect(words.every((w) => w.length > 0)).toBe(true);
    expect(new Set(words).size).toBe(STATES.length);
  });

  it('refuse an event type the machine does not know as invalid instead of throwing', () => {
    const bogus = { type: 'launch_missiles' } as unknown as DeploymentEvent;
    expect(transition(fresh(), bogus, T0)).toEqual({
      ok: false,
      code: 'invalid',
      reason: { code: 'unknown_event', params: { type: 'launch_missiles' } },
    });
  });
});

describe('approval', () => {
  it('precheck_passed records the live slot and schedules the approval expiry', () => {
    const d = FIXTURE.prechecking();
    const { deployment, effects } = expectOk(transition(d, SAMPLE.precheck_passed, T0 + 10 * MIN));
    expect(deployment.fromSlot).toBe('blue');
    expect(deployment.approvalExpiresAt).toBe(T0 + 40 * MIN);
    expect(effects).toEqual([
      { type: 'enqueue', job: 'approval-expiry', at: T0 + 40 * MIN },
      { type: 'sync' },
    ]);
    expect(deployment.history.at(-1)?.detail).toBe('live slot: blue');
  });

  it('approve records the approver, cancels the expiry and enqueues the cutover', () => {
    const d = FIXTURE.awaiting_approval();
    const { deployment, effects } = expectOk(transition(d, SAMPLE.approve, T0 + 5 * MIN));
    expect(deployment.approvedBy).toBe('U0APPROVER');
    expect(deployment.history.at(-1)?.by).toBe('U0APPROVER');
    expect(effects).toEqual([
      { type: 'cancel', job: 'approval-expiry', at: d.approvalExpiresAt },
      { type: 'enqueue', job: 'cutover' },
      { type: 'sync' },
    ]);
  });

  it('refuses a late approval once the prompt has expired, even before the expiry job ran (fail closed)', () => {
    const d = FIXTURE.awaiting_approval();
    const r = transition(d, SAMPLE.approve, d.approvalExpiresAt as number);
    expect(r).toEqual({
      ok: false,
      code: 'illegal',
      reason: {
        code: 'approval_closed',
        params: {
          deployment: { service: 'checkout', fromSlot: 'blue', toSlot: 'green', state: 'awaiting_approval' },
        },
      },
    });
  });

  it.each([
    { when: 'one millisecond before the deadline', offset: -1, ok: false },
    { when: 'exactly at the deadline', offset: 0, ok: true },
    { when: 'after the deadline', offset: MIN, ok: true },
  ])('approval_expired $when is accepted: $ok', ({ offset, ok }) => {
    const d = FIXTURE.awaiting_approval();
    const r = transition(d, SAMPLE.approval_expired, (d.approvalExpiresAt as number) + offset);
    if (ok)
      expect(r).toMatchObject({
        ok: true,
        deployment: { state: 'expired', reason: { code: 'approval_expired', params: {} } },
      });
    else
      expect(r).toMatchObject({
        ok: false,
        code: 'not_due',
        reason: { code: 'not_due', params: { what: 'approval_expiry', inMs: 1 } },
      });
  });

  it.each([
    { state: 'requested' as const, cancelsExpiry: false },
    { state: 'prechecking' as const, cancelsExpiry: false },
    { state: 'awaiting_approval' as const, cancelsExpiry: true },
  ])(
    'cancel from $state names the user and cancels the expiry job only when one exists',
    ({ state, cancelsExpiry }) => {
      const d = FIXTURE[state]();
      const { deployment, effects } = expectOk(transition(d, SAMPLE.cancel, T0 + 10 * MIN));
      const cancelled = { code: 'cancelled', params: { user: 'U0REQ' } };
      expect(deployment.reason).toEqual(cancelled);
      expect(deployment.history.at(-1)).toMatchObject({ by: 'U0REQ', reason: cancelled });
      expect(deployment.history.at(-1)?.detail).toBeUndefined();
      const expected: Effect[] = cancelsExpiry
        ? [{ type: 'cancel', job: 'approval-expiry', at: d.approvalExpiresAt }, { type: 'sync' }]
        : [{ type: 'sync' }];
      expect(effects).toEqual(expected);
    },
  );

  it('a failed precheck blocks the deployment with its reason', () => {
    const { deployment } = expectOk(transition(FIXTURE.prechecking(), SAMPLE.precheck_failed, T0 + 5 * MIN));
    expect(deployment).toMatchObject({
      state: 'blocked',
      reason: stopped('precheck', 'green has 0 healthy targets'),
      finishedAt: T0 + 5 * MIN,
    });
    expect(deployment.history.at(-1)?.reason).toEqual(stopped('precheck', 'green has 0 healthy targets'));
  });
});

describe('cutover, verification and soak deadlines', () => {
  it('cutover_succeeded stores the timing, sets the verify deadline and enqueues verification', () => {
    const now = T0 + 10 * MIN;
    const { deployment, effects } = expectOk(
      transition(FIXTURE.cutting_over(), SAMPLE.cutover_succeeded, now),
    );
    expect(deployment.cutover).toEqual(timing(T0));
    expect(deployment.verifyEndsAt).toBe(now + 5 * MIN);
    expect(effects).toEqual([{ type: 'enqueue', job: 'verify' }, { type: 'sync' }]);
  });

  it.each([
    { soakMs: DAY, remindBeforeMs: HOUR, remindAfter: 23 * HOUR },
    { soakMs: 2 * HOUR, remindBeforeMs: 30 * MIN, remindAfter: 90 * MIN },
    { soakMs: HOUR, remindBeforeMs: HOUR, remindAfter: 0 },
    { soakMs: 30 * MIN, remindBeforeMs: HOUR, remindAfter: 0 },
  ])(
    'a $soakMs ms soak with $remindBeforeMs ms notice reminds $remindAfter ms after verification (never earlier)',
    ({ soakMs, remindBeforeMs, remindAfter }) => {
      const d = drive(TO_VERIFYING, fresh({ soakMs, remindBeforeMs }));
      const now = T0 + HOUR;
      const { deployment, effects } = expectOk(transition(d, SAMPLE.verify_passed, now));
      expect(deployment).toMatchObject({
        state: 'soaking',
        soakStartedAt: now,
        teardownAt: now + soakMs,
        remindAt: now + remindAfter,
      });
      expect(effects).toEqual([
        { type: 'enqueue', job: 'remind', at: now + remindAfter },
        { type: 'enqueue', job: 'teardown', at: now + soakMs },
        { type: 'sync' },
      ]);
    },
  );

  it('extend moves the reminder and the teardown, cancelling exactly the old jobs', () => {
    const d = FIXTURE.soaking();
    const oldTeardown = d.teardownAt as number;
    const oldRemind = d.remindAt as number;
    const { deployment, effects } = expectOk(transition(d, SAMPLE.extend, T0 + 2 * HOUR));
    expect(deployment.teardownAt).toBe(oldTeardown + DAY);
    expect(deployment.remindAt).toBe(oldTeardown + DAY - HOUR);
    expect(effects).toEqual([
      { type: 'cancel', job: 'remind', at: oldRemind },
      { type: 'cancel', job: 'teardown', at: oldTeardown },
      { type: 'enqueue', job: 'remind', at: oldTeardown + DAY - HOUR },
      { type: 'enqueue', job: 'teardown', at: oldTeardown + DAY },
      { type: 'sync' },
    ]);
    expect(deployment.history.at(-1)).toMatchObject({ event: 'extend', by: 'U0REQ', detail: '+1d' });
  });

  it('extend close to the deadline never schedules the reminder in the past', () => {
    const d = FIXTURE.soaking();
    const now = (d.teardownAt as number) - 10 * MIN;
    const { deployment } = expectOk(transition(d, { type: 'extend', user: 'U0REQ', byMs: 20 * MIN }, now));
    expect(deployment.teardownAt).toBe(now + 30 * MIN);
    expect(deployment.remindAt).toBe(now);
  });

  it.each([
    { byMs: 0, ok: false },
    { byMs: -HOUR, ok: false },
    { byMs: 1.5, ok: false },
    { byMs: Number.NaN, ok: false },
    { byMs: Number.POSITIVE_INFINITY, ok: false },
    { byMs: 30 * DAY + 1, ok: false },
    { byMs: 20 * DAY, ok: true },
    { byMs: 1, ok: true },
  ])('extend by $byMs ms is accepted: $ok', ({ byMs, ok }) => {
    const r = transition(FIXTURE.soaking(), { type: 'extend', user: 'U0REQ', byMs }, T0 + 2 * HOUR);
    if (ok) expect(r.ok).toBe(true);
    else
      expect(r).toEqual({
        ok: false,
        code: 'invalid',
        reason: { code: 'extend_out_of_range', params: { maxMs: 30 * DAY } },
      });
  });

  it('caps the whole soak at 30 days, however many extensions (or replays of one) come', () => {
    let d = FIXTURE.soaking();
    const start = d.soakStartedAt as number;
    const now = start + HOUR;
    const refusals: unknown[] = [];
    for (let i = 0; i < 5; i += 1) {
      const r = transition(d, { type: 'extend', user: 'U0REQ', byMs: 10 * DAY }, now);
      if (r.ok) d = r.deployment;
      else refusals.push(r.reason);
    }
    expect((d.teardownAt as number) - start).toBeLessThanOrEqual(30 * DAY);
    expect(refusals).toHaveLength(3);
    // 1d (the soak) + 2 × 10d extended: 9d of the 30d are left.
    expect(refusals[0]).toEqual({ code: 'soak_cap', params: { maxMs: 30 * DAY, roomMs: 9 * DAY } });
  });

  it('teardown_now cancels both scheduled jobs and enqueues a teardown with a fresh id', () => {
    const d = FIXTURE.soaking();
    const now = T0 + 3 * HOUR;
    const { deployment, effects } = expectOk(transition(d, SAMPLE.teardown_now, now));
    expect(deployment).toMatchObject({ state: 'tearing_down', teardownStartedAt: now });
    expect(effects).toEqual([
      { type: 'cancel', job: 'remind', at: d.remindAt },
      { type: 'cancel', job: 'teardown', at: d.teardownAt },
      { type: 'enqueue', job: 'teardown', at: now },
      { type: 'sync' },
    ]);
    expect(jobId('teardown', d.id, now)).not.toBe(jobId('teardown', d.id, d.teardownAt));
  });

  it.each([
    { when: 'one millisecond before teardownAt', offset: -1, ok: false },
    { when: 'exactly at teardownAt', offset: 0, ok: true },
  ])('teardown_due $when is accepted: $ok', ({ offset, ok }) => {
    const d = FIXTURE.soaking();
    const now = (d.teardownAt as number) + offset;
    const r = transition(d, SAMPLE.teardown_due, now);
    if (!ok) {
      expect(r).toMatchObject({
        ok: false,
        code: 'not_due',
        reason: { code: 'not_due', params: { what: 'teardown', inMs: 1 } },
      });
      return;
    }
    const { deployment, effects } = expectOk(r);
    expect(deployment).toMatchObject({ state: 'tearing_down', teardownStartedAt: now });
    expect(effects).toEqual([{ type: 'cancel', job: 'remind', at: d.remindAt }, { type: 'sync' }]);
  });

  it('teardown_done finishes the deployment with the detail in its history', () => {
    const now = T0 + 2 * DAY;
    const { deployment } = expectOk(transition(FIXTURE.tearing_down(), SAMPLE.teardown_done, now));
    expect(deployment).toMatchObject({ state: 'done', finishedAt: now });
    expect(deployment.history.at(-1)?.detail).toBe('3 targets drained');
  });
});

describe('rollback', () => {
  it('from soaking cancels the reminder and teardown and enqueues the rollback', () => {
    const d = FIXTURE.soaking();
    const now = T0 + 5 * HOUR;
    const { deployment, effects } = expectOk(transition(d, SAMPLE.rollback, now));
    expect(deployment).toMatchObject({
      state: 'rolling_back',
      reason: { code: 'rollback_requested', params: { user: 'U0APPROVER' } },
    });
    expect(effects).toEqual([
      { type: 'cancel', job: 'remind', at: d.remindAt },
      { type: 'cancel', job: 'teardown', at: d.teardownAt },
      { type: 'enqueue', job: 'rollback', at: now },
      { type: 'sync' },
    ]);
  });

  it('from verifying has no scheduled jobs to cancel and keeps a given reason', () => {
    const why: DeploymentReason = {
      code: 'gate_breached',
      params: { summary: '5xx spike on green', rollback: 'verification' },
    };
    const event: DeploymentEvent = { type: 'rollback', user: 'U0APPROVER', reason: why };
    const { deployment, effects } = expectOk(transition(FIXTURE.verifying(), event, T0 + HOUR));
    expect(deployment.reason).toEqual(why);
    expect(deployment.history.at(-1)).toMatchObject({ by: 'U0APPROVER', reason: why });
    expect(effects).toEqual([{ type: 'enqueue', job: 'rollback', at: T0 + HOUR }, { type: 'sync' }]);
  });

  const failedVia: {
    how: string;
    make: () => Deployment;
    allowed: boolean;
    why?: 'not_switched' | 'torn_down';
  }[] = [
    {
      how: 'the cutover failed (traffic never switched)',
      allowed: false,
      why: 'not_switched',
      make: () => drive([...TO_AWAITING, SAMPLE.approve, SAMPLE.cutover_failed]),
    },
    {
      how: 'verification failed after the cutover',
      allowed: true,
      make: () => drive([...TO_VERIFYING, SAMPLE.verify_failed]),
    },
    {
      how: 'the teardown failed',
      allowed: false,
      why: 'torn_down',
      make: () => drive([...TO_SOAKING, SAMPLE.teardown_now, SAMPLE.teardown_failed]),
    },
    {
      how: 'a previous rollback failed',
      allowed: true,
      make: () => drive([...TO_SOAKING, SAMPLE.rollback, SAMPLE.rollback_failed]),
    },
  ];

  it.each(failedVia)('after $how, rolling back is allowed: $allowed', ({ make, allowed, why }) => {
    const d = make();
    expect(d.state).toBe('failed');
    expect(canRollBack(d)).toBe(allowed);
    const r = transition(d, SAMPLE.rollback, LATER);
    if (allowed) {
      const { deployment } = expectOk(r);
      expect(deployment.state).toBe('rolling_back');
      expect(deployment.finishedAt).toBeUndefined();
    } else {
      expect(r).toEqual({
        ok: false,
        code: 'illegal',
        reason: {
          code: 'rollback_impossible',
          params: {
            deployment: { service: 'checkout', fromSlot: 'blue', toSlot: 'green', state: 'failed' },
            why,
          },
        },
      });
    }
  });

  it('is not possible once a finished rollback is recorded', () => {
    const d: Deployment = { ...FIXTURE.failed(), rollback: timing(T0) };
    expect(canRollBack(d)).toBe(false);
    expect(transition(d, SAMPLE.rollback, LATER)).toMatchObject({
      ok: false,
      code: 'illegal',
      reason: { code: 'rollback_impossible', params: { why: 'rolled_back' } },
    });
  });

  it.each(STATES)('canRollBack in %s agrees with the transition table', (state) => {
    expect(canRollBack(FIXTURE[state]())).toBe(ACCEPTED[state]?.rollback !== undefined);
  });

  it('a retried rollback gets a different job id than the failed one', () => {
    const first = effectsOf(FIXTURE.soaking(), SAMPLE.rollback, T0 + 5 * HOUR);
    const failed = drive([...TO_SOAKING, SAMPLE.rollback, SAMPLE.rollback_failed]);
    const retry = effectsOf(failed, SAMPLE.rollback, T0 + 6 * HOUR);
    const ids = [first, retry].map((effects) => {
      const e = effects.find((x) => x.type === 'enqueue' && x.job === 'rollback');
      return e?.type === 'enqueue' ? jobId(e.job, failed.id, e.at) : undefined;
    });
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('rollback_done records the timing and finishes as rolled back', () => {
    const now = T0 + DAY;
    const { deployment } = expectOk(transition(FIXTURE.rolling_back(), SAMPLE.rollback_done, now));
    expect(deployment).toMatchObject({ state: 'rolled_back', rollback: timing(T0), finishedAt: now });
  });
});

describe('record bookkeeping', () => {
  it('a whole happy path increments the version once per event and keeps the full history', () => {
    const d = drive([...TO_SOAKING, SAMPLE.teardown_now, SAMPLE.teardown_done]);
    expect(d.version).toBe(8);
    expect(d.history.map((h) => `${h.from}>${h.to}`)).toEqual([
      'requested>requested',
      'requested>prechecking',
      'prechecking>awaiting_approval',
      'awaiting_approval>cutting_over',
      'cutting_over>verifying',
      'verifying>soaking',
      'soaking>tearing_down',
      'tearing_down>done',
    ]);
  });

  it('a refused event leaves the record untouched', () => {
    const d = deepFreeze(FIXTURE.soaking());
    const before = structuredClone(d);
    transition(d, SAMPLE.teardown_due, T0);
    transition(d, { type: 'extend', user: 'U0REQ', byMs: -1 }, T0);
    expect(d).toEqual(before);
  });

  it('the new record shares no mutable arrays with the input', () => {
    const d = FIXTURE.soaking();
    const { deployment } = expectOk(transition(d, SAMPLE.extend, T0 + 2 * HOUR));
    expect(deployment.history).not.toBe(d.history);
    expect(deployment.messages.posted).not.toBe(d.messages.posted);
  });
});

describe('newDeployment and newDeploymentId', () => {
  it('a new deployment is requested, version 1, with the request as its only history entry', () => {
    expect(fresh()).toEqual({
      id: 'checkout-20250301120000-9f3a',
      service: 'checkout',
      channel: 'C0DEPLOYS',
      requester: 'U0REQ',
      fromSlot: null,
      toSlot: 'green',
      state: 'requested',
      version: 1,
      createdAt: T0,
      updatedAt: T0,
      soakMs: DAY,
      remindBeforeMs: HOUR,
      messages: { posted: [] },
      history: [{ at: T0, event: 'requested', from: 'requested', to: 'requested', by: 'U0REQ' }],
    });
  });

  it.each([
    { now: Date.UTC(2025, 2, 1, 14, 25, 0), hex: '9f3a', id: 'checkout-20250301142500-9f3a' },
    { now: Date.UTC(2024, 11, 31, 23, 59, 59, 999), hex: '0000', id: 'checkout-20241231235959-0000' },
    { now: Date.UTC(2030, 0, 2, 3, 4, 5), hex: 'BEEF', id: 'checkout-20300102030405-beef' },
  ])('at $now with $hex the id is $id', ({ now, hex, id }) => {
    expect(newDeploymentId('checkout', now, hex)).toBe(id);
    expect(id).toMatch(/^[a-z][a-z0-9-]*-\d{14}-[0-9a-f]{4}$/);
  });

  it.each(['', '123', '12345', 'zzzz', '12:3'])('rejects %j as the random part', (hex) => {
    expect(() => newDeploymentId('checkout', T0, hex)).toThrow(RangeError);
  });
});

describe('jobId', () => {
  it.each([
    { job: 'cutover' as JobName, at: undefined, id: 'cutover-checkout-20250301142500-9f3a' },
    {
      job: 'teardown' as JobName,
      at: 1_740_000_000_000,
      id: 'teardown-checkout-20250301142500-9f3a-1740000000000',
    },
    { job: 'approval-expiry' as JobName, at: 5, id: 'approval-expiry-checkout-20250301142500-9f3a-5' },
  ])('$job at $at is $id', ({ job, at, id }) => {
    expect(jobId(job, 'checkout-20250301142500-9f3a', at)).toBe(id);
  });

  it('never contains ":" and never maps two different deployment ids to the same job id', () => {
    // Deterministic pseudo-random odd ids (LCG), plus hand-picked hostile ones.
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = ['a', '-', ':', '%', '3', 'A', '%3A', '::', ' ', 'é', '/', '{', '}'];
    const odd = ['', ':', '::', '%3A', '%', 'a:b', 'checkout:1', 'bull:queue:1', '%253A'];
    for (let i = 0; i < 500; i++) {
      odd.push(Array.from({ length: rand(12) }, () => alphabet[rand(alphabet.length)]).join(''));
    }
    const unique = [...new Set(odd)];
    for (const job of JOB_NAMES) {
      const ids = unique.map((dep) => jobId(job, dep, rand(3) === 0 ? undefined : T0));
      for (const id of ids) expect(id).not.toContain(':');
      expect(new Set(unique.map((dep) => jobId(job, dep))).size).toBe(unique.length);
    }
  });

  it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s as a job time', (at) => {
    expect(() => jobId('remind', 'checkout-1-abcd', at)).toThrow(RangeError);
  });
});

describe('break-glass unlock', () => {
  it('ends a deployment stuck mid-switch as failed, keeps Rollback possible and asks for the load balancer state', () => {
    const stuck = { ...drive([...TO_SOAKING.slice(0, 3)]), switchStartedAt: T0 + 5 * MIN };
    expect(stuck.state).toBe('cutting_over');
    const r = transition(stuck, SAMPLE.unlock, LATER);
    if (!r.ok) throw new Error(r.reason.code);
    expect(r.deployment).toMatchObject({
      state: 'failed',
      reason: { code: 'unlocked', params: { user: 'U0APPROVER', state: 'cutting_over' } },
      cutover: { startedAt: T0 + 5 * MIN, finishedAt: LATER },
    });
    expect(canRollBack(r.deployment)).toBe(true);
    expect(r.effects).toContainEqual({ type: 'enqueue', job: 'inspect', at: LATER });
    expect(r.deployment.history.at(-1)).toMatchObject({ event: 'unlock', by: 'U0APPROVER' });
  });

  it('cancels the pending reminder and teardown of a soak', () => {
    const soaking = drive(TO_SOAKING);
    const r = transition(soaking, SAMPLE.unlock, LATER);
    if (!r.ok) throw new Error(r.reason.code);
    expect(r.effects).toContainEqual({ type: 'cancel', job: 'teardown', at: soaking.teardownAt });
    expect(r.effects).toContainEqual({ type: 'cancel', job: 'remind', at: soaking.remindAt });
  });
});
