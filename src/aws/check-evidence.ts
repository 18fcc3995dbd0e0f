/**
 * `npm run check-config`'s look at the evidence and teardown settings of each service: do the
 * configured CloudWatch alarms, ECS services and Auto Scaling groups exist, is each hook's
 * secret set in the environment, and — against real AWS — can ALB metrics be read in the
 * configured period (a multiple of 60 s). Read-only; every failure is one line.
 */

import type { AsgPort, EcsPort } from '../app/ports/compute.js';
import type { MetricsPort } from '../app/ports/metrics.js';
import { computeIdentity, probeCompute } from '../compute/registry.js';
import { isAlbPeriod } from '../config/evidence-schema.js';
import { hookSecretProblem } from '../domain/hook-secret.js';
import type { GreenlightConfig, ServiceConfig } from '../domain/service.js';
import { errorMessage } from '../errors.js';
import { deniedText, isAccessDenied } from './access-denied.js';

export interface EvidenceDeps {
  cloudwatch: MetricsPort;
  ecs: EcsPort;
  asg: AsgPort;
  secret: (name: string) => string | undefined;
  /**
   * The CloudWatch endpoint when it is not AWS itself (the sandbox's simulated one), null for
   * real AWS. Absent: AWS_ENDPOINT_URL_CLOUDWATCH or AWS_ENDPOINT_URL of the process environment,
   * which is what the SDK client of `cloudwatch` is configured from.
   */
  cloudwatchEndpoint?: string | null;
  /** The role the reads are made as (named when AWS refuses one). */
  as?: string;
}

/** A failed read, as one line: a refused one names the action, the resource and the role. */
function failure(err: unknown, resource: string, as: string | undefined): string {
  return isAccessDenied(err) ? `${deniedText(err, resource, as)}.` : errorMessage(err);
}

function cloudwatchEndpoint(deps: EvidenceDeps): string | null {
  if (deps.cloudwatchEndpoint !== undefined) return deps.cloudwatchEndpoint;
  return process.env.AWS_ENDPOINT_URL_CLOUDWATCH || process.env.AWS_ENDPOINT_URL || null;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

async function checkService(svc: ServiceConfig, deps: EvidenceDeps, lines: string[], problems: string[]) {
  const at = `services.${svc.name}`;
  if (!isAlbPeriod(svc.traffic.periodMs) && cloudwatchEndpoint(deps) === null) {
    problems.push(
      `${at}.traffic.period: ${seconds(svc.traffic.periodMs)} is not a multiple of 60 s; ALB metrics are ` +
        'standard resolution and CloudWatch serves them only in multiples of 60 s, so verification would ' +
        'find no traffic. Periods of 1, 5, 10 or 30 s are for the sandbox.',
    );
  }
  if (svc.gates.alarms.length > 0) {
    try {
      const found = new Map((await deps.cloudwatch.describeAlarms(svc.gates.alarms)).map((a) => [a.name, a]));
      for (const name of svc.gates.alarms) {
        const alarm = found.get(name);
        if (!alarm) problems.push(`${at}.gates.alarms: CloudWatch alarm "${name}" does not exist.`);
        else lines.push(`  alarm ${name}: ${alarm.state}`);
      }
    } catch (err) {
      problems.push(`${at}.gates.alarms: ${failure(err, `alarms ${svc.gates.alarms.join(', ')}`, deps.as)}`);
    }
  }
  for (const [slot, target] of Object.entries(svc.compute)) {
    try {
      const seen = await probeCompute(target, deps);
      if ('problem' in seen) problems.push(`${at}.compute.${slot}: ${seen.problem}`);
      else lines.push(`  ${slot} compute: ${seen.found}`);
    } catch (err) {
      problems.push(
        `${at}.compute.${slot}: ${failure(err, computeIdentity(target) ?? target.kind, deps.as)}`,
      );
    }
  }
  const secretProblem = svc.hooks
    ? hookSecretProblem(svc.hooks.secretEnv, deps.secret(svc.hooks.secretEnv))
    : null;
  if (secretProblem !== null) {
    problems.push(
      `${at}.hooks.secretEnv: ${secretProblem}, so hooks would not be called (they fail closed).`,
    );
  }
}

export async function checkEvidence(config: GreenlightConfig, deps: EvidenceDeps) {
  const lines: string[] = [];
  const problems: string[] = [];
  for (const svc of Object.values(config.services)) {
    const before = lines.length;
    await checkService(svc, deps, lines, problems);
    if (lines.length > before) lines.splice(before, 0, `${svc.name} (evidence and teardown settings):`);
  }
  return { lines, problems };
}
