import {
  CloudWatchClient,
  CloudWatchServiceException,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandOutput,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createMetricsAdapter } from '../../src/aws/cloudwatch-adapter.js';
import type { MetricQuery } from '../../src/domain/metrics.js';
import { AwsCallError } from '../../src/errors.js';
import { resetAroundEach, SDK_TEST_CONFIG } from '../helpers/sdk-mock.js';

const client = new CloudWatchClient(SDK_TEST_CONFIG);
const mock = mockClient(client);
const port = createMetricsAdapter(client);
resetAroundEach(mock);

const LB = 'app/shop/50dc6c495c0c9188';
const BLUE = 'targetgroup/checkout-blue/73e2d6bc24d8a067';
const T0 = Date.UTC(2025, 2, 14, 10, 0);
const min = (n: number) => new Date(T0 + n * 60_000);
const meta = { httpStatusCode: 200, requestId: '5ad1b5a2-6c1e-4a55-9f0b-0d3c1e8f7a21', attempts: 1 };

const query = (id: string, metricName: MetricQuery['metricName'] = 'RequestCount'): MetricQuery => ({
  id,
  metricName,
  stat: metricName === 'TargetResponseTime' ? 'p99' : 'Sum',
  loadBalancer: LB,
  targetGroup: BLUE,
  periodSeconds: 60,
});

/** A page as CloudWatch returns it (Label, StatusCode, Messages), timestamps already Dates. */
function page(
  results: { Id: string; minutes: number[]; values: number[]; status?: 'Complete' | 'PartialData' }[],
  next?: string,
): GetMetricDataCommandOutput {
  return {
    $metadata: meta,
    MetricDataResults: results.map((r) => ({
      Id: r.Id,
      Label: 'RequestCount',
      Timestamps: r.minutes.map(min),
      Values: r.values,
      StatusCode: r.status ?? 'Complete',
    })),
    Messages: [],
    ...(next ? { NextToken: next } : {}),
  };
}

describe('GetMetricData', () => {
  it('asks for the ALB namespace and dimension set, ascending, over the given window', async () => {
    mock.on(GetMetricDataCommand).resolves(page([{ Id: 'old_req', minutes: [], values: [] }]));
    await port.getMetricData([query('old_req')], T0, T0 + 5 * 60_000);
    const input = mock.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(input).toEqual({
      MetricDataQueries: [
        {
          Id: 'old_req',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/ApplicationELB',
              MetricName: 'RequestCount',
              Dimensions: [
                { Name: 'LoadBalancer', Value: LB },
                { Name: 'TargetGroup', Value: BLUE },
              ],
            },
            Period: 60,
            Stat: 'Sum',
          },
          ReturnData: true,
        },
      ],
      StartTime: new Date(T0),
      EndTime: new Date(T0 + 5 * 60_000),
      ScanBy: 'TimestampAscending',
      NextToken: undefined,
    });
  });

  it('merges two pages per id, following NextToken, in ascending time order', async () => {
    mock
      .on(GetMetricDataCommand)
      .resolvesOnce(
        page(
          [
            { Id: 'old_req', minutes: [0, 1], values: [1200, 1180], status: 'PartialData' },
            { Id: 'new_req', minutes: [], values: [], status: 'PartialData' },
          ],
          'eyJvZmZzZXQiOjJ9',
        ),
      )
      .resolvesOnce(
        page([
          { Id: 'old_req', minutes: [3, 2], values: [4, 610] },
          { Id: 'new_req', minutes: [2, 3], values: [590, 1190] },
        ]),
      );
    const results = await port.getMetricData([query('old_req'), query('new_req')], T0, T0 + 4 * 60_000);
    expect(results).toEqual([
      { id: 'old_req', timestamps: [0, 1, 2, 3].map((n) => +min(n)), values: [1200, 1180, 610, 4] },
      { id: 'new_req', timestamps: [2, 3].map((n) => +min(n)), values: [590, 1190] },
    ]);
    const tokens = mock.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.NextToken);
    expect(tokens).toEqual([undefined, 'eyJvZmZzZXQiOjJ9']);
  });

  it('returns an empty series for a query CloudWatch has no datapoints for', async () => {
    mock.on(GetMetricDataCommand).resolves({
      $metadata: meta,
      MetricDataResults: [
        {
          Id: 'new_5xx',
          Label: 'HTTPCode_Target_5XX_Count',
          Timestamps: [],
          Values: [],
          StatusCode: 'Complete',
        },
      ],
      Messages: [],
    });
    const results = await port.getMetricData(
      [query('new_5xx', 'HTTPCode_Target_5XX_Count'), query('new_p99', 'TargetResponseTime')],
      T0,
      T0 + 60_000,
    );
    expect(results).toEqual([
      { id: 'new_5xx', timestamps: [], values: [] },
      { id: 'new_p99', timestamps: [], values: [] },
    ]);
  });

  it('splits more than 500 queries into calls of at most 500', async () => {
    mock.on(GetMetricDataCommand).resolves(page([]));
    const many = Array.from({ length: 1001 }, (_, i) => query(`q${i}`));
    const results = await port.getMetricData(many, T0, T0 + 60_000);
    const sizes = mock
      .commandCalls(GetMetricDataCommand)
      .map((c) => c.args[0].input.MetricDataQueries?.length);
    expect(sizes).toEqual([500, 500, 1]);
    expect(results).toHaveLength(1001);
  });

  it('makes no call for no queries', async () => {
    expect(await port.getMetricData([], T0, T0 + 60_000)).toEqual([]);
    expect(mock.commandCalls(GetMetricDataCommand)).toHaveLength(0);
  });

  it('reports a Forbidden query as an error instead of an empty (drained-looking) series', async () => {
    mock.on(GetMetricDataCommand).resolves({
      $metadata: meta,
      MetricDataResults: [
        {
          Id: 'old_req',
          Timestamps: [],
          Values: [],
          StatusCode: 'Forbidden',
          Messages: [{ Code: 'Forbidden', Value: 'not authorized to read AWS/ApplicationELB' }],
        },
      ],
    });
    await expect(port.getMetricData([query('old_req')], T0, T0 + 60_000)).rejects.toMatchObject({
      operation: 'GetMetricData',
      code: 'Forbidden',
    });
  });

  it('reports Throttling that outlasted the SDK’s retries as an AwsCallError with the attempts', async () => {
    const throttled = new CloudWatchServiceException({
      name: 'Throttling',
      $fault: 'client',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400, attempts: 3 },
    });
    mock.on(GetMetricDataCommand).rejects(Object.assign(throttled, { Code: 'Throttling' }));
    const err = await port.getMetricData([query('old_req')], T0, T0 + 60_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ operation: 'GetMetricData', code: 'Throttling' });
    expect((err as Error).message).toContain('Rate exceeded (after 3 attempts)');
  });

  it('gives up on a NextToken that repeats instead of looping forever', async () => {
    mock.on(GetMetricDataCommand).resolves(page([{ Id: 'old_req', minutes: [0], values: [1] }], 'same'));
    await expect(port.getMetricData([query('old_req')], T0, T0 + 60_000)).rejects.toThrow(/same repeated/);
  });
});

