/**
 * The job side of traffic evidence (src/jobs/traffic-evidence.ts, watch-job.ts, gate-alerts.ts)
 * over an in-memory job context: which instant and periods are read, missing alarms, the soak's
 * trailing window, and which alerts are posted once.
 */
import { describe, expect, it } from 'vitest';
import type { JobContext } from '../../src/app/context.js';
import type { MetricsPort } from '../../src/app/ports/metrics.js';
import type { SlackMessage } from '../../src/app/ports/slack.js';
import type { Deployment } from '../../src/domain/deployment.js';
import type { AlarmState, MetricQuery, MetricResult } from '../../src/domain/metrics.js';
import type { ServiceConfig } from '../../src/domain/service.js';
import { unreadableTraffic } from '../../src/domain/traffic/verdict.js';
import { breachAlertKey, handleBreaches } from '../../src/jobs/gate-alerts.js';
import { missingAlarms, readGates, readTraffic, unverifiedReason } from '../../src/jobs/traffic-evidence.js';
import { runWatch, uncheckedKey } from '../../src/jobs/watch-job.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { serviceConfig } from '../helpers/service-config.js';
import { at } from '../helpers/traffic-fixtures.js';

const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
const BLUE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-blue/73e2d6bc24d8a067';
const GREEN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-green/09966783158cda59';

function svcWith(
  gates: Partial<ServiceConfig['gates']> = {},
  traffic: Partial<ServiceConfig['traffic']> = {},
) {
  const base = serviceConfig();
  return serviceConfig({
    listeners: [LISTENER],
    slots: { blue: BLUE, green: GREEN },
    traffic: { ...base.traffic, ...traffic },
    gates: { ...base.gates, maxErrorRate: 0.05, ...gates },
  });
}

function deployment(over: Partial<Deployment> = {}): Deployment {
  return {
    id: 'checkout-20250314100000-beef',
    service: 'checkout',
    channel: 'C0DEPLOYS',
    requester: 'U0REQUESTER',
    fromSlot: 'blue',
    toSlot: 'green',
    state: 'soaking',
    version: 6,
    createdAt: at(0),
    updatedAt: at(0),
    soakMs: 3_600_000,
    remindBeforeMs: 600_000,
    soakStartedAt: at(0),
    messages: { card: '100.000', posted: [] },
    history: [],
    ...over,
  };
}

/** CloudWatch as a table: per query id, [minute, value] points; alarms by name. */
class FakeMetrics implements MetricsPort {
  series: Record<string, [number, number][]> = {};
  alarms: AlarmState[] = [];
  failWith: Error | undefined;
  calls: { queries: MetricQuery[]; startMs: number; endMs: number }[] = [];
  async getMetricData(queries: MetricQuery[], startMs: number, endMs: number): Promise<MetricResult[]> {
    this.calls.push({ queries, startMs, endMs });
    if (this.failWith) throw this.failWith;
    return queries.map((q) => {
      const points = (this.series[q.id] ?? [])
        .map(([m, v]) => [at(m), v] as const)
        .filter(([t]) => t >= startMs && t < endMs);
      return { id: q.id, timestamps: points.map((p) => p[0]), values: points.map((p) => p[1]) };
    });
  }
  async describeAlarms(names: string[]): Promise<AlarmState[]> {
    return this.alarms.filter((a) => names.includes(a.name));
  }
}

