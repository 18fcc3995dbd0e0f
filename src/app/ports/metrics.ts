/**
 * The narrow port to CloudWatch: the ALB metrics Greenlight reads after a switch and the alarms
 * used as health gates. Namespace `AWS/ApplicationELB`; dimensions `LoadBalancer = app/<name>/<id>`
 * and `TargetGroup = targetgroup/<name>/<id>` (the tails of the ARNs).
 */

import type { AlarmState, MetricQuery, MetricResult } from '../../domain/metrics.js';

export interface MetricsPort {
  /** One logical call: up to 500 queries per AWS call, all pages (`NextToken`) merged per id. */
  getMetricData(queries: MetricQuery[], startMs: number, endMs: number): Promise<MetricResult[]>;
  /** States of the named alarms; a name that does not exist is absent from the result. */
  describeAlarms(names: string[]): Promise<AlarmState[]>;
}
