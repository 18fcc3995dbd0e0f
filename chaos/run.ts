/**
 * `npm run chaos` — the fault-and-load run (see chaos/chaos.ts). Prints progress, then the table;
 * exits 1 when an invariant was violated. `npm run chaos -- --small` runs the size CI runs.
 */
import { type ChaosOptions, FULL_RUN, formatReport, runChaos } from './chaos.js';
import { SMALL_RUN } from './small.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const opts: ChaosOptions = {
  ...(process.argv.includes('--small') ? SMALL_RUN : FULL_RUN),
  log: (line) => console.log(`chaos: ${line}`),
};
const report = await runChaos(opts);
console.log(formatReport(report, opts));
process.exit(report.violations.length === 0 ? 0 : 1);