function rig(svc: ServiceConfig, d: Deployment = deployment()) {
  const records = new Map([[d.id, structuredClone(d)]]);
  const posts: SlackMessage[] = [];
  const enqueued: { name: string; at: number }[] = [];
  const cloudwatch = new FakeMetrics();
  let now = at(0);
  const ctx = {
    store: {
      get: async (id: string) => structuredClone(records.get(id) ?? null),
      update: async (id: string, fn: (cur: Deployment) => { next: Deployment | null; result: unknown }) => {
        const cur = records.get(id);
        if (!cur) return { found: false };
        const { next, result } = fn(structuredClone(cur));
        if (next) records.set(id, next);
        return { found: true, written: next !== null, deployment: next ?? cur, result };
      },
    },
    scheduler: {
      enqueue: async (name: string, _id: string, when: number) => {
        enqueued.push({ name, at: when });
      },
    },
    slack: {
      post: async (_channel: string, message: SlackMessage) => {
        posts.push(message);
        return `${posts.length}.000`;
      },
    },
    config: { services: { [svc.name]: svc } },
    clock: {
      now: () => now,
      sleep: async () => {},
    },
    log: { warn: () => {}, info: () => {} },
    metrics: createMetrics(),
    metricsFor: () => cloudwatch,
  } as unknown as JobContext;
  return {
    ctx,
    cloudwatch,
    posts,
    enqueued,
    record: () => records.get(d.id) as Deployment,
    setNow: (ms: number) => {
      now = ms;
    },
  };
}

const texts = (posts: SlackMessage[]) => posts.map((p) => p.text);

describe('missingAlarms', () => {
  it('names every configured alarm DescribeAlarms did not return, once', () => {
    expect(missingAlarms(['a', 'b', 'a', 'c'], [{ name: 'b', state: 'OK' }])).toEqual(['a', 'c']);
    expect(missingAlarms(['a'], [{ name: 'a', state: 'ALARM' }])).toEqual([]);
  });
});

describe('readTraffic', () => {
  const switchedAt = at(2) + 30_000;
  const drained = {
    new_req: [
      [3, 500],
      [4, 500],
    ] as [number, number][],
  };
  /** The verifying deployment switched at `switchedAt`, its window ending at(8), read as of `now`. */
  const readAt = (r: ReturnType<typeof rig>, now: number) =>
    readTraffic(r.ctx, deployment({ state: 'verifying' }), r.ctx.config.services['checkout']!, {
      switchedAt,
      windowEndsAt: at(8),
      now,
    });

  it('reads and decides as of the instant it is given, not the clock', async () => {
    const r = rig(svcWith());
    r.cloudwatch.series = drained;
    r.setNow(at(2)); // the clock is behind: with it, nothing would be settled
    const report = await readAt(r, at(6));
    expect(r.cloudwatch.calls[0]?.endMs).toBe(at(6));
    expect(report).toMatchObject({ verdict: 'drained', drainedAt: at(3) });
  });

  it('makes the evaluation not verified when a configured alarm does not exist, naming it', async () => {
    const svc = svcWith({ alarms: ['checkout-5xx', 'checkout-latncy'] });
    const r = rig(svc);
    r.cloudwatch.series = drained;
    r.cloudwatch.alarms = [{ name: 'checkout-5xx', state: 'OK' }];
    const report = await readAt(r, at(6));
    const error =
      'the CloudWatch alarm "checkout-latncy" (gates.alarms) does not exist, so that gate can never fire';
    expect(report?.verdict).toBe('unreadable');
    expect(report?.drainedAt).toBeUndefined();
    expect(report?.error).toBe(error);
    expect(report?.unverifiedCause).toBe('missing_alarms');
    expect(report && unverifiedReason(report)).toBe(`Not verified: ${error}.`);
    expect(report?.breaches).toEqual([
      {
        kind: 'metrics_unreadable',
        detail: `The health gates of green are not verified: ${error}.`,
        key: `metrics_unreadable@${error}`,
      },
    ]);
  });

  it('says both when an alarm is missing and no request reached the new slot', async () => {
    const svc = svcWith({ alarms: ['gone'] });
    const r = rig(svc);
    const report = await readAt(r, at(8));
    expect(report?.error).toBe(
      'the CloudWatch alarm "gone" (gates.alarms) does not exist, so that gate can never fire; also, no requests were observed on green after the switch, so the traffic could not be verified',
    );
  });

  it('words the failure reason by what made the traffic unverified', async () => {
    const r = rig(svcWith());
    const idle = await readAt(r, at(8));
    expect(idle && unverifiedReason(idle)).toBe(
      'Not verified: no requests were observed on green after the switch, so the traffic could not be verified.',
    );
    r.cloudwatch.failWith = new Error('GetMetricData failed: AccessDenied');
    const failed = await readAt(r, at(8));
    expect(failed?.unverifiedCause).toBe('read_failed');
    expect(failed && unverifiedReason(failed)).toBe(
      'Not verified: the CloudWatch metrics could not be read (GetMetricData failed: AccessDenied).',
    );
    const legacy = {
      ...unreadableTraffic({
        oldSlot: 'blue',
        newSlot: 'green',
        windowEndsAt: 0,
        toleranceRequests: 0,
        error: 'x',
      }),
    };
    delete legacy.unverifiedCause;
    expect(unverifiedReason(legacy)).toBe('Not verified: the CloudWatch metrics could not be read (x).');
  });

  it('passes traffic.allowIdle on to the verdict', async () => {
    const svc = svcWith({}, { allowIdle: true });
    const r = rig(svc);
    const report = await readAt(r, at(8));
    expect(report).toMatchObject({ verdict: 'drained', note: expect.stringMatching(/allowIdle/) });
  });
});

