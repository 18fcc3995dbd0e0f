/**
 * What `npm run smoke:aws` will create in a real account, and roughly what it costs. Pure: the
 * CLI prints it, and refuses to go on without `--yes-create-resources`.
 */

export interface SmokeOptions {
  region: string;
  vpcId: string;
  /** At least two subnets in two Availability Zones (an ALB needs them). */
  subnets: string[];
  securityGroups: string[];
  /** `internet-facing` (default: the runner sends it requests over the internet) or `internal`. */
  scheme: 'internet-facing' | 'internal';
  /** Healthy HTTP servers to register in both slots: `10.0.1.5:80` (ip target type). */
  targets: { ip: string; port: number }[];
  /** Distinguishes this run's resources (names and the `greenlight:smoke` tag). */
  runId: string;
}

export interface SmokePlan {
  options: SmokeOptions;
  names: { loadBalancer: string; blue: string; green: string; empty: string };
  tags: Record<string, string>;
  /** One line per resource, as printed. */
  resources: string[];
  estimate: string;
}

/** ALB list price in us-east-1 (2026): $0.0225 per hour and $0.008 per LCU-hour; a smoke run is under an hour. */
const ALB_HOURLY_USD = 0.0225;
const LCU_HOURLY_USD = 0.008;

export function planSmoke(options: SmokeOptions): SmokePlan {
  const prefix = `gl-smoke-${options.runId}`;
  const names = {
    loadBalancer: prefix,
    blue: `${prefix}-blue`,
    green: `${prefix}-green`,
    empty: `${prefix}-none`,
  };
  const tags = {
    'greenlight:smoke': options.runId,
    'greenlight:purpose': 'throwaway smoke test, safe to delete',
  };
  const targets = options.targets.map((t) => `${t.ip}:${t.port}`).join(', ');
  const resources = [
    `Application Load Balancer ${names.loadBalancer} (${options.scheme}) in ${options.vpcId}, subnets ${options.subnets.join(', ')}` +
      (options.securityGroups.length > 0 ? `, security groups ${options.securityGroups.join(', ')}` : ''),
    `HTTP :80 listener, default action → ${names.blue}`,
    `target groups ${names.blue} and ${names.green} (ip targets ${targets}; health checks every 5s, 2 to pass/fail; deregistration delay 5s)`,
    `target group ${names.empty} with no target, and a rule /gl-smoke-503 → it (the load balancer answers 503 itself)`,
    'rules Greenlight creates and deletes itself: one preview rule per slot (header X-Greenlight-Slot)',
  ];
  const estimate =
    `about $${(ALB_HOURLY_USD + LCU_HOURLY_USD).toFixed(3)} per hour the load balancer exists at us-east-1 list prices ` +
    `($${ALB_HOURLY_USD}/h + $${LCU_HOURLY_USD}/LCU-h, under 1 LCU); a run takes 20–30 minutes, so about $0.02, ` +
    'plus CloudWatch GetMetricData at $0.01 per 1,000 metrics requested (a few hundred per run)';
  return { options, names, tags, resources, estimate };
}

export function describePlan(plan: SmokePlan): string {
  return [
    `greenlight smoke:aws will create, in ${plan.options.region} (tagged greenlight:smoke=${plan.options.runId}):`,
    ...plan.resources.map((r) => `  - ${r}`),
    `Cost: ${plan.estimate}.`,
    'Everything it created is deleted at the end, also after a failure (or later with --cleanup <run id>).',
  ].join('\n');
}
