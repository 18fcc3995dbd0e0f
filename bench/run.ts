/**
 * `npm run bench`: prints figures, asserts nothing. Writes them as JSON to test-output/bench.json.
 *   1. `/deploy` ack latency, Greenlight's web role vs a bare Bolt app, N requests in flight.
 *   2. Approve click → forwards switched, and Rollback click → switched back (full runtime).
 *   3. Diagnostic: per-command CPU before any I/O, by number of configured services.
 *   4. Many services on one listener, all deployed at once (bench/many-services.ts): sizes from
 *      BENCH_MANY_SIZES (default 1,10,50,100), AWS's buckets from BENCH_MANY_LIMITS (describe |
 *      aws), services rolled back during the train from BENCH_MANY_PROBES (default 10).
 * Sizes can be overridden: BENCH_ACK_REQUESTS, BENCH_ACK_WARMUP, BENCH_ACK_CONCURRENCY,
 * BENCH_CUTOVER_ITERATIONS, BENCH_CUTOVER_WARMUP.
 */
import './quiet-warnings.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type AckResult, runAckLatency } from './ack-latency.js';
import { type CommandCost, runCommandCost } from './command-cost.js';
import { type ClickSummary, type CutoverResult, runCutoverLatency } from './cutover-latency.js';
import { manyServicesOptionsFromEnv, printManyServices, runManyServices } from './many-services-report.js';
import { ms, ratio, table } from './stats.js';

const OUTPUT = fileURLToPath(new URL('../test-output/bench.json', import.meta.url));

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined ? fallback : Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

function environment() {
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    startedAt: new Date().toISOString(),
  };
}

function printAck(r: AckResult): void {
  const g = r.greenlight.latency;
  const b = r.bare.latency;
  console.log(
    `\n1. /deploy ack latency — ${r.options.requests} signed POSTs per server, ${r.options.concurrency} in flight, ` +
      `after ${r.options.warmup} warm-up; ${r.services} services configured, each request a different one`,
  );
  console.log(
    table(
      ['server', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'failures'],
      [
        [
          'Greenlight (role web)',
          String(g.n),
          ms(g.p50),
          ms(g.p90),
          ms(g.p99),
          ms(g.max),
          String(r.greenlight.failures),
        ],
        [
          'bare Bolt (ack only)',
          String(b.n),
          ms(b.p50),
          ms(b.p90),
          ms(b.p99),
          ms(b.max),
          String(r.bare.failures),
        ],
      ],
    ),
  );
  console.log(
    `ratio ours/bare: p50 ${ratio(g.p50, b.p50)}x, p99 ${ratio(g.p99, b.p99)}x (target <= 1.3x); ` +
      `Slack's deadline is 3000 ms`,
  );
  for (const [name, s] of [
    ['Greenlight', r.greenlight],
    ['bare Bolt', r.bare],
  ] as const) {
    if (s.firstFailure) console.log(`  first ${name} failure: ${s.firstFailure}`);
  }
}

function clickRows(label: string, s: ClickSummary): string[][] {
  const row = (what: string, x: { p50: number; p99: number; max: number }) => [
    `${label} ${what}`,
    ms(x.p50),
    ms(x.p99),
    ms(x.max),
  ];
  return [
    row('total', s.totalMs),
    row('AWS (simulated)', s.awsMs),
    row('overhead', s.overheadMs),
    row('  click -> ack', s.ackMs),
    row('  click -> recorded', s.recordedMs),
    row('  recorded -> job start', s.queuedMs),
    row('  job, non-AWS', s.jobOtherMs),
  ];
}

