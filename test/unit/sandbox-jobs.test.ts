import type { Job, Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { delayedJobs } from '../../src/sandbox/sandbox-jobs.js';

interface FakeJob {
  id: string;
  name: string;
  data: { deploymentId: string };
  timestamp: number;
  delay: number;
  opts: { delay: number };
  promote(): Promise<void>;
}

function queueOf(specs: { name: string; dueAt: number; busy?: boolean }[], promoted: string[]) {
  const jobs: FakeJob[] = specs.map((s, i) => ({
    id: `${s.name}-checkout-1-${s.dueAt}`,
    name: s.name,
    data: { deploymentId: 'checkout-1' },
    timestamp: 1_000 + i,
    delay: s.dueAt - 1_000 - i,
    opts: { delay: s.dueAt - 1_000 - i },
    async promote() {
      if (s.busy) throw new Error('Job is not in the delayed state');
      promoted.push(this.name);
    },
  }));
  return { getDelayed: async () => jobs as unknown as Job[] } as Pick<Queue, 'getDelayed'>;
}

describe('fast-forward of the bot’s delayed jobs', () => {
  it('lists the delayed jobs soonest first, with their deployment and due time', async () => {
    const jobs = delayedJobs(
      queueOf(
        [
          { name: 'teardown', dueAt: 90_000 },
          { name: 'remind', dueAt: 45_000 },
        ],
        [],
      ),
    );
    expect(await jobs.list()).toEqual([
      { id: 'remind-checkout-1-45000', name: 'remind', deploymentId: 'checkout-1', dueAt: 45_000 },
      { id: 'teardown-checkout-1-90000', name: 'teardown', deploymentId: 'checkout-1', dueAt: 90_000 },
    ]);
  });

  it('skips to the next deadline a person waits for, not to a verification poll', async () => {
    const promoted: string[] = [];
    const queue = queueOf(
      [
        { name: 'verify', dueAt: 5_000 },
        { name: 'remind', dueAt: 45_000 },
        { name: 'teardown', dueAt: 90_000 },
      ],
      promoted,
    );
    const done = await delayedJobs(queue).promote({ all: false });
    expect(done.map((j) => j.name)).toEqual(['remind']);
    expect(promoted).toEqual(['remind']);
  });

  it('runs every delayed job with all, leaving out one that started meanwhile', async () => {
    const promoted: string[] = [];
    const queue = queueOf(
      [
        { name: 'verify', dueAt: 5_000, busy: true },
        { name: 'teardown', dueAt: 90_000 },
      ],
      promoted,
    );
    expect((await delayedJobs(queue).promote({ all: true })).map((j) => j.name)).toEqual(['teardown']);
  });

  it('promotes the soonest job when no deadline is pending, and nothing when nothing is scheduled', async () => {
    const promoted: string[] = [];
    expect(
      (await delayedJobs(queueOf([{ name: 'verify', dueAt: 5_000 }], promoted)).promote({ all: false }))
        .length,
    ).toBe(1);
    expect(await delayedJobs(queueOf([], promoted)).promote({ all: false })).toEqual([]);
  });
});
