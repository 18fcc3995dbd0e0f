/**
 * The real AWS SDK CloudWatch client, over HTTP, against the fake CloudWatch fed by a traffic
 * model of the demo load balancer: the same path production takes, only the endpoint differs.
 * The model is ticked deterministically (no timers, no waiting).
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeCloudWatch, startFakeCloudWatch } from '../../sandbox/fake-cloudwatch.js';
import { DEMO, demoState } from '../../sandbox/fake-elb/demo.js';
import { forward } from '../../sandbox/fake-elb/state.js';
import { TrafficModel } from '../../sandbox/traffic-model.js';
import type { MetricsPort } from '../../src/app/ports/metrics.js';
import { createMetricsAdapter } from '../../src/aws/cloudwatch-adapter.js';
import type { GateSettings } from '../../src/domain/service.js';
import { periodStarts } from '../../src/domain/traffic/periods.js';
import { slotTraffic } from '../../src/domain/traffic/points.js';
import { albDimensions, trafficQueries } from '../../src/domain/traffic/queries.js';
import { evaluateTraffic } from '../../src/domain/traffic/verdict.js';
import { AwsCallError } from '../../src/errors.js';
import { at, MIN, T0 } from '../helpers/traffic-fixtures.js';

const SWITCHED_AT = at(2) + 30_000;
const WINDOW_ENDS_AT = SWITCHED_AT + 5 * MIN;
const { blueArn, greenArn, listenerArn } = DEMO.checkout;
const GATES: GateSettings = {
  maxErrorRate: 0.05,
  maxP99LatencyMs: 500,
  alarms: [],
  autoRollback: false,
  watchIntervalMs: MIN,
};

let fake: FakeCloudWatch | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/**
 * The demo world with checkout on blue; at SWITCHED_AT the listener is switched to green. Metrics
 * are published as ALB publishes them: a period only a period after it ended, so a read at `until`
 * does not see the last period yet.
 */
function world(opts: { forgottenRule?: boolean; after?: (model: TrafficModel) => void; until: number }) {
  let clock = T0;
  const elb = demoState({ now: () => clock, ...(opts.forgottenRule ? { forgottenRule: true } : {}) });
  const model = new TrafficModel(elb, { now: () => clock, requestsPerSecond: 20 });
  for (clock = T0 + 10_000; clock <= opts.until; clock += 10_000) {
    model.tick(clock);
    if (clock === SWITCHED_AT) {
      elb.listener(listenerArn).defaultActions = [forward([greenArn, 1])];
      opts.after?.(model);
    }
  }
  return model;
}

async function serve(model: TrafficModel, pageSize?: number, maxAttempts = 3): Promise<MetricsPort> {
  fake = await startFakeCloudWatch({ model, ...(pageSize ? { pageSize } : {}) });
  const client = new CloudWatchClient({
    endpoint: fake.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummy-secret' },
    maxAttempts,
  });
  return createMetricsAdapter(client);
}

const queries = trafficQueries({
  loadBalancer: albDimensions(listenerArn, blueArn).loadBalancer,
  oldTargetGroup: albDimensions(listenerArn, blueArn).targetGroup,
  newTargetGroup: albDimensions(listenerArn, greenArn).targetGroup,
  periodSeconds: 60,
});

async function verify(port: MetricsPort, now: number, alarms: string[] = []) {
  const results = await port.getMetricData(queries, at(0), now);
  const periods = periodStarts(at(0), now, MIN);
  return evaluateTraffic({
    oldSlot: slotTraffic('blue', results, 'old', periods),
    newSlot: slotTraffic('green', results, 'new', periods),
    switchedAt: SWITCHED_AT,
    now,
    windowEndsAt: WINDOW_ENDS_AT,
    periodMs: MIN,
    toleranceRequests: 0,
    gates: GATES,
    alarms: await port.describeAlarms(alarms),
  });
}

