/**
 * The cutover job's failure paths, against the local AWS endpoint through the real SDK: a switch
 * that fails part-way and cannot be undone, a re-run after a crash that had already switched, and
 * a Slack outage right after the switch.
 */
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../sandbox/fake-elb/demo.js';
import { canRollBack } from '../../src/domain/state-machine.js';
import { ListenerBusyError } from '../../src/errors.js';
import { runCutover } from '../../src/jobs/cutover-job.js';
import { runRollback } from '../../src/jobs/rollback-job.js';
import { processJob, startWorker } from '../../src/jobs/worker.js';
import { type JobRig, USERS } from '../helpers/job-rig.js';
import { useJobRig } from '../helpers/job-rig-hooks.js';
import { reasonWords } from '../helpers/reasons.js';
import { textOf } from '../helpers/slack-inspect.js';
import { waitUntil } from '../helpers/wait.js';

let rig: JobRig;
useJobRig((r) => {
  rig = r;
});

/** A second forward of checkout on the same listener: the switch takes two Modify calls. */
function addCheckoutRule(): string {
  return rig.aws.elb.addRule({
    listenerArn: DEMO.checkout.listenerArn,
    priority: 20,
    actions: [{ Type: 'forward', TargetGroupArn: DEMO.checkout.blueArn }],
    conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/checkout*'] } }],
  });
}

/** Every put-back of the rule fails: the first write and each of its retries. */
function failRestores(): void {
  for (let i = 0; i < 6; i += 1) rig.aws.elb.failNext('ModifyRule', 'InternalFailure', 'restore refused');
}

const cutoverJob = (id: string) => ({ name: 'cutover', id: `cutover-${id}`, data: { deploymentId: id } });

describe('a cutover that fails part-way', () => {
  it('records the cutover as failed with the switch noted, so Rollback stays possible, when the restore also fails', async () => {
    const rule = addCheckoutRule();
    const d = await rig.cuttingOver();
    // The 2nd Modify call (the rule) is applied and then fails; writing the rule back fails too,
    // every time it is tried (the put-back's retries included).
    rig.aws.elb.failNext('ModifyRule', 'InternalFailure', 'request timed out', { afterApply: true });
    failRestores();

    await runCutover(rig.ctx, d.id);

    const failed = await rig.get(d.id);
    expect(failed.state).toBe('failed');
    expect(failed.cutover).toBeDefined();
    expect(canRollBack(failed)).toBe(true);
    expect(reasonWords(failed)).toMatch(/may be partly switched/);
    expect(reasonWords(failed)).toContain('rule 20');
    // What the load balancer really shows: the default action back on blue, the rule stuck on green.
    expect(rig.weights()).toEqual({ blue: 1, green: 0 });
    expect(rig.aws.elb.weightsOf(rule)).toEqual({ [DEMO.checkout.greenArn]: 1 });
    const notices = rig.thread(failed, /^Cutover .* failed/);
    expect(notices).toHaveLength(1);
    expect(textOf(notices[0]!)).toMatch(/Rollback/);
    expect(await rig.store.lockHolder('checkout')).toBeNull();
  });

  it('can then be rolled back: every forward goes back to blue', async () => {
    const rule = addCheckoutRule();
    const d = await rig.cuttingOver();
    rig.aws.elb.failNext('ModifyRule', 'InternalFailure', 'request timed out', { afterApply: true });
    failRestores();
    await runCutover(rig.ctx, d.id);

    await rig.event(d.id, { type: 'rollback', user: USERS.requester });
    await runRollback(rig.ctx, d.id);

    expect((await rig.get(d.id)).state).toBe('rolled_back');
    expect(rig.aws.elb.weightsOf(rule)).toEqual({ [DEMO.checkout.blueArn]: 1 });
    expect(rig.weights().green).toBe(0);
  });
});

describe('a cutover whose forwards another service is rewriting', () => {
  it('runs again shortly as a delayed job, holding no worker and spending none of its tries', async () => {
    const d = await rig.cuttingOver();
    const hold = await rig.holdForwards();
    const worker = startWorker(rig.ctx, rig.bullConnection, { prefix: rig.prefix, concurrency: 1 });
    try {
      await rig.ctx.scheduler.enqueue('cutover', d.id);
      const job = await waitUntil(
        async () => {
          const j = await rig.queue.getJob(`cutover-${d.id}`);
          return j && (await j.isDelayed()) ? j : undefined;
        },
        { what: 'the cutover to be put back as delayed' },
      );
      expect((await rig.get(d.id)).state).toBe('cutting_over');
      await hold.release();
      await waitUntil(async () => (await rig.get(d.id)).state === 'verifying', { what: 'the switch' });
      const done = await waitUntil(
        async () => {
          const j = await rig.queue.getJob(job.id as string);
          return j && (await j.isCompleted()) ? j : undefined;
        },
        { what: 'the cutover job to complete' },
      );
      // One counted try — the one that ran — however many times it was put back while busy.
      expect(done.attemptsMade).toBe(1);
      expect(done.failedReason).toBeFalsy();
      expect(done.stacktrace ?? []).toEqual([]);
    } finally {
      await hold.release();
      await worker.close();
    }
  });
});

