import type { Job, Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { SandboxClock } from '../../sandbox/sandbox-clock.js';
import { delayedJobs } from '../../sandbox/sandbox-jobs.js';

interface FakeJob {
  id: string;
  name: string;
  data: { deploymentId: string; at: number };
  timestamp: number;
  delay: number;
  opts: { delay: number };
  promote(): Promise<void>;
}

function queueOf(specs: { name: string; dueAt: number; busy?: boolean }[], promoted: string[]) {
  const jobs: FakeJob[] = specs.map((s, i) => ({
    id: `${s.name}-checkout-1-${s.dueAt}`,
    name: s.name,
    data: { deploymentId: 'checkout-1', at: s.dueAt },
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

  it('never skips to the expiry of an open approval prompt, which would expire the deployment', async () => {
    const promoted: string[] = [];
    const queue = queueOf(
      [
        { name: 'approval-expiry', dueAt: 5_000 },
        { name: 'verify', dueAt: 6_000 },
      ],
      promoted,
    );
    const clock = new SandboxClock();
    expect(await delayedJobs(queue, clock).promote({ all: false })).toEqual([]);
    expect(promoted).toEqual([]);
    expect(clock.offsetMs).toBe(0);
  });

  it('skips past an approval expiry to the next soak deadline', async () => {
    const promoted: string[] = [];
    const queue = queueOf(
      [
        { name: 'approval-expiry', dueAt: 5_000 },
        { name: 'teardown', dueAt: 90_000 },
      ],
      promoted,
    );
    expect((await delayedJobs(queue).promote({ all: false })).map((j) => j.name)).toEqual(['teardown']);
    expect(promoted).toEqual(['teardown']);
  });

  it('skips nothing when nothing is scheduled', async () => {
    expect(await delayedJobs(queueOf([], [])).promote({ all: false })).toEqual([]);
  });

  it('moves the sandbox clock to the deadline before it runs the job, never backwards', async () => {
    const clock = new SandboxClock();
    const dueAt = Date.now() + 3_600_000;
    await delayedJobs(queueOf([{ name: 'teardown', dueAt }], []), clock).promote({ all: false });
    expect(clock.now()).toBeGreaterThanOrEqual(dueAt);
    expect(clock.now() - dueAt).toBeLessThan(1_000);
    const before = clock.offsetMs;
    await delayedJobs(queueOf([{ name: 'remind', dueAt: 5_000 }], []), clock).promote({ all: false });
    expect(clock.offsetMs).toBe(before);
  });
});
