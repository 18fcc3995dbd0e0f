/**
 * The pure parts of the notification hooks and the events webhook: when afterRollback and
 * verificationFailed are owed and what they say (the rollback cause as the metric counts it, the
 * failing checks), and the body of a transition event (ids, order, nothing secret).
 */
import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../src/domain/deployment.js';
import type { DeploymentEvent } from '../../src/domain/events.js';
import { newDeployment } from '../../src/domain/new-deployment.js';
import type { DeploymentReason } from '../../src/domain/reasons.js';
import { rollbackCause } from '../../src/domain/rollback-cause.js';
import { transition } from '../../src/domain/state-machine.js';
import { transitionEvent, transitionEventId } from '../../src/domain/transition-event.js';
import {
  calledMark,
  failedChecks,
  notificationExtra,
  notificationOwed,
} from '../../src/hooks/notification-hooks.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { outboxAppends } from '../../src/store/event-outbox.js';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const MIN = 60_000;
const ARN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
const timing = { startedAt: T0, finishedAt: T0 + 1_000, awsMs: 500, changed: 1 };

function drive(events: DeploymentEvent[]): Deployment {
  let d = newDeployment(
    {
      id: 'checkout-20261126120000-ab12',
      service: 'checkout',
      channel: 'C0CHECKOUT',
      requester: 'U0REQ',
      requestReason: 'release 1.42',
      toSlot: 'green',
      soakMs: 60 * MIN,
      remindBeforeMs: 10 * MIN,
    },
    T0,
  );
  events.forEach((e, i) => {
    const r = transition(d, e, T0 + (i + 1) * MIN);
    if (!r.ok) throw new Error(`${e.type} refused: ${r.reason.code}`);
    d = r.deployment;
  });
  return d;
}

const TO_VERIFYING: DeploymentEvent[] = [
  { type: 'precheck_started' },
  { type: 'precheck_passed', fromSlot: 'blue', approvalTimeoutMs: 30 * MIN },
  { type: 'approve', user: 'U0APPROVER' },
  { type: 'cutover_succeeded', timing, verifyWindowMs: 5 * MIN },
];
const gate = (rollback?: 'verification' | 'soak'): DeploymentReason => ({
  code: 'gate_breached',
  params: { summary: 'green: 5xx rate 12% over 5%.', ...(rollback ? { rollback } : {}) },
});

describe('afterRollback', () => {
  it('is owed once traffic is back, until marked called, and only when configured', () => {
    const rolling = drive([
      ...TO_VERIFYING,
      { type: 'verify_passed' },
      { type: 'rollback', user: 'U0APPROVER' },
    ]);
    expect(notificationOwed('afterRollback', rolling, true)).toBe(false); // not back yet
    const back = drive([
      ...TO_VERIFYING,
      { type: 'verify_passed' },
      { type: 'rollback', user: 'U0APPROVER' },
      { type: 'rollback_done', timing },
    ]);
    expect(notificationOwed('afterRollback', back, true)).toBe(true);
    expect(notificationOwed('afterRollback', back, false)).toBe(false);
    const marked = { ...back, messages: { ...back.messages, posted: [calledMark('afterRollback')] } };
    expect(notificationOwed('afterRollback', marked, true)).toBe(false);
  });

  it.each([
    ['a click', undefined, undefined, 'manual'],
    ['a gate during verification', 'verification', gate('verification'), 'auto_verification'],
    ['a gate during the soak', 'soak', gate('soak'), 'auto_soak'],
  ] as const)(
    'says the cause of a rollback started by %s as the metric counts it',
    (_w, during, why, cause) => {
      const before: DeploymentEvent[] =
        during === 'verification' ? TO_VERIFYING : [...TO_VERIFYING, { type: 'verify_passed' }];
      const d = drive([
        ...before,
        { type: 'rollback', user: why ? 'greenlight' : 'U0APPROVER', ...(why ? { reason: why } : {}) },
        { type: 'rollback_done', timing },
      ]);
      const extra = notificationExtra('afterRollback', d) as { rollback: Record<string, unknown> };
      expect(extra.rollback.cause).toBe(cause);
      expect(extra.rollback.cause).toBe(rollbackCause(why));
      expect(extra.rollback).toMatchObject({
        from: 'green',
        to: 'blue',
        by: why ? 'greenlight' : 'U0APPROVER',
      });
      expect(extra.rollback['reason']).toEqual(
        why ?? { code: 'rollback_requested', params: { user: 'U0APPROVER' } },
      );
    },
  );
});

