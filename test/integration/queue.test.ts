import { Queue, type Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jobId } from '../../src/domain/job-ids.js';
import { createQueue, JobScheduler } from '../../src/queue/queue.js';
import { type RedisProcess, startRedis } from '../helpers/redis-server.js';

describe('the job queue on a real redis-server', () => {
  let redis: RedisProcess;
  let connection: Redis;
  let queue: Queue;
  let worker: Worker | undefined;
  const prefix = `q${Date.now().toString(36)}`;

  beforeEach(async () => {
    redis = await startRedis({ appendonly: true });
    connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    queue = createQueue(connection, prefix);
  });
  afterEach(async () => {
    await worker?.close();
    await queue.close();
    connection.disconnect();
    await redis.stop();
  });

  it('adds a job with a deterministic id only once', async () => {
    const scheduler = new JobScheduler(queue, () => Date.now());
    await scheduler.enqueue('cutover', 'checkout-20261126000000-abcd');
    await scheduler.enqueue('cutover', 'checkout-20261126000000-abcd');
    // A cutover has a priority (a rollback goes before it), so BullMQ counts it as prioritized.
    const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed');
    expect((counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0)).toBe(1);
  });

  it('runs a rollback before cutovers, teardown polls, verifications and syncs that were waiting longer', async () => {
    const scheduler = new JobScheduler(queue, () => Date.now());
    for (let i = 0; i < 4; i += 1)
      await scheduler.enqueue('teardown', `svc${i}-20261126000000-abcd`, Date.now() - 1);
    await scheduler.enqueue('verify', 'other-20261126000000-abcd');
    await scheduler.enqueue('sync', 'other-20261126000000-abcd');
    await scheduler.enqueue('cutover', 'train-20261126000000-abcd');
    await scheduler.enqueue('rollback', 'checkout-20261126000000-abcd', Date.now());
    const ran: string[] = [];
    const { Worker } = await import('bullmq');
    const own = new Redis(redis.url, { maxRetriesPerRequest: null });
    worker = new Worker(
      queue.name,
      async (job) => {
        ran.push(job.name);
      },
      { connection: own, prefix, concurrency: 1 },
    );
    await new Promise<void>((resolve) => {
      worker?.on('completed', () => {
        if (ran.length === 8) resolve();
      });
    });
    await worker.close();
    worker = undefined;
    own.disconnect();
    expect(ran.slice(0, 2)).toEqual(['rollback', 'cutover']);
    // Teardown polls run with verification polls (not starved by them), before syncs.
    expect(ran.lastIndexOf('teardown')).toBeLessThan(ran.indexOf('sync'));
  });

  it('schedules a delayed job that cancel removes', async () => {
    const scheduler = new JobScheduler(queue, () => Date.now());
    const at = Date.now() + 60_000;
    await scheduler.enqueue('teardown', 'checkout-20261126000000-abcd', at);
    const job = await queue.getJob(jobId('teardown', 'checkout-20261126000000-abcd', at));
    expect(await job?.getState()).toBe('delayed');
    await scheduler.cancel('teardown', 'checkout-20261126000000-abcd', at);
    expect(await queue.getJob(jobId('teardown', 'checkout-20261126000000-abcd', at))).toBeUndefined();
  });

  it('keeps a pending teardown across a Redis crash and restart (appendonly)', async () => {
    const scheduler = new JobScheduler(queue, () => Date.now());
    const at = Date.now() + 3_600_000;
    await scheduler.enqueue('teardown', 'checkout-20261126000000-abcd', at);
    await redis.restart();
    const fresh = new Redis(redis.url, { maxRetriesPerRequest: null });
    const again = new Queue('greenlight', { connection: fresh, prefix });
    const job = await again.getJob(jobId('teardown', 'checkout-20261126000000-abcd', at));
    expect(await job?.getState()).toBe('delayed');
    expect(job?.data).toEqual({ deploymentId: 'checkout-20261126000000-abcd', at });
    await again.close();
    fresh.disconnect();
  });
});
