/**
 * `npm run check-config [path]`: validates greenlight.yml (every problem at once, each as
 * `file:line:column: path: message`, src/config/load-config.ts), then, when AWS
 * is configured (AWS_REGION / AWS_DEFAULT_REGION / AWS_ENDPOINT_URL), checks each service against
 * the load balancer. Exit 0 when everything is fine, 1 otherwise. Never prints a stack trace.
 */

import { pathToFileURL } from 'node:url';
import type { ElbPort } from './app/ports/elb.js';
import { createAsgAdapter, createAsgClient } from './aws/asg-adapter.js';
import { checkEvidence, type EvidenceDeps } from './aws/check-evidence.js';
import { checkConfig } from './aws/check-services.js';
import { createCloudWatchClient, createMetricsAdapter } from './aws/cloudwatch-adapter.js';
import { createEcsAdapter, createEcsClient } from './aws/ecs-adapter.js';
import { createElbAdapter, createElbClient } from './aws/elb-sdk-adapter.js';
import { cloudwatchIsSimulated } from './config/env.js';
import { formatProblems, loadConfigFile } from './config/load-config.js';
import { errorMessage } from './errors.js';

export interface CheckConfigDeps {
  env: Record<string, string | undefined>;
  print: (line: string) => void;
  /** The port to check AWS with; by default the SDK adapter configured from `env`. */
  elb?: (region: string | undefined) => ElbPort;
  /** CloudWatch / ECS / Auto Scaling / secrets for the evidence settings; by default from `env`. */
  evidence?: EvidenceDeps;
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

  const aws = awsTarget(env);
  if (!aws) {
    print(
      'AWS checks skipped: set AWS_REGION (or AWS_DEFAULT_REGION, or AWS_ENDPOINT_URL) and credentials to check',
    );
    print('that every listener and target group exists and which slot is live.');
    print(`\n${path}: OK (file only).`);
    return 0;
  }
  // A local endpoint (the sandbox's fake ELB) still needs some region for request signing.
  const region = aws.region ?? 'us-east-1';
  print(`Checking AWS (region ${region}${aws.endpoint ? `, endpoint ${aws.endpoint}` : ''}):`);
  const port = deps.elb ? deps.elb(region) : createElbAdapter(createElbClient({ region }));
  const elbResult = await checkConfig(loaded.config, port);
  const evidence = await checkEvidence(
    loaded.config,
    deps.evidence ?? {
      cloudwatch: createMetricsAdapter(createCloudWatchClient({ region })),
      ecs: createEcsAdapter(createEcsClient({ region })),
      asg: createAsgAdapter(createAsgClient({ region })),
      secret: (name) => env[name],
    },
  );
  const problems = [...elbResult.problems, ...evidence.problems];
  for (const line of [...elbResult.lines, ...evidence.lines]) print(line);
  if (problems.length > 0) {
    print(`\nProblems (${problems.length}):`);
    for (const p of problems) print(`  - ${p}`);
    print(`\n${path}: NOT OK.`);
    return 1;
  }
  print(`\n${path}: OK. Every listener and target group exists and each service has a live slot.`);
  return 0;
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
