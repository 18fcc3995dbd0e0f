import { describe, expect, it } from 'vitest';
import { handleCloudWatch, isCloudWatchRequest } from '../../sandbox/fake-cloudwatch.js';
import { DEMO, demoState } from '../../sandbox/fake-elb/demo.js';
import { TrafficModel } from '../../sandbox/traffic-model.js';
import { at, T0 } from '../helpers/traffic-fixtures.js';

const seconds = (ms: number) => ms / 1000;
const LB = 'app/shop/' + DEMO.loadBalancerArn.split('/').at(-1);
const BLUE = DEMO.checkout.blueArn.slice(DEMO.checkout.blueArn.indexOf('targetgroup/'));

/**
 * Three published minutes of demo traffic: checkout-blue gets 1200 requests a minute. The model
 * runs a minute longer, since ALB metrics are published a period after it ends.
 */
function model(setup: (elb: ReturnType<typeof demoState>) => void = () => {}): TrafficModel {
  let clock = T0;
  const elb = demoState({ now: () => clock });
  setup(elb);
  const m = new TrafficModel(elb, { now: () => clock });
  for (clock = T0 + 10_000; clock <= at(4); clock += 10_000) m.tick(clock);
  return m;
}

const metric = (id: string, name: string, stat: string, dims: { Name: string; Value: string }[]) => ({
  Id: id,
  MetricStat: {
    Metric: { Namespace: 'AWS/ApplicationELB', MetricName: name, Dimensions: dims },
    Period: 60,
    Stat: stat,
  },
});

function call(m: TrafficModel, operation: string, body: unknown, pageSize?: number) {
  const r = handleCloudWatch(
    m,
    {
      headers: {
        'X-Amz-Target': `GraniteServiceVersion20100801.${operation}`,
        'content-type': 'application/x-amz-json-1.0',
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    },
    pageSize === undefined ? {} : { pageSize },
  );
  return { ...r, json: JSON.parse(r.body) as Record<string, unknown> };
}

const requests = (
  dims = [
    { Name: 'LoadBalancer', Value: LB },
    { Name: 'TargetGroup', Value: BLUE },
  ],
) => ({
  Id: 'old_req',
  MetricStat: {
    Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Dimensions: dims },
    Period: 60,
    Stat: 'Sum',
  },
});

describe('isCloudWatchRequest', () => {
  it('recognises the JSON 1.0 target whatever the header case, and nothing else', () => {
    expect(isCloudWatchRequest({ 'x-amz-target': 'GraniteServiceVersion20100801.GetMetricData' })).toBe(true);
    expect(isCloudWatchRequest({ 'X-Amz-Target': 'GraniteServiceVersion20100801.DescribeAlarms' })).toBe(
      true,
    );
    expect(isCloudWatchRequest({ 'x-amz-target': 'AmazonSQS.SendMessage' })).toBe(false);
    expect(isCloudWatchRequest({ 'content-type': 'application/x-www-form-urlencoded' })).toBe(false);
  });
});