function printCutover(r: CutoverResult): void {
  console.log(
    `\n2. Click -> ALB forwards switched (full runtime, role all) — ${r.options.iterations} iterations ` +
      `after ${r.options.warmup} warm-up, service checkout, soak ${r.timings.soak}`,
  );
  console.log(
    '   "AWS" is the LOCAL simulated ELBv2 endpoint (sandbox/fake-elb) reached through the real SDK, ' +
      'not real AWS.',
  );
  console.log(
    '   total = switch finished (record) - t0 (just before the POST); overhead = total - AWS; ' +
      'indented rows split the overhead.',
  );
  console.log(
    table(
      ['measure', 'p50 ms', 'p99 ms', 'max ms'],
      [...clickRows('cutover', r.cutover), ...clickRows('rollback', r.rollback)],
    ),
  );
  const calls = (c: Record<string, number>) =>
    Object.entries(c)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ');
  console.log(`   ELB calls, Approve -> soaking: ${calls(r.elbCallsApproveToSoaking)}`);
  console.log(`   ELB calls, Rollback -> rolled_back: ${calls(r.elbCallsRollback)}`);
  console.log(`   ELB calls, Approve -> switch: ${r.elbSequenceToCutover.join(' > ')}`);
  console.log(`   ELB calls, Rollback -> switch: ${r.elbSequenceToRollback.join(' > ')}`);
}

function printCommandCost(costs: CommandCost[]): void {
  console.log(
    '\n3. Diagnostic: CPU per command before any I/O (handleCommand with `help`: service map + parser index)',
  );
  console.log(
    table(
      ['services configured', 'µs per command'],
      costs.map((c) => [String(c.services), String(c.microsPerCommand)]),
    ),
  );
}

function printSummary(env: ReturnType<typeof environment>, ack: AckResult, cut: CutoverResult): void {
  const g = ack.greenlight.latency;
  const b = ack.bare.latency;
  console.log(`\nSummary (node ${env.node}, ${env.cpus} CPUs, ${env.cpuModel})`);
  console.log(
    table(
      ['figure', 'p50 ms', 'p99 ms', 'target'],
      [
        ['/deploy ack, Greenlight', ms(g.p50), ms(g.p99), 'p99 << 3000'],
        ['/deploy ack, bare Bolt', ms(b.p50), ms(b.p99), ''],
        ['/deploy ack, ratio ours/bare', `${ratio(g.p50, b.p50)}x`, `${ratio(g.p99, b.p99)}x`, '<= 1.3x'],
        ['cutover total', ms(cut.cutover.totalMs.p50), ms(cut.cutover.totalMs.p99), ''],
        ['cutover AWS (simulated)', ms(cut.cutover.awsMs.p50), ms(cut.cutover.awsMs.p99), ''],
        ['cutover overhead', ms(cut.cutover.overheadMs.p50), ms(cut.cutover.overheadMs.p99), 'p50 <= 50'],
        ['rollback total', ms(cut.rollback.totalMs.p50), ms(cut.rollback.totalMs.p99), ''],
        ['rollback AWS (simulated)', ms(cut.rollback.awsMs.p50), ms(cut.rollback.awsMs.p99), ''],
        ['rollback overhead', ms(cut.rollback.overheadMs.p50), ms(cut.rollback.overheadMs.p99), 'p50 <= 50'],
      ],
    ),
  );
}

async function main(): Promise<void> {
  const env = environment();
  console.log('Greenlight bench — figures only, nothing is asserted');
  console.log(
    `node ${env.node} (${env.platform}), ${env.cpus} CPUs (${env.cpuModel}), ${env.memoryGiB} GiB RAM`,
  );
  const started = performance.now();

  const ack = await runAckLatency({
    requests: intFromEnv('BENCH_ACK_REQUESTS', 400),
    warmup: intFromEnv('BENCH_ACK_WARMUP', 40),
    concurrency: intFromEnv('BENCH_ACK_CONCURRENCY', 20),
    rounds: 4,
  });
  printAck(ack);

  const cut = await runCutoverLatency({
    iterations: intFromEnv('BENCH_CUTOVER_ITERATIONS', 30),
    warmup: intFromEnv('BENCH_CUTOVER_WARMUP', 2),
  });
  printCutover(cut);

  const costs = await runCommandCost([1, ack.services, 2_000]);
  printCommandCost(costs);

  const many = await runManyServices(manyServicesOptionsFromEnv());
  printManyServices(many);

  printSummary(env, ack, cut);
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  mkdirSync(fileURLToPath(new URL('../test-output/', import.meta.url)), { recursive: true });
  writeFileSync(
    OUTPUT,
    `${JSON.stringify({ environment: env, seconds, ack, cutover: cut, commandCost: costs, manyServices: many }, null, 2)}\n`,
  );
  console.log(`\nbench took ${seconds} s; figures written to test-output/bench.json`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
