/** The hooks every job integration test file registers: one redis-server per file, a fresh rig per test. */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { type JobRig, type JobRigOptions, startJobRig } from './job-rig.js';
import { type RedisProcess, startRedis } from './redis-server.js';

/**
 * Starts redis-server before the file's tests and stops it after them; before each test starts a
 * job rig (handed to `use`) and closes it after the test. After-hooks run in reverse order, so an
 * `afterEach` the file registers later runs before the rig is closed.
 */
export function useJobRig(use: (rig: JobRig) => void, opts: JobRigOptions = {}): void {
  let redis: RedisProcess;
  let rig: JobRig | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });
  beforeEach(async () => {
    rig = await startJobRig(redis, opts);
    use(rig);
  });
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });
}