describe('a cutover on a listener other services share (the lock is per forward, not per listener)', () => {
  /** Another service's rule on checkout's listener, forwarding to its own group. */
  function addSearchRule(): string {
    const search = rig.aws.elb.addTargetGroup('search-blue');
    return rig.aws.elb.addRule({
      listenerArn: DEMO.checkout.listenerArn,
      priority: 30,
      actions: [{ Type: 'forward', TargetGroupArn: search }],
      conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/search*'] } }],
    });
  }

  it('switches while another service holds the lock of its own rule on the same listener', async () => {
    const searchRule = addSearchRule();
    const d = await rig.cuttingOver();
    const hold = await rig.holdForwards([searchRule]);
    try {
      await runCutover(rig.ctx, d.id);
      expect((await rig.get(d.id)).state).toBe('verifying');
      expect(rig.weights()).toEqual({ blue: 0, green: 1 });
    } finally {
      await hold.release();
    }
  });

  it('locks exactly the forwards it rewrites: the default action and its own rule, not the neighbour', async () => {
    const searchRule = addSearchRule();
    const rule = addCheckoutRule();
    const d = await rig.cuttingOver();
    expect((await rig.ctx.router.sitesToRewrite(rig.svc, d.toSlot)).sort()).toEqual(
      [`${DEMO.checkout.listenerArn}#default`, rule].sort(),
    );
    expect(await rig.ctx.router.sitesToRewrite(rig.svc, d.toSlot)).not.toContain(searchRule);
  });

  it('writes nothing when the forwards it must rewrite changed after it locked them, and runs again', async () => {
    const d = await rig.cuttingOver();
    const modifiesBefore = rig.modifyCalls();
    // Locked: the default action only. A checkout rule appears before the switch reads again.
    const sites = await rig.ctx.router.sitesToRewrite(rig.svc, d.toSlot);
    const rule = addCheckoutRule();
    await expect(
      rig.ctx.forwardLock.withSites(sites, d.id, () =>
        rig.ctx.router.switchTo(rig.svc, d.toSlot, { lockedSites: sites }),
      ),
    ).rejects.toThrow(ListenerBusyError);
    expect(rig.modifyCalls()).toBe(modifiesBefore);
    // The job's own run plans again, locks both and switches both.
    await runCutover(rig.ctx, d.id);
    expect(rig.aws.elb.weightsOf(rule)).toEqual({ [DEMO.checkout.greenArn]: 1 });
    expect(rig.weights()).toEqual({ blue: 0, green: 1 });
  });
});

describe('a cutover approved long ago that never started switching', () => {
  it('is failed untouched instead of moving traffic hours after the approval', async () => {
    const d = await rig.cuttingOver();
    rig.clock.advance(16 * 60_000);
    const modifies = rig.modifyCalls();
    await runCutover(rig.ctx, d.id);
    const after = await rig.get(d.id);
    expect(after.state).toBe('failed');
    expect(reasonWords(after)).toMatch(/could not start within 15m of the approval/);
    expect(after.cutover).toBeUndefined();
    expect(rig.modifyCalls()).toBe(modifies);
    expect(rig.weights()).toEqual({ blue: 1, green: 0 });
  });
});

describe('a cutover stopped by a transient failure and put back', () => {
  it('is retried, not failed: the load balancer was read back as before, and the re-run switches', async () => {
    const rule = addCheckoutRule();
    const d = await rig.cuttingOver();
    rig.aws.elb.failNext('ModifyRule', 'Throttling', 'Rate exceeded');

    await expect(runCutover(rig.ctx, d.id)).rejects.toThrow(/aborted.*back to its previous state/);
    expect((await rig.get(d.id)).state).toBe('cutting_over');
    expect(rig.weights()).toEqual({ blue: 1, green: 0 });
    expect(rig.aws.elb.weightsOf(rule)).toEqual({ [DEMO.checkout.blueArn]: 1 });

    await runCutover(rig.ctx, d.id); // BullMQ's retry
    expect((await rig.get(d.id)).state).toBe('verifying');
    expect(rig.aws.elb.weightsOf(rule)).toEqual({ [DEMO.checkout.greenArn]: 1 });
  });
});

