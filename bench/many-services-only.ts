/**
 * `npm run bench:many`: only the many-services benchmark (bench/many-services.ts), e.g.
 * BENCH_MANY_SIZES=1,50 BENCH_MANY_LIMITS=aws. Prints figures, asserts nothing.
 */
import './quiet-warnings.js';
import { manyServicesOptionsFromEnv, printManyServices, runManyServices } from './many-services-report.js';

const opts = manyServicesOptionsFromEnv();
runManyServices(opts).then(
  (results) => {
    printManyServices(results);
    process.exit(0);
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
