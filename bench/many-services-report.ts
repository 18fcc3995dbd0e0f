/** Options from the environment, and the printed table, of the many-services benchmark. */
import {
  type LimitSet,
  type ManyServicesOptions,
  runManyServices,
  type SizeResult,
} from './many-services.js';
import { ms, table } from './stats.js';

export { runManyServices };

/**
 * BENCH_MANY_SIZES (default 1,10,50,100), BENCH_MANY_LIMITS (describe | aws), BENCH_MANY_PROBES
 * (rollbacks during a train, default 10), BENCH_MANY_PROBE_SIZE (that train, default 50),
 * BENCH_MANY_PROBE_EVERY_MS (between rollback clicks, default 500).
 */
export function manyServicesOptionsFromEnv(defaults: Partial<ManyServicesOptions> = {}): ManyServicesOptions {
  const sizes = (process.env.BENCH_MANY_SIZES ?? '')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isSafeInteger(n) && n > 0);
  const limits = process.env.BENCH_MANY_LIMITS;
  const probes = Number(process.env.BENCH_MANY_PROBES ?? Number.NaN);
  const positive = (name: string, fallback: number) => {
    const n = Number(process.env[name] ?? Number.NaN);
    return Number.isSafeInteger(n) && n > 0 ? n : fallback;
  };
  return {
    probeSize: positive('BENCH_MANY_PROBE_SIZE', defaults.probeSize ?? 50),
    probeEveryMs: positive('BENCH_MANY_PROBE_EVERY_MS', defaults.probeEveryMs ?? 500),
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

export function printManyServices(run: { trains: SizeResult[]; withRollbacks?: SizeResult }): void {
  const results = run.trains;
  const first = results[0];
  if (!first) return;
  console.log(
    `\n4. Many services on one listener — all deployed at once; simulated ELBv2 with ${first.limits === 'aws' ? "AWS's Describe, mutating and registration buckets" : "AWS's Describe bucket"}, ` +
      '100–300 ms a call; the bot paces its ELBv2 client the same way; 100 production rules on the listener plus 2 preview rules per service, one DescribeRules page of up to 400',
  );
  const one = results.find((r) => r.size === 1)?.allSwitchedMs;
  const rb = run.withRollbacks;
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
        'RSS MiB (peak)',
      ],
      [...results, ...(rb ? [rb] : [])].map((r) => [
        r === rb ? `${r.size} + ${r.rollback.n} rollbacks` : String(r.size),
        ms(r.allSwitchedMs),
        one ? (r.allSwitchedMs / one).toFixed(1) : '-',
        ms(r.switched.p50),
        String(r.describePerCutover),
        String(r.throttled),
        String(r.failed + r.throttlingShown),
        String(r.cloudwatch.metricsPerDeployment),
        String(r.cloudwatch.calls),
        `${r.rssMiB.before} (${r.rssMiB.peak})`,
      ]),
    ),
  );
  for (const r of [...results, ...(rb ? [rb] : [])]) {
    const label = r === rb ? `${r.size} services + rollbacks` : `${r.size} services`;
    console.log(`   ${label} — ELB calls per cutover, Approve → switched: ${calls(r.callsToSwitched)}`);
    console.log(`   ${label} — verification (background) per deployment: ${calls(r.backgroundCalls)}`);
    console.log(`   ${label} — HTTP requests the endpoint served, Approve → soaking: ${r.requests}`);
    console.log(`   ${label} — requests the limiter held for a token: ${r.limiterWaits}`);
  }
  if (rb) {
    console.log(
      `   rollbacks during the train of ${rb.size}: click → switched back p50 ${ms(rb.rollback.p50)} ms, p99 ${ms(rb.rollback.p99)} ms, max ${ms(rb.rollback.max)} ms (n=${rb.rollback.n}); ELB calls per rollback: ${calls(rb.rollbackCalls)}`,
    );
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
  }
  if (rb && rb.size === 50) {
    rows.push([
      'rollback click -> switched p99 <= 1 s while 50 cut over',
      `${ms(rb.rollback.p99)} ms (n=${rb.rollback.n})`,
      rb.rollback.p99 <= 1000 ? 'met' : 'not met',
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