describe('verificationFailed', () => {
  it('is owed by a failed verification and an automatic rollback during it, not by a click while verifying', () => {
    const failed = drive([...TO_VERIFYING, { type: 'verify_failed', reason: gate() }]);
    const auto = drive([
      ...TO_VERIFYING,
      { type: 'rollback', user: 'greenlight', reason: gate('verification') },
    ]);
    const clicked = drive([...TO_VERIFYING, { type: 'rollback', user: 'U0APPROVER' }]);
    const passed = drive([...TO_VERIFYING, { type: 'verify_passed' }]);
    expect(notificationOwed('verificationFailed', failed, true)).toBe(true);
    expect(notificationOwed('verificationFailed', auto, true)).toBe(true);
    expect(notificationOwed('verificationFailed', clicked, true)).toBe(false);
    expect(notificationOwed('verificationFailed', passed, true)).toBe(false);
    expect(notificationExtra('verificationFailed', auto)).toMatchObject({
      verification: { autoRollback: true, checks: [{ check: 'health_gates' }] },
    });
    expect(notificationExtra('verificationFailed', failed)).toMatchObject({
      verification: { autoRollback: false, failedAt: new Date(T0 + 5 * MIN).toISOString() },
    });
  });

  it.each([
    [
      'stopped',
      'Verification failed: 1 forward(s) still send traffic to the old slot: :443 rule 10.',
      'configuration',
    ],
    [
      'stopped',
      'Traffic did not leave blue within the verify window: it still received requests.',
      'traffic',
    ],
    ['stopped', 'Not verified: the CloudWatch metrics could not be read (AccessDenied).', 'metrics'],
    ['failure', 'DescribeListeners: Throttling', 'configuration'],
  ] as const)('names the failing check of a %s reason "%s"', (code, detail, check) => {
    expect(failedChecks({ code, params: { step: 'verify', detail } })).toEqual([{ check, detail }]);
  });

  it('keeps ARNs and URL paths out of the checks', () => {
    const [c] = failedChecks({
      code: 'failure',
      params: { step: 'verify', detail: `AccessDenied on ${ARN} via https://hooks.example.com/T0/B0/secret` },
    });
    expect(c?.detail).toBe('AccessDenied on [arn] via https://hooks.example.com/…');
  });
});

describe('the transition event', () => {
  it('numbers a deployment’s transitions by record version, without a dot in the id', () => {
    const d = drive([...TO_VERIFYING, { type: 'verify_passed' }]);
    const appends = outboxAppends(d, d.history);
    expect(appends.map(([id]) => id)).toEqual([1, 2, 3, 4, 5, 6].map((v) => transitionEventId(d.id, v)));
    expect(appends.map(([, v]) => Number(v))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(d.version).toBe(6);
    for (const [id] of appends) expect(id).not.toContain('.');
    const bodies = appends.map(([, , entry]) => JSON.parse(JSON.parse(entry).body));
    expect(bodies.map((b) => [b.data.fromState, b.data.toState, b.data.event])).toEqual([
      [null, 'requested', 'requested'],
      ['requested', 'prechecking', 'precheck_started'],
      ['prechecking', 'awaiting_approval', 'precheck_passed'],
      ['awaiting_approval', 'cutting_over', 'approve'],
      ['cutting_over', 'verifying', 'cutover_succeeded'],
      ['verifying', 'soaking', 'verify_passed'],
    ]);
    // The one written by the last transition: the last history entry, at the record's version.
    expect(outboxAppends(d, d.history.slice(-1))[0]?.[0]).toBe(`${d.id}-v6`);
  });

  it('says who, when, why and what runs, and nothing secret', () => {
    const d = {
      ...drive([
        ...TO_VERIFYING,
        {
          type: 'verify_failed',
          reason: { code: 'failure', params: { step: 'verify', detail: `denied on ${ARN}` } },
        },
      ]),
      slotVersions: {
        blue: { tags: { version: '1.41.0' }, compute: [] },
        green: { tags: {}, compute: [], problems: [`AccessDenied: ${ARN}`] },
      },
    } satisfies Deployment;
    const e = transitionEvent(d, d.history.at(-1) as Deployment['history'][number], d.version);
    expect(e).toEqual({
      id: `${d.id}-v6`,
      type: 'deployment.transition',
      timestamp: new Date(T0 + 5 * MIN).toISOString(),
      data: {
        deploymentId: d.id,
        service: 'checkout',
        version: 6,
        fromState: 'verifying',
        toState: 'failed',
        event: 'verify_failed',
        by: null,
        at: new Date(T0 + 5 * MIN).toISOString(),
        reason: { code: 'failure', params: { step: 'verify', detail: 'denied on [arn]' } },
        detail: null,
        requester: 'U0REQ',
        requestReason: 'release 1.42',
        fromSlot: 'blue',
        toSlot: 'green',
        slots: { blue: '1.41.0', green: 'version unknown (AccessDenied: [arn])' },
      },
    });
    expect(JSON.stringify(e)).not.toMatch(/arn:aws|C0CHECKOUT/);
  });
});

describe('their metrics', () => {
  it('start at 0 for the new hooks and every delivery outcome, so increase() sees the first', async () => {
    const { body } = await createMetrics().render();
    for (const hook of ['afterRollback', 'verificationFailed']) {
      for (const outcome of ['ok', 'failed', 'timed_out', 'unreachable', 'not_called']) {
        expect(body).toContain(`greenlight_hook_calls_total{hook="${hook}",outcome="${outcome}"} 0\n`);
      }
    }
    for (const outcome of ['delivered', 'retried', 'dead_lettered']) {
      expect(body).toContain(`greenlight_event_deliveries_total{outcome="${outcome}"} 0\n`);
    }
  });
});