describe('a cutover re-run after a crash that had already switched', () => {
  it('finishes as verifying even though green is no longer healthy, and does not claim nothing was changed', async () => {
    const d = await rig.cuttingOver();
    // The crashed attempt got this far: it had marked the switch on the record, then switched.
    await rig.ctx.store.update(d.id, (cur) => ({
      next: { ...cur, switchStartedAt: cur.updatedAt },
      result: null,
    }));
    await rig.switchAlbTo('green');
    // A target registered just now reads initial until its first health check passed.
    rig.aws.elb.registerTargetNow(DEMO.checkout.greenArn, 'i-0c06ee000000000new', 8080);
    const modifiesBefore = rig.modifyCalls();

    await runCutover(rig.ctx, d.id);

    const after = await rig.get(d.id);
    expect(after.state).toBe('verifying');
    expect(after.cutover).toBeDefined();
    expect(rig.weights()).toEqual({ blue: 0, green: 1 });
    expect(rig.modifyCalls()).toBe(modifiesBefore);
    const thread = rig.thread(after).map(textOf);
    expect(thread.filter((t) => /nothing was changed/i.test(t))).toEqual([]);
    expect(thread.filter((t) => /^Cutover/.test(t))).toHaveLength(1);
    expect(thread.filter((t) => /^Cutover .* failed/.test(t))).toEqual([]);
  });

  it('starting from split traffic, still re-checks health before touching anything and changes nothing', async () => {
    rig.aws.elb.listener(DEMO.checkout.listenerArn).defaultActions = [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: DEMO.checkout.blueArn, Weight: 1 },
            { TargetGroupArn: DEMO.checkout.greenArn, Weight: 1 },
          ],
        },
      },
    ];
    const d = await rig.cuttingOver();
    // A target registered just now reads initial until its first health check passed.
    rig.aws.elb.registerTargetNow(DEMO.checkout.greenArn, 'i-0c06ee000000000new', 8080);
    const modifiesBefore = rig.modifyCalls();

    await runCutover(rig.ctx, d.id);

    const after = await rig.get(d.id);
    expect(after.state).toBe('failed');
    expect(reasonWords(after)).toMatch(/no longer healthy/);
    expect(after.cutover).toBeUndefined();
    expect(rig.modifyCalls()).toBe(modifiesBefore);
  });

  it('with the load balancer untouched, the same unhealthy green fails the cutover and changes nothing', async () => {
    const d = await rig.cuttingOver();
    // A target registered just now reads initial until its first health check passed.
    rig.aws.elb.registerTargetNow(DEMO.checkout.greenArn, 'i-0c06ee000000000new', 8080);

    await runCutover(rig.ctx, d.id);

    const after = await rig.get(d.id);
    expect(after.state).toBe('failed');
    expect(after.cutover).toBeUndefined();
    expect(reasonWords(after)).toMatch(/nothing was changed/);
    expect(rig.modifyCalls()).toBe(0);
  });
});

describe('a Slack failure right after the switch', () => {
  it('does not fail the job: the switch is recorded, the message waits in its own job and is posted once', async () => {
    const d = await rig.cuttingOver();
    rig.slack.failNext('post');

    await processJob(rig.ctx, cutoverJob(d.id));
    const recorded = await rig.get(d.id);
    expect(recorded.state).toBe('verifying');
    expect(recorded.cutover).toBeDefined();
    expect(rig.weights()).toEqual({ blue: 0, green: 1 });
    expect(rig.thread(recorded, /^Cutover/)).toHaveLength(0);
    const modifies = rig.modifyCalls();

    // The message went to a notify job of its own (retried by BullMQ until Slack answers).
    const queued = (await rig.queue.getJobs(['waiting', 'prioritized', 'delayed'])).find(
      (j) => j.name === 'notify',
    );
    expect(queued?.data.notify?.key).toBe('cutover');
    await processJob(rig.ctx, { name: 'notify', id: queued?.id, data: queued?.data });
    await processJob(rig.ctx, { name: 'notify', id: queued?.id, data: queued?.data });
    await processJob(rig.ctx, cutoverJob(d.id));

    const after = await rig.get(d.id);
    expect(after.state).toBe('verifying');
    expect(after.cutover).toEqual(recorded.cutover);
    expect(rig.thread(after, /^Cutover/)).toHaveLength(1);
    expect(rig.modifyCalls()).toBe(modifies);
  });
});

