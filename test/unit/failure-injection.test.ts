import { describe, expect, it } from 'vitest';
import { FailureInjection, failureStatus } from '../../sandbox/failure-injection.js';
import { statusOf } from '../../sandbox/fake-elb/errors.js';

describe('failureStatus', () => {
  it("answers the service's own server faults with 500, ServiceUnavailable with 503, the rest with 400", () => {
    const ecs = ['ServerException', 'InternalFailure'];
    expect(failureStatus('ServerException', ecs)).toBe(500);
    expect(failureStatus('InternalFailure', ecs)).toBe(500);
    expect(failureStatus('InternalError', ecs)).toBe(400);
    expect(failureStatus('ServiceUnavailable', ecs)).toBe(503);
    expect(failureStatus('Throttling', ecs)).toBe(400);
    expect([statusOf('InternalError'), statusOf('InternalFailure'), statusOf('ServerException')]).toEqual([
      500, 500, 400,
    ]);
  });
});

describe('FailureInjection', () => {
  it('hands out the queued failures of an operation oldest first, once each', () => {
    const f = new FailureInjection();
    f.failNext('DescribeRules', 'Throttling', 'Rate exceeded');
    f.failNext('ModifyListener', 'InternalFailure');
    f.failNext('DescribeRules', 'ServiceUnavailable');
    expect(f.takeFailure('DescribeRules')).toEqual({
      operation: 'DescribeRules',
      code: 'Throttling',
      message: 'Rate exceeded',
    });
    expect(f.takeFailure('DescribeRules')?.code).toBe('ServiceUnavailable');
    expect(f.takeFailure('DescribeRules')).toBeUndefined();
    expect(f.takeFailure('ModifyListener')?.message).toBe(
      'Injected InternalFailure failure for ModifyListener',
    );
  });
});
