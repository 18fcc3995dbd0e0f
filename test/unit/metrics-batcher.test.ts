import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createMetricsAdapter } from '../../src/aws/cloudwatch-adapter.js';
import type { MetricQuery } from '../../src/domain/metrics.js';
import { trafficQueries } from '../../src/domain/traffic/queries.js';
import { resetAroundEach, SDK_TEST_CONFIG } from '../helpers/sdk-mock.js';

const client = new CloudWatchClient(SDK_TEST_CONFIG);
const mock = mockClient(client);
resetAroundEach(mock);
/** Reads issued in one turn of the event loop are all waiting before any window can close. */
const batched = () => createMetricsAdapter(client, { batch: { windowMs: 5 } });
const alone = () => createMetricsAdapter(client);

const LB = 'app/shop/50dc6c495c0c9188';
const T0 = Date.UTC(2026, 10, 30, 10, 0);
const MIN = 60_000;
const meta = { httpStatusCode: 200, requestId: '5ad1b5a2-6c1e-4a55-9f0b-0d3c1e8f7a21', attempts: 1 };

/** The queries one service's verification sends (both slots, gates, the load balancer's own 5xx). */
function verification(service: string, periodSeconds = 60): MetricQuery[] {
  return trafficQueries({
    loadBalancer: LB,
    oldTargetGroup: `targetgroup/${service}-blue/0${service.length}`,
    newTargetGroup: `targetgroup/${service}-green/1${service.length}`,
    periodSeconds,
  });
}

/** A value per metric and period start that tells every metric and minute apart. */
function pointValue(
  q: NonNullable<GetMetricDataCommandInput['MetricDataQueries']>[number],
  at: number,
): number {
  const m = q.MetricStat?.Metric;
  const key = `${m?.MetricName}|${(m?.Dimensions ?? []).map((d) => d.Value).join('|')}|${q.MetricStat?.Stat}`;
  let h = 0;
  for (const c of key) h = (h * 31 + c.charCodeAt(0)) % 1000;
  return h * 10_000 + (at - T0) / MIN;
}

/** CloudWatch's answer: one point per period from the rounded StartTime to EndTime, per query. */
function answer(input: GetMetricDataCommandInput): GetMetricDataCommandOutput {
  const start = Math.floor((input.StartTime as Date).getTime() / MIN) * MIN;
  const end = (input.EndTime as Date).getTime();
  return {
    $metadata: meta,
    MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
      const step = (q.MetricStat?.Period ?? 60) * 1000;
      const at: number[] = [];
      for (let t = start; t < end; t += step) at.push(t);
      return {
        Id: q.Id,
        Label: q.MetricStat?.Metric?.MetricName,
        Timestamps: at.map((t) => new Date(t)),
        Values: at.map((t) => pointValue(q, t)),
        StatusCode: 'Complete',
      };
    }),
    Messages: [],
  };
}

const sent = () => mock.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);