describe('readGates (the soak)', () => {
  it('judges the periods of the last five that ended at least one period ago', async () => {
    const svc = svcWith();
    const r = rig(svc);
    // Soak from 10:00; now 10:20. Judged: 10:15 (start ≥ 10:15) … 10:18 (ended 10:19 ≤ now − 1 min).
    r.cloudwatch.series = {
      new_req: [
        [14, 400],
        [19, 400],
      ],
      new_5xx: [
        [14, 200],
        [19, 200],
      ],
    };
    const quiet = await readGates(r.ctx, deployment(), svc, { since: at(0), now: at(20) });
    expect(quiet).toEqual({ now: at(20), breaches: [] });
    expect(r.cloudwatch.calls[0]?.queries.map((q) => q.id)).toEqual([
      'new_req',
      'new_5xx',
      'new_p99',
      'new_conn',
      'new_unhealthy',
      'lb_5xx',
      'lb_503',
      'lb_req',
    ]);

    r.cloudwatch.series = { new_req: [[18, 400]], new_5xx: [[18, 200]] };
    const late = await readGates(r.ctx, deployment(), svc, { since: at(0), now: at(20) });
    expect(late?.breaches.map((b) => b.detail)).toEqual([
      'green answered 50% of 400 requests with a target 5xx (limit 5%) in the period from 10:18 UTC.',
    ]);
    r.cloudwatch.series = { new_req: [[15, 400]], new_5xx: [[15, 200]] };
    expect((await readGates(r.ctx, deployment(), svc, { since: at(0), now: at(20) }))?.breaches).toHaveLength(
      1,
    );
  });

  it('never judges periods before the soak started', async () => {
    const svc = svcWith();
    const r = rig(svc);
    r.cloudwatch.series = { new_req: [[1, 400]], new_5xx: [[1, 200]] };
    const reading = await readGates(r.ctx, deployment({ soakStartedAt: at(2) }), svc, {
      since: at(2),
      now: at(5),
    });
    expect(reading?.breaches).toEqual([]);
    expect(r.cloudwatch.calls[0]?.startMs).toBeGreaterThanOrEqual(at(1));
  });

  it('says why the gates could not be checked: unreadable metrics, a missing alarm', async () => {
    const svc = svcWith({ alarms: ['gone'] });
    const r = rig(svc);
    expect((await readGates(r.ctx, deployment(), svc, { since: at(0), now: at(10) }))?.error).toBe(
      'the CloudWatch alarm "gone" (gates.alarms) does not exist, so that gate can never fire',
    );
    r.cloudwatch.failWith = new Error('GetMetricData failed: AccessDenied');
    expect(await readGates(r.ctx, deployment(), svc, { since: at(0), now: at(10) })).toEqual({
      now: at(10),
      breaches: [],
      error:
        'the CloudWatch metrics and alarms of green could not be read (GetMetricData failed: AccessDenied)',
    });
  });
});

