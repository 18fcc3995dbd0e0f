/** Configuration for the ack benchmark: many services in one channel, all on the demo ALB. */
import { parseConfigText } from '../src/config/load-config.js';
import type { GreenlightConfig } from '../src/domain/service.js';
import { demoServiceYaml } from '../test/helpers/demo-service-yaml.js';

export const BENCH_CHANNEL = 'C0BENCH';
export const BENCH_SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
export const BENCH_BOT_TOKEN = 'xoxb-bench-0000-token';
export const BENCH_USERS = { requester: 'U0BENCHDEV', approver: 'U0APPROVER', sre: 'U0SREMEMBER' };
export const BENCH_GROUP = 'S0SRE';

export const serviceName = (i: number): string => `svc-${i}`;

/** `services` services `svc-0…`, each with the demo listener and slots, as YAML. */
export function benchConfigYaml(services: number): string {
  const lines = ['defaults:', '  soak: 10m', '  remindBefore: 1m', '  approvalTimeout: 5m', 'services:'];
  for (let i = 0; i < services; i++) {
    lines.push(
      ...demoServiceYaml({
        name: serviceName(i),
        channel: BENCH_CHANNEL,
        users: [BENCH_USERS.approver],
        usergroups: [BENCH_GROUP],
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The same configuration through the real loader (zod validation included). */
export function benchConfig(services: number): GreenlightConfig {
  const parsed = parseConfigText(benchConfigYaml(services), undefined, { simulatedMetrics: true });
  if (!parsed.ok) throw new Error(`bench config invalid: ${parsed.problems.join('; ')}`);
  return parsed.config;
}