describe('a cutover run that froze mid-switch (fencing)', () => {
  /** The rig's context, whose ModifyRule calls wait until `release()` (a run frozen there). */
  function frozenAtModifyRule() {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const atGate = new Promise<void>((r) => (reached = r));
    const elb = {
      ...rig.elb,
      modifyRule: async (arn: string, actions: Parameters<typeof rig.elb.modifyRule>[1]) => {
        reached();
        await gate;
        return rig.elb.modifyRule(arn, actions);
      },
    };
    return { ctx: rig.withElb(elb), elb, release, atGate };
  }

  it('runs again when its lock expired under it and nobody took over (a Redis blip): never stranded', async () => {
    addCheckoutRule();
    const d = await rig.cuttingOver();
    const { Redis } = await import('ioredis');
    const admin = new Redis(rig.redisUrl);
    // The lock vanishes right after the default action is switched, as if it expired unrenewed.
    const elb = {
      ...rig.elb,
      modifyListener: async (...args: Parameters<typeof rig.elb.modifyListener>) => {
        await rig.elb.modifyListener(...args);
        const keys = await admin.keys(`${rig.prefix}:forward-lock:*`);
        if (keys.length > 0) await admin.del(...keys);
      },
    };
    try {
      await expect(runCutover(rig.withElb(elb), d.id)).rejects.toThrow(/no longer held/);
      expect((await rig.get(d.id)).state).toBe('cutting_over'); // not completed: BullMQ retries
      await runCutover(rig.ctx, d.id);
      expect((await rig.get(d.id)).state).toBe('verifying');
      expect(rig.weights()).toEqual({ blue: 0, green: 1 });
    } finally {
      admin.disconnect();
    }
  });

  it('is fenced out when its re-run took over and finished: it writes nothing more', async () => {
    const rule = addCheckoutRule();
    const d = await rig.cuttingOver();
    const frozen = frozenAtModifyRule();
    const stale = runCutover(frozen.ctx, d.id);
    await frozen.atGate; // the default action is switched, the rule not yet
    // The same deployment runs again (a retry after the worker looked dead): it takes the lock
    // over at once and finishes the switch.
    await runCutover(rig.ctx, d.id);
    expect((await rig.get(d.id)).state).toBe('verifying');
    // Someone points the rule back at blue during the incident review; the frozen run wakes up.
    await rig.elb.modifyRule(rule, [{ Type: 'forward', TargetGroupArn: DEMO.checkout.blueArn }]);
    const modifies = rig.modifyCalls();
    frozen.release();
    await stale;
    // Its ModifyRule was already in flight when it froze (AWS has no conditional write), but
    // after it nothing: no further write, no restore, no second record of the cutover.
    expect(rig.modifyCalls()).toBeLessThanOrEqual(modifies + 1);
    const after = await rig.get(d.id);
    expect(after.state).toBe('verifying');
    expect(after.history.filter((h) => h.event === 'cutover_succeeded')).toHaveLength(1);
  });

  it('is fenced out by a finished rollback: it never writes its actions over it', async () => {
    addCheckoutRule();
    const d = await rig.cuttingOver();
    const frozen = frozenAtModifyRule();
    // Freeze before the first write instead: hold the default action's ModifyListener.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const atGate = new Promise<void>((r) => (reached = r));
    const ctx = rig.withElb({
      ...frozen.elb,
      modifyListener: async (arn: string, actions: Parameters<typeof rig.elb.modifyListener>[1]) => {
        reached();
        await gate;
        return rig.elb.modifyListener(arn, actions);
      },
    });
    const stale = runCutover(ctx, d.id);
    await atGate;
    // Meanwhile: a re-run finishes the switch and a Rollback puts everything back on blue.
    await runCutover(rig.ctx, d.id);
    await rig.event(d.id, { type: 'rollback', user: USERS.requester });
    await runRollback(rig.ctx, d.id);
    expect((await rig.get(d.id)).state).toBe('rolled_back');
    expect(rig.weights()).toEqual({ blue: 1, green: 0 });
    release();
    frozen.release();
    await stale;
    // The frozen ModifyListener was in flight and landed late (AWS has no conditional write); its
    // next write (the rule) is fenced out, and the run reads the load balancer back: drift, said.
    const rolled = await rig.get(d.id);
    expect(rolled.state).toBe('rolled_back');
    expect(rig.weights()).toEqual({ blue: 0, green: 1 });
    const alert = rig.thread(rolled, /Drift on checkout/);
    expect(alert).toHaveLength(1);
    expect(textOf(alert[0]!)).toContain('sends its traffic to *mixed*, but deployment');
    expect(
      rig.aws.elb.weightsOf(
        rig.aws.elb.rulesOf(DEMO.checkout.listenerArn).find((r) => r.priority === 20)?.arn as string,
      ),
    ).toEqual({
      [DEMO.checkout.blueArn]: 1,
    });
  });
});