describe('DescribeAlarms', () => {
  const metricAlarm = {
    AlarmName: 'checkout-green-5xx',
    AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-green-5xx',
    StateValue: 'ALARM' as const,
    StateReason:
      'Threshold Crossed: 1 datapoint [42.0 (14/03/25 10:04:00)] was greater than the threshold (10.0).',
    StateUpdatedTimestamp: min(5),
    Namespace: 'AWS/ApplicationELB',
    MetricName: 'HTTPCode_Target_5XX_Count',
  };
  const composite = {
    AlarmName: 'checkout-health',
    AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-health',
    AlarmRule: 'ALARM(checkout-green-5xx) OR ALARM(checkout-green-latency)',
    StateValue: 'OK' as const,
    StateReason: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-green-latency transitioned to OK',
  };

  it('asks for metric and composite alarms by name and returns them in the order asked', async () => {
    const out: DescribeAlarmsCommandOutput = {
      $metadata: meta,
      MetricAlarms: [metricAlarm],
      CompositeAlarms: [composite],
    };
    mock.on(DescribeAlarmsCommand).resolves(out);
    const alarms = await port.describeAlarms(['checkout-health', 'checkout-green-5xx', 'no-such-alarm']);
    expect(alarms).toEqual([
      { name: 'checkout-health', state: 'OK', reason: composite.StateReason },
      { name: 'checkout-green-5xx', state: 'ALARM', reason: metricAlarm.StateReason },
    ]);
    expect(mock.commandCalls(DescribeAlarmsCommand)[0]?.args[0].input).toMatchObject({
      AlarmNames: ['checkout-health', 'checkout-green-5xx', 'no-such-alarm'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
  });

  it('names at most 100 alarms per call and follows NextToken', async () => {
    mock
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ $metadata: meta, MetricAlarms: [metricAlarm], NextToken: 'p2' })
      .resolvesOnce({ $metadata: meta, CompositeAlarms: [composite] })
      .resolves({ $metadata: meta });
    const names = Array.from({ length: 150 }, (_, i) => `alarm-${i}`);
    const alarms = await port.describeAlarms([metricAlarm.AlarmName, composite.AlarmName, ...names]);
    expect(alarms.map((a) => a.name)).toEqual([metricAlarm.AlarmName, composite.AlarmName]);
    const calls = mock.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input);
    expect(calls.map((i) => [i.AlarmNames?.length, i.NextToken])).toEqual([
      [100, undefined],
      [100, 'p2'],
      [52, undefined],
    ]);
  });

  it('maps an access failure to an AwsCallError with the wire code', async () => {
    mock
      .on(DescribeAlarmsCommand)
      .rejects(
        Object.assign(new Error('User is not authorized'), { name: 'AccessDenied', Code: 'AccessDenied' }),
      );
    await expect(port.describeAlarms(['x'])).rejects.toMatchObject({
      operation: 'DescribeAlarms',
      code: 'AccessDenied',
    });
  });
});
