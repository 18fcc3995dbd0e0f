import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCutover } from '../../src/jobs/cutover-job.js';
import { type JobRig, startJobRig } from '../helpers/job-rig.js';
import { type RedisProcess, startRedis } from '../helpers/redis-server.js';
import { textOf } from '../helpers/slack-inspect.js';

let redis: RedisProcess;
let rig: JobRig;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});
beforeEach(async () => {
  rig = await startJobRig(redis);
});
afterEach(async () => {
  await rig.close();
});

describe('the cutover message posted by the re-run after a Slack failure', () => {
  it('says how many forwards this deployment switched', async () => {
    const d = await rig.cuttingOver();
    rig.slack.failNext('post');
    await runCutover(rig.ctx, d.id).catch(() => {});
    await runCutover(rig.ctx, d.id);
    const after = await rig.get(d.id);
    expect(after.cutover?.changed).toBe(1);
    const [post] = rig.thread(after, /^Cutover/);
    expect(textOf(post!)).toMatch(/1 forward\(s\) switched/);
    expect(textOf(post!)).not.toMatch(/Nothing to rewrite/);
  });
});