describe('traffic evidence through the real SDK and the fake CloudWatch', () => {
  it('returns per-minute series that follow the switch half-way, and says drained', async () => {
    const port = await serve(world({ until: at(6) }));
    const results = await port.getMetricData(queries, at(0), at(6));
    const byId = Object.fromEntries(results.map((r) => [r.id, r]));
    expect(byId.old_req).toEqual({
      id: 'old_req',
      timestamps: [at(0), at(1), at(2)],
      values: [1200, 1200, 600],
    });
    // The period from 10:05 ended at 10:06 and is not published yet.
    expect(byId.new_req?.timestamps).toEqual([at(2), at(3), at(4)]);
    expect(byId.new_req?.values).toEqual([600, 1200, 1200]);
    expect(byId.new_5xx).toEqual({ id: 'new_5xx', timestamps: [], values: [] });
    expect(byId.new_p99?.values).toEqual([0.045, 0.045, 0.045]);

    const report = await verify(port, at(6));
    expect(report.verdict).toBe('drained');
    expect(report.drainedAt).toBe(at(3));
    expect(report.breaches).toEqual([]);
    expect(report.oldSlot.points.map((p) => p.requests)).toEqual([1200, 1200, 600, 0, 0, 0]);
  });

  it('says not drained when clients stay pinned to blue through the window', async () => {
    const port = await serve(world({ until: at(8), after: (m) => m.pin(blueArn, 0.5) }));
    const report = await verify(port, at(8));
    expect(report.verdict).toBe('not_drained');
    // The last period is not published yet: it reads 0 but does not count (not settled).
    expect(report.oldSlot.points.slice(3).map((p) => p.requests)).toEqual([30, 30, 30, 30, 0]);
  });

  it('says not drained when a forgotten rule keeps forwarding to blue', async () => {
    const port = await serve(world({ forgottenRule: true, until: at(8) }));
    const report = await verify(port, at(8));
    expect(report.verdict).toBe('not_drained');
    expect(report.oldSlot.points.at(-2)?.requests).toBe(1200);
  });

  it('merges a paginated answer into the same series as an unpaginated one', async () => {
    const model = world({ until: at(6) });
    const whole = await (await serve(model)).getMetricData(queries, at(0), at(6));
    await fake?.close();
    model.calls.length = 0;
    const paged = await (await serve(model, 3)).getMetricData(queries, at(0), at(6));
    expect(paged).toEqual(whole);
    const pages = model.calls.filter((c) => c.operation === 'GetMetricData');
    expect(pages.length).toBeGreaterThan(3);
    expect(((pages[1]?.input ?? {}) as { NextToken?: string }).NextToken).toEqual(expect.any(String));
  });

  it('detects a 5xx breach on the new slot', async () => {
    const port = await serve(world({ until: at(6), after: (m) => m.setErrorRate(greenArn, 0.1) }));
    const report = await verify(port, at(6));
    expect(report.verdict).toBe('drained');
    expect(report.breaches).toEqual([
      {
        kind: 'error_rate',
        detail:
          'green answered 10% of 1200 requests with a target 5xx (limit 5%) in the period from 10:03 UTC; 2 periods were over the limit.',
        key: `error_rate@${at(3)}`,
      },
    ]);
  });

  it('reports metric and composite alarms in ALARM, and skips names that do not exist', async () => {
    const model = world({ until: at(6) });
    model.setAlarm('checkout-green-5xx', 'ALARM', 'Threshold Crossed: 1 datapoint [120.0] > 10.0');
    model.setAlarm('checkout-health', 'ALARM', 'checkout-green-5xx transitioned to ALARM', 'composite');
    model.setAlarm('checkout-latency', 'OK');
    const port = await serve(model);
    const alarms = await port.describeAlarms([
      'checkout-latency',
      'checkout-health',
      'no-such',
      'checkout-green-5xx',
    ]);
    expect(alarms.map((a) => [a.name, a.state])).toEqual([
      ['checkout-latency', 'OK'],
      ['checkout-health', 'ALARM'],
      ['checkout-green-5xx', 'ALARM'],
    ]);
    const report = await verify(port, at(6), ['checkout-green-5xx', 'checkout-health']);
    expect(report.breaches.map((b) => b.detail)).toEqual([
      'CloudWatch alarm checkout-green-5xx is in ALARM while green is live: Threshold Crossed: 1 datapoint [120.0] > 10.0.',
      'CloudWatch alarm checkout-health is in ALARM while green is live: checkout-green-5xx transitioned to ALARM.',
    ]);
  });

  it('rides out one throttled call with the SDK’s retry', async () => {
    const model = world({ until: at(3) });
    model.failNext('GetMetricData', 'Throttling', 'Rate exceeded');
    const port = await serve(model);
    const results = await port.getMetricData(queries, at(0), at(3));
    expect(results.find((r) => r.id === 'old_req')?.values).toEqual([1200, 1200]);
    expect(model.calls.filter((c) => c.operation === 'GetMetricData')).toHaveLength(2);
  });

  it('reports Throttling that outlasts the retries as an AwsCallError', async () => {
    const model = world({ until: at(3) });
    model.failNext('GetMetricData', 'Throttling', 'Rate exceeded');
    model.failNext('GetMetricData', 'Throttling', 'Rate exceeded');
    const port = await serve(model, undefined, 2);
    const err = await port.getMetricData(queries, at(0), at(3)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ operation: 'GetMetricData', code: 'Throttling' });
    expect((err as Error).message).toContain('Rate exceeded (after 2 attempts)');
  });
});