describe('reads of many deployments share GetMetricData calls', () => {
  it('sends the reads that meet in the window as one call and gives each the same answer as its own call', async () => {
    mock.on(GetMetricDataCommand).callsFake(answer);
    const reads = [
      { queries: verification('checkout'), start: T0, end: T0 + 10 * MIN },
      { queries: verification('cart'), start: T0 + 2 * MIN, end: T0 + 9 * MIN + 1_500 },
      { queries: verification('search'), start: T0 + 4 * MIN, end: T0 + 10 * MIN + 700 },
    ];

    const port = batched();
    const together = await Promise.all(reads.map((r) => port.getMetricData(r.queries, r.start, r.end)));
    const calls = sent();
    mock.resetHistory();
    const separately = [];
    for (const r of reads) separately.push(await alone().getMetricData(r.queries, r.start, r.end));

    expect(calls).toHaveLength(1);
    expect(sent()).toHaveLength(3);
    expect(together).toEqual(separately);
    // Every read got points, each only those of its own window.
    expect(together[1]?.[0]?.timestamps[0]).toBe(T0 + 2 * MIN);
    expect(together[1]?.[0]?.timestamps.at(-1)).toBe(T0 + 9 * MIN);
  });

  it('asks once for a metric several reads ask for: the load balancer’s own 5xx of a shared listener', async () => {
    mock.on(GetMetricDataCommand).callsFake(answer);
    const port = batched();
    const services = ['checkout', 'cart', 'search', 'profile'];
    await Promise.all(services.map((s) => port.getMetricData(verification(s), T0, T0 + 5 * MIN)));

    const queries = sent()[0]?.MetricDataQueries ?? [];
    const perService = verification('checkout').length;
    const balancerOnly = verification('checkout').filter((q) => q.targetGroup === undefined).length;
    expect(balancerOnly).toBe(3);
    expect(queries).toHaveLength(services.length * (perService - balancerOnly) + balancerOnly);
    expect(new Set(queries.map((q) => q.Id)).size).toBe(queries.length);
  });

  it('never puts reads of different periods, or of starts off each other’s grid, in one call', async () => {
    mock.on(GetMetricDataCommand).callsFake(answer);
    const port = batched();
    await Promise.all([
      port.getMetricData(verification('checkout', 60), T0, T0 + 10 * MIN),
      port.getMetricData(verification('cart', 300), T0, T0 + 10 * MIN),
      port.getMetricData(verification('search', 300), T0 + 2 * MIN, T0 + 10 * MIN),
      port.getMetricData(verification('profile', 300), T0 + 5 * MIN, T0 + 10 * MIN),
    ]);

    const periods = sent().map((input) => [
      ...new Set((input.MetricDataQueries ?? []).map((q) => q.MetricStat?.Period)),
    ]);
    expect(periods).toHaveLength(3); // 60 s; 300 s from T0 and T0+5 min together; 300 s from T0+2 min
    for (const p of periods) expect(p).toHaveLength(1);
  });

  it('fails only the reads that asked for a metric CloudWatch refused, and the whole call’s reads when the call fails', async () => {
    mock.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      const out = answer(input);
      for (const r of out.MetricDataResults ?? []) {
        const q = input.MetricDataQueries?.find((x) => x.Id === r.Id);
        const tg = q?.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === 'TargetGroup')?.Value;
        if (tg?.startsWith('targetgroup/cart-')) {
          r.StatusCode = 'Forbidden';
          r.Messages = [{ Code: 'Forbidden', Value: 'not authorized' }];
        }
      }
      return out;
    });
    const port = batched();
    const [checkout, cart] = await Promise.allSettled([
      port.getMetricData(verification('checkout'), T0, T0 + 5 * MIN),
      port.getMetricData(verification('cart'), T0, T0 + 5 * MIN),
    ]);
    expect(checkout.status).toBe('fulfilled');
    expect(cart).toMatchObject({ status: 'rejected', reason: { code: 'Forbidden' } });
    expect(sent()).toHaveLength(1);

    mock.reset();
    mock.on(GetMetricDataCommand).rejects(new Error('socket hang up'));
    const both = await Promise.allSettled([
      port.getMetricData(verification('checkout'), T0, T0 + 5 * MIN),
      port.getMetricData(verification('cart'), T0, T0 + 5 * MIN),
    ]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('keeps every call within GetMetricData’s 500 queries', async () => {
    mock.on(GetMetricDataCommand).callsFake(answer);
    const port = batched();
    const services = Array.from({ length: 70 }, (_, i) => `svc${i}x`);
    const results = await Promise.all(
      services.map((s) => port.getMetricData(verification(s), T0, T0 + 5 * MIN)),
    );

    const sizes = sent().map((input) => input.MetricDataQueries?.length ?? 0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(500);
    expect(sizes.length).toBeGreaterThan(1); // 70 services × 8 target-group queries + 3 shared > 500
    expect(results.every((r) => r.length === verification('x').length && r[0]?.values.length === 5)).toBe(
      true,
    );
  });

  it('sends a read that comes after the window closed in a call of its own', async () => {
    mock.on(GetMetricDataCommand).callsFake(answer);
    const port = createMetricsAdapter(client, { batch: { windowMs: 1 } });
    await port.getMetricData(verification('checkout'), T0, T0 + 5 * MIN);
    await port.getMetricData(verification('cart'), T0, T0 + 5 * MIN);
    expect(sent()).toHaveLength(2);
  });
});
