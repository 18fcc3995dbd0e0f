/**
 * `npm run check-config`'s look at the evidence and teardown settings of each service: do the
 * configured CloudWatch alarms, ECS services and Auto Scaling groups exist, is each hook's
 * secret set in the environment. Read-only; every failure is one line.
 */
import type { GreenlightConfig, ServiceConfig } from '../config/schema.js';
import type { AsgPort, EcsPort } from './compute-port.js';
import { AwsCallError } from './elb-port.js';
import type { MetricsPort } from './metrics-port.js';

export interface EvidenceDeps {
  cloudwatch: MetricsPort;
  ecs: EcsPort;
  asg: AsgPort;
  secret: (name: string) => string | undefined;
}

function oneLine(err: unknown): string {
  return err instanceof AwsCallError ? err.message : err instanceof Error ? err.message : String(err);
}

async function checkService(svc: ServiceConfig, deps: EvidenceDeps, lines: string[], problems: string[]) {
  const at = `services.${svc.name}`;
  if (svc.gates.alarms.length > 0) {
    try {
      const found = new Map((await deps.cloudwatch.describeAlarms(svc.gates.alarms)).map((a) => [a.name, a]));
      for (const name of svc.gates.alarms) {
        const alarm = found.get(name);
        if (!alarm) problems.push(`${at}.gates.alarms: CloudWatch alarm "${name}" does not exist.`);
        else lines.push(`  alarm ${name}: ${alarm.state}`);
      }
    } catch (err) {
      problems.push(`${at}.gates.alarms: ${oneLine(err)}`);
    }
  }
  for (const [slot, target] of Object.entries(svc.compute)) {
    try {
      if (target.kind === 'ecs') {
        const s = await deps.ecs.describeService(target.cluster, target.service);
        if (!s)
          problems.push(
            `${at}.compute.${slot}: ECS service ${target.cluster}/${target.service} does not exist.`,
          );
        else
          lines.push(
            `  ${slot} compute: ECS ${target.cluster}/${target.service} desired ${s.desired}, running ${s.running}`,
          );
      } else if (target.kind === 'asg') {
        const g = await deps.asg.describeGroup(target.name);
        if (!g) problems.push(`${at}.compute.${slot}: Auto Scaling group ${target.name} does not exist.`);
        else
          lines.push(
            `  ${slot} compute: Auto Scaling group ${target.name} desired ${g.desired}, ${g.instances} instance(s)`,
          );
      } else {
        lines.push(`  ${slot} compute: webhook ${new URL(target.url).host}`);
      }
    } catch (err) {
      problems.push(`${at}.compute.${slot}: ${oneLine(err)}`);
    }
  }
  if (svc.hooks && deps.secret(svc.hooks.secretEnv) === undefined) {
    problems.push(
      `${at}.hooks.secretEnv: environment variable ${svc.hooks.secretEnv} is not set, so hooks would go unsigned.`,
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
