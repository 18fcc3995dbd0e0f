/** Options from the environment, and the printed table, of the many-services benchmark. */
import {
  type LimitSet,
  type ManyServicesOptions,
  runManyServices,
  type SizeResult,
} from './many-services.js';
import { ms, table } from './stats.js';

export { runManyServices };

/** BENCH_MANY_SIZES (default 1,10,50,100), BENCH_MANY_LIMITS (describe | aws), BENCH_MANY_PROBES. */
export function manyServicesOptionsFromEnv(defaults: Partial<ManyServicesOptions> = {}): ManyServicesOptions {
  const sizes = (process.env.BENCH_MANY_SIZES ?? '')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isSafeInteger(n) && n > 0);
  const limits = process.env.BENCH_MANY_LIMITS;
  const probes = Number(process.env.BENCH_MANY_PROBES ?? Number.NaN);
  return {
    sizes: sizes.length > 0 ? sizes : (defaults.sizes ?? [1, 10, 50, 100]),
    limits:
      limits === 'aws' || limits === 'describe' ? (limits as LimitSet) : (defaults.limits ?? 'describe'),
    probes: Number.isSafeInteger(probes) && probes >= 0 ? probes : (defaults.probes ?? 10),
  };
}

const calls = (c: Record<string, number>) =>
  Object.entries(c)
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');

export function printManyServices(results: SizeResult[]): void {
  const first = results[0];
  if (!first) return;
  console.log(
    `\n4. Many services on one listener — all deployed at once; simulated ELBv2 with ${first.limits === 'aws' ? "AWS's Describe, mutating and registration buckets" : "AWS's Describe bucket"}, ` +
      '100–300 ms a call; the bot paces its ELBv2 client the same way; 100 production rules on the listener plus 2 preview rules per service, one DescribeRules page of up to 400',
  );
  const one = results.find((r) => r.size === 1)?.allSwitchedMs;
  console.log(
    table(
      [
        'services',
        'all switched ms',
        'x one',
        'p50 ms',
        'Describe*/cutover',
        'throttled',
        'failed',
        'CW metrics/deployment',
        'CW calls',
        'rollback p50 ms',
        'rollback p99 ms',
        'RSS MiB (peak)',
      ],
      results.map((r) => [
        String(r.size),
        ms(r.allSwitchedMs),
        one ? (r.allSwitchedMs / one).toFixed(1) : '-',
        ms(r.switched.p50),
        String(r.describePerCutover),
        String(r.throttled),
        String(r.failed + r.throttlingShown),
        String(r.cloudwatch.metricsPerDeployment),
        String(r.cloudwatch.calls),
        ms(r.rollback.p50),
        ms(r.rollback.p99),
        `${r.rssMiB.before} (${r.rssMiB.peak})`,
      ]),
    ),
  );
  for (const r of results) {
    console.log(
      `   ${r.size} services — ELB calls per cutover, Approve → switched: ${calls(r.callsToSwitched)}`,
    );
    console.log(
      `   ${r.size} services — verification (background) per deployment: ${calls(r.backgroundCalls)}`,
    );
    console.log(`   ${r.size} services — per rollback: ${calls(r.rollbackCalls)}`);
    console.log(
      `   ${r.size} services — HTTP requests the endpoint served, Approve → soaking: ${r.requests}`,
    );
    console.log(`   ${r.size} services — requests the limiter held for a token: ${r.limiterWaits}`);
  }
  const at = (n: number) => results.find((r) => r.size === n);
  const fifty = at(50);
  const hundred = at(100);
  const rows: string[][] = [];
  if (fifty && one) {
    const x = fifty.allSwitchedMs / one;
    rows.push(['50 switched within 3x the time of one', `${x.toFixed(1)}x`, x <= 3 ? 'met' : 'not met']);
    rows.push([
      'Describe* per cutover at 50 <= 2',
      String(fifty.describePerCutover),
      fifty.describePerCutover <= 2 ? 'met' : 'not met',
    ]);
    rows.push([
      'rollback click -> switched p99 <= 1 s while 50 cut over',
      `${ms(fifty.rollback.p99)} ms (n=${fifty.rollback.n})`,
      fifty.rollback.p99 <= 1000 ? 'met' : 'not met',
    ]);
  }
  if (hundred) {
    const shown = hundred.failed + hundred.throttlingShown;
    rows.push([
      'no user-visible throttling failure at 100',
      `${shown} (${hundred.throttled} requests throttled)`,
      shown === 0 ? 'met' : 'not met',
    ]);
  }
  if (rows.length > 0) console.log(table(['target (issue 11)', 'measured', ''], rows));
  console.log(
    '   throttled = requests AWS (the endpoint) refused and the SDK retried; failed = deployments not soaking, or a Slack message mentioning throttling.',
  );
  console.log(
    '   RSS is the whole bench process: the bot, and the simulated AWS and Slack it talks to (Redis is its own process).',
  );
}