describe('handleCloudWatch: GetMetricData', () => {
  it('answers with epoch-second timestamps, newest first by default, like CloudWatch', () => {
    const r = call(model(), 'GetMetricData', {
      MetricDataQueries: [requests()],
      StartTime: seconds(at(0)) + 25,
      EndTime: seconds(at(3)),
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(r.json).toEqual({
      MetricDataResults: [
        {
          Id: 'old_req',
          Label: 'RequestCount',
          Timestamps: [at(2), at(1), at(0)].map(seconds),
          Values: [1200, 1200, 1200],
          StatusCode: 'Complete',
        },
      ],
      Messages: [],
    });
  });

  it('pages by MaxDatapoints with a NextToken bound to the request', () => {
    const m = model();
    const body = {
      MetricDataQueries: [requests()],
      StartTime: seconds(at(0)),
      EndTime: seconds(at(3)),
      ScanBy: 'TimestampAscending',
      MaxDatapoints: 2,
    };
    const first = call(m, 'GetMetricData', body);
    expect(first.json.MetricDataResults).toEqual([
      expect.objectContaining({ Timestamps: [at(0), at(1)].map(seconds), StatusCode: 'PartialData' }),
    ]);
    const second = call(m, 'GetMetricData', { ...body, NextToken: first.json.NextToken });
    expect(second.json.MetricDataResults).toEqual([
      expect.objectContaining({ Timestamps: [seconds(at(2))], StatusCode: 'Complete' }),
    ]);
    expect(second.json.NextToken).toBeUndefined();
    const reused = call(m, 'GetMetricData', { ...body, MaxDatapoints: 3, NextToken: first.json.NextToken });
    expect([reused.status, reused.headers['x-amzn-query-error']]).toEqual([400, 'InvalidNextToken;Sender']);
  });

  it('publishes the load balancer’s own 5xx with the LoadBalancer dimension alone, never per target group', () => {
    const m = model((elb) => {
      for (const t of elb.targetGroup(DEMO.checkout.blueArn).targets)
        elb.setTargetHealth(DEMO.checkout.blueArn, t.id, 'timeout');
    });
    const r = call(m, 'GetMetricData', {
      MetricDataQueries: [
        metric('lb_5xx', 'HTTPCode_ELB_5XX_Count', 'Sum', [{ Name: 'LoadBalancer', Value: LB }]),
        metric('tg_5xx', 'HTTPCode_ELB_5XX_Count', 'Sum', [
          { Name: 'LoadBalancer', Value: LB },
          { Name: 'TargetGroup', Value: BLUE },
        ]),
        metric('target_5xx', 'HTTPCode_Target_5XX_Count', 'Sum', [
          { Name: 'LoadBalancer', Value: LB },
          { Name: 'TargetGroup', Value: BLUE },
        ]),
      ],
      StartTime: seconds(at(0)),
      EndTime: seconds(at(3)),
      ScanBy: 'TimestampAscending',
    });
    const byId = Object.fromEntries(
      (r.json.MetricDataResults as { Id: string; Values: number[] }[]).map((x) => [x.Id, x.Values]),
    );
    expect(byId).toEqual({ lb_5xx: [1200, 1200, 1200], tg_5xx: [], target_5xx: [] });
  });

  it('gives host counts per target group by the statistic asked for', () => {
    const m = model((elb) => {
      const [first] = elb.targetGroup(DEMO.checkout.blueArn).targets;
      elb.setTargetHealth(DEMO.checkout.blueArn, first?.id ?? '', 'unhealthy');
    });
    const dims = [
      { Name: 'LoadBalancer', Value: LB },
      { Name: 'TargetGroup', Value: BLUE },
    ];
    const r = call(m, 'GetMetricData', {
      MetricDataQueries: [
        metric('healthy_min', 'HealthyHostCount', 'Minimum', dims),
        metric('unhealthy_max', 'UnHealthyHostCount', 'Maximum', dims),
      ],
      StartTime: seconds(at(0)),
      EndTime: seconds(at(1)),
    });
    expect(r.json.MetricDataResults).toEqual([
      expect.objectContaining({ Id: 'healthy_min', Values: [1] }),
      expect.objectContaining({ Id: 'unhealthy_max', Values: [1] }),
    ]);
  });

  it('has no data for a dimension set the metric is not published with', () => {
    const r = call(model(), 'GetMetricData', {
      MetricDataQueries: [requests([{ Name: 'TargetGroup', Value: BLUE }])],
      StartTime: seconds(at(0)),
      EndTime: seconds(at(3)),
    });
    expect(r.json.MetricDataResults).toEqual([expect.objectContaining({ Timestamps: [], Values: [] })]);
  });

  it.each<[string, unknown, string]>([
    ['no queries', { StartTime: 1, EndTime: 2 }, 'MissingParameter;Sender'],
    [
      'a start after the end',
      { MetricDataQueries: [requests()], StartTime: 600, EndTime: 60 },
      'InvalidParameterValue;Sender',
    ],
    [
      'two queries with one id',
      { MetricDataQueries: [requests(), requests()], StartTime: 0, EndTime: 600 },
      'InvalidParameterValue;Sender',
    ],
    ['a body that is not JSON', '{"MetricDataQueries": [', 'SerializationException;Sender'],
  ])('refuses %s with an AWS-shaped 400', (_name, body, queryError) => {
    const r = call(model(), 'GetMetricData', body);
    expect(r.status).toBe(400);
    expect(r.headers['x-amzn-query-error']).toBe(queryError);
    expect(r.json).toEqual({ __type: expect.any(String), message: expect.any(String) });
  });
});

describe('handleCloudWatch: errors and alarms', () => {
  it('refuses an operation it does not know', () => {
    const r = call(model(), 'PutMetricData', {});
    expect(r.status).toBe(400);
    expect(r.json.__type).toBe('com.amazon.coral.service#UnknownOperationException');
  });

  it('fails the next call of an operation with an injected error, then recovers', () => {
    const m = model();
    m.failNext('DescribeAlarms', 'InternalServiceError');
    expect(call(m, 'DescribeAlarms', {}).status).toBe(500);
    expect(call(m, 'DescribeAlarms', {}).status).toBe(200);
    expect(m.calls.map((c) => c.operation)).toEqual(['DescribeAlarms', 'DescribeAlarms']);
  });

  it('returns metric alarms only unless composite alarms are asked for, as AWS does', () => {
    const m = model();
    m.setAlarm('checkout-5xx', 'ALARM', 'Threshold Crossed');
    m.setAlarm('checkout-health', 'ALARM', 'member in ALARM', 'composite');
    const names = ['checkout-5xx', 'checkout-health'];
    const metricOnly = call(m, 'DescribeAlarms', { AlarmNames: names });
    expect(metricOnly.json.MetricAlarms).toEqual([
      expect.objectContaining({
        AlarmName: 'checkout-5xx',
        StateValue: 'ALARM',
        StateReason: 'Threshold Crossed',
      }),
    ]);
    expect(metricOnly.json.CompositeAlarms).toEqual([]);
    const both = call(m, 'DescribeAlarms', {
      AlarmNames: names,
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
    expect(both.json.CompositeAlarms).toEqual([
      expect.objectContaining({
        AlarmName: 'checkout-health',
        StateValue: 'ALARM',
        AlarmRule: expect.any(String),
      }),
    ]);
  });

  it('pages alarms by MaxRecords', () => {
    const m = model();
    for (const n of ['a', 'b', 'c']) m.setAlarm(n, 'OK');
    const first = call(m, 'DescribeAlarms', { MaxRecords: 2 });
    const second = call(m, 'DescribeAlarms', { MaxRecords: 2, NextToken: first.json.NextToken });
    const names = (r: { json: Record<string, unknown> }) =>
      (r.json.MetricAlarms as { AlarmName: string }[]).map((a) => a.AlarmName);
    expect([names(first), names(second), second.json.NextToken]).toEqual([['a', 'b'], ['c'], undefined]);
  });
});