describe('runWatch', () => {
  it('announces a breach once while it goes on, and again when a new run begins', async () => {
    const svc = svcWith();
    const r = rig(svc);
    const over = (m: number): [number, number][] => [[m, 400]];
    r.cloudwatch.series = {
      new_req: [...over(3), ...over(4), ...over(5), ...over(6), ...over(7), ...over(8), ...over(9)],
      new_5xx: [
        [3, 40],
        [4, 40],
        [5, 40],
        [7, 40],
      ],
    };
    const alerts = () => texts(r.posts).filter((t) => /health gate breached/i.test(t));
    r.setNow(at(5));
    await runWatch(r.ctx, deployment().id);
    expect(alerts()).toHaveLength(1);
    r.setNow(at(6));
    await runWatch(r.ctx, deployment().id);
    r.setNow(at(7));
    await runWatch(r.ctx, deployment().id);
    expect(alerts()).toHaveLength(1); // 10:03–10:05 is one breach
    r.setNow(at(9));
    await runWatch(r.ctx, deployment().id); // 10:06 was within the limit, 10:07 is a new breach
    expect(alerts()).toHaveLength(2);
    expect(alerts()[1]).toMatch(/10:07/);
    expect(r.enqueued.map((e) => e.name)).toEqual(['watch', 'watch', 'watch', 'watch']);
  });

  it('says once per hour that the gates are not checked while the metrics cannot be read', async () => {
    const svc = svcWith();
    const r = rig(svc);
    r.cloudwatch.failWith = new Error('GetMetricData failed: AccessDenied');
    for (const m of [1, 2, 30, 59]) {
      r.setNow(at(m));
      await runWatch(r.ctx, deployment().id);
    }
    expect(r.posts).toHaveLength(1);
    expect(r.posts[0]?.text).toContain('Health gates not checked');
    expect(r.posts[0]?.text).toContain('could not be read (GetMetricData failed: AccessDenied)');
    expect(r.posts[0]?.text).toContain('<@U0REQUESTER>');
    r.setNow(at(61));
    await runWatch(r.ctx, deployment().id);
    expect(r.posts).toHaveLength(2);
    expect(r.record().messages.posted).toEqual([
      uncheckedKey(deployment(), at(1)),
      uncheckedKey(deployment(), at(61)),
    ]);
    expect(r.enqueued).toHaveLength(5);
  });
});

describe('handleBreaches (soak)', () => {
  const a = { kind: 'error_rate' as const, detail: 'green answered 7.5% …', key: `error_rate@${at(3)}` };
  const b = { kind: 'alarm' as const, detail: 'CloudWatch alarm x is in ALARM …', key: 'alarm@x@why' };

  it('posts when a breach is new, with every breach still going on, and never twice', async () => {
    const svc = svcWith();
    const r = rig(svc);
    await handleBreaches(r.ctx, r.record(), svc, [a], 'soak');
    await handleBreaches(r.ctx, r.record(), svc, [{ ...a, detail: 'green answered 9% …' }], 'soak');
    expect(r.posts).toHaveLength(1);
    await handleBreaches(r.ctx, r.record(), svc, [a, b], 'soak');
    expect(r.posts).toHaveLength(2);
    expect(r.posts[1]?.text).toBeDefined();
    await handleBreaches(r.ctx, r.record(), svc, [b], 'soak');
    await handleBreaches(r.ctx, r.record(), svc, [a, b], 'soak');
    expect(r.posts).toHaveLength(2);
    expect(r.record().messages.posted.filter((k) => !k.startsWith('counted:'))).toEqual([
      breachAlertKey('soak', a),
      breachAlertKey('soak', b),
    ]);
  });

  it('keys alerts by a short hash of the breach identity', () => {
    expect(breachAlertKey('soak', a)).toMatch(/^gate-soak-[0-9a-f]{12}$/);
    expect(breachAlertKey('soak', a)).toBe(breachAlertKey('soak', { ...a, detail: 'other words' }));
    expect(breachAlertKey('soak', a)).not.toBe(breachAlertKey('soak', { ...a, key: `error_rate@${at(7)}` }));
    expect(breachAlertKey('verification', a)).not.toBe(breachAlertKey('soak', a));
  });
});
