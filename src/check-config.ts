/**
 * `npm run check-config [path]`: validates greenlight.yml (every problem at once, each as
 * `file:line:column: path: message`, src/config/load-config.ts), then, when AWS
 * is configured (AWS_REGION / AWS_DEFAULT_REGION / AWS_ENDPOINT_URL, or a service's aws.region),
 * checks each service against the load balancer, in its account and Region (a service with no
 * Region — no aws.region while AWS_REGION is unset — is a problem): services with a role
 * are checked as that role, once it could be assumed (a role that cannot be is one problem, with
 * STS's answer), and every read refused (AccessDenied) names its action and resource. Exit 0 when
 * everything is fine, 1 otherwise. Never prints a stack trace or an external ID.
 */

import { pathToFileURL } from 'node:url';
import type { ElbPort } from './app/ports/elb.js';
import { AwsClientRegistry, awsKey } from './aws/aws-clients.js';
import { checkEvidence, type EvidenceDeps } from './aws/check-evidence.js';
import { checkConfig } from './aws/check-services.js';
import { cloudwatchIsSimulated } from './config/env.js';
import { formatProblems, loadConfigFile } from './config/load-config.js';
import type { GreenlightConfig, ServiceConfig } from './domain/service.js';
import { errorMessage } from './errors.js';
import { eventSecretProblem } from './hooks/standard-webhook.js';

export interface CheckConfigDeps {
  env: Record<string, string | undefined>;
  print: (line: string) => void;
  /** The port to check AWS with; by default the SDK adapter configured from `env`. */
  elb?: (region: string | undefined) => ElbPort;
  /** CloudWatch / ECS / Auto Scaling / secrets for the evidence settings; by default from `env`. */
  evidence?: EvidenceDeps;
}

const ASSUME_HINT =
  "the role's trust policy must let the bot's principal call sts:AssumeRole (with the sts:ExternalId condition when aws.externalId is set: docs/iam-trust-policy.json), and the bot's own policy must allow sts:AssumeRole on the role (docs/iam-policy-assume.json).";

/** Services grouped by the account and Region they are reached in (`aws:` settings), in order. */
function byAccountAndRegion(services: ServiceConfig[]): ServiceConfig[][] {
  const groups = new Map<string, ServiceConfig[]>();
  for (const svc of services) {
    const key = awsKey(svc.aws);
    groups.set(key, [...(groups.get(key) ?? []), svc]);
  }
  return [...groups.values()];
}

function awsTarget(env: Record<string, string | undefined>): { region?: string; endpoint?: string } | null {
  const endpoint = env.AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 || env.AWS_ENDPOINT_URL || undefined;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
  if (!region && !endpoint) return null;
  return { ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}) };
}

export async function runCheckConfig(args: string[], deps: CheckConfigDeps): Promise<number> {
  const { env, print } = deps;
  const path = args[0] ?? env.GREENLIGHT_CONFIG ?? './greenlight.yml';
  const loaded = loadConfigFile(path, { simulatedMetrics: cloudwatchIsSimulated(env) });
  if (!loaded.ok) {
    print(formatProblems(loaded.problems));
    print(`\n${path}: NOT OK (${loaded.problems.length} problem${loaded.problems.length === 1 ? '' : 's'}).`);
    return 1;
  }
  const names = Object.keys(loaded.config.services).sort();
  print(
    `${path}: the file is valid (${names.length} service${names.length === 1 ? '' : 's'}: ${names.join(', ')}).`,
  );

  // The events webhook's signing secret, as the bot would read it at start.
  const problems: string[] = [];
  const events = loaded.config.events;
  const eventSecret = events ? eventSecretProblem(events.secretEnv, env[events.secretEnv]) : null;
  if (eventSecret) problems.push(`events.secretEnv: ${eventSecret}, so no event would be sent.`);

  const aws = awsTarget(env);
  const services = names.map((n) => loaded.config.services[n] as ServiceConfig);
  if (!aws && !services.some((svc) => svc.aws?.region)) {
    print(
      'AWS checks skipped: set AWS_REGION (or AWS_DEFAULT_REGION, or AWS_ENDPOINT_URL) and credentials to check',
    );
    print('that every listener and target group exists and which slot is live.');
    if (problems.length > 0) return reportProblems(print, path, problems);
    print(`\n${path}: OK (file only).`);
    return 0;
  }
  // A local endpoint (the sandbox's fake ELB) still needs some region for request signing.
  const fallbackRegion = aws ? (aws.region ?? 'us-east-1') : undefined;
  const registry = new AwsClientRegistry({
    rateLimits: false,
    batchMetrics: false,
    client: fallbackRegion ? { region: fallbackRegion } : {},
  });
  for (const group of byAccountAndRegion(services)) {
    const settings = group[0]?.aws ?? {};
    const region = settings.region ?? fallbackRegion;
    const role = settings.roleArn;
    const which = group.map((svc) => svc.name).join(', ');
    if (!region) {
      // Not checked is not OK: the bot would not know where to find these services either.
      print(`${which}: not checked (no AWS Region: see the problems below)`);
      problems.push(
        `${which}: no AWS Region to check in: set aws.region for the service (or defaults.aws.region), or AWS_REGION for the process.`,
      );
      continue;
    }
    print(
      `Checking AWS (region ${region}${role ? `, as role ${role}` : ''}${aws?.endpoint ? `, endpoint ${aws.endpoint}` : ''}): ${which}`,
    );
    const place = registry.forSettings(settings);
    if (place.role) {
      try {
        await place.role();
      } catch (err) {
        problems.push(`${which}: ${errorMessage(err)}`, `${which}: ${ASSUME_HINT}`);
        print(`${which}: not checked (the role cannot be assumed: see the problems below)`);
        continue;
      }
    }
    const subset: GreenlightConfig = { services: Object.fromEntries(group.map((svc) => [svc.name, svc])) };
    const as = role ? { as: role } : {};
    const elbResult = await checkConfig(subset, deps.elb ? deps.elb(region) : place.elb, as);
    const evidence = await checkEvidence(subset, {
      ...(deps.evidence ?? { cloudwatch: place.metrics, ...place.compute, secret: (name) => env[name] }),
      ...as,
    });
    for (const line of [...elbResult.lines, ...evidence.lines]) print(line);
    problems.push(...elbResult.problems, ...evidence.problems);
  }
  if (problems.length > 0) return reportProblems(print, path, problems);
  print(`\n${path}: OK. Every listener and target group exists and each service has a live slot.`);
  return 0;
}

function reportProblems(print: (line: string) => void, path: string, problems: string[]): 1 {
  print(`\nProblems (${problems.length}):`);
  for (const p of problems) print(`  - ${p}`);
  print(`\n${path}: NOT OK.`);
  return 1;
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  runCheckConfig(process.argv.slice(2), { env: process.env, print: (line) => console.log(line) })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((err: unknown) => {
      console.error(`check-config failed: ${errorMessage(err)}`);
      process.exitCode = 1;
    });
}
