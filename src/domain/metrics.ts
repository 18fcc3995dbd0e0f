/** The CloudWatch ALB metrics and alarm states the traffic verdicts read (namespace AWS/ApplicationELB). */

/**
 * The ALB metrics Greenlight reads ("CloudWatch metrics for your Application Load Balancer"). Per
 * target group (dimensions LoadBalancer + TargetGroup): RequestCount, HTTPCode_Target_5XX_Count,
 * TargetResponseTime, TargetConnectionErrorCount, UnHealthyHostCount. Per load balancer only
 * (dimension LoadBalancer): HTTPCode_ELB_5XX_Count, HTTPCode_ELB_503_Count — the errors the load
 * balancer generates itself are never published per target group.
 */
export type AlbMetricName =
  | 'RequestCount'
  | 'HTTPCode_Target_5XX_Count'
  | 'TargetResponseTime'
  | 'TargetConnectionErrorCount'
  | 'UnHealthyHostCount'
  | 'HTTPCode_ELB_5XX_Count'
  | 'HTTPCode_ELB_503_Count';

export interface MetricQuery {
  /** Query id, unique within one call: lower-case start, letters, digits and `_` (CloudWatch's rule). */
  id: string;
  metricName: AlbMetricName;
  /** `Sum` for counts, `p99` (or `Average`) for TargetResponseTime (seconds), `Maximum` for host counts. */
  stat: 'Sum' | 'p99' | 'Average' | 'Maximum';
  /** `app/<name>/<id>` */
  loadBalancer: string;
  /** `targetgroup/<name>/<id>`; absent for the metrics published per load balancer only. */
  targetGroup?: string;
  periodSeconds: number;
}

export interface MetricResult {
  id: string;
  /** Period start times (ms since epoch), ascending, paired with `values`. */
  timestamps: number[];
  values: number[];
}

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmState {
  name: string;
  state: AlarmStateValue;
  reason?: string;
}
