/** `/deploy unlock`: the break-glass that ends a stuck deployment, with its audit entry and what the load balancer looks like. */
import { describe, expect, it } from 'vitest';
import { runInspect } from '../../src/jobs/inspect-job.js';
import { handleCommand } from '../../src/slack/command-handler.js';
import { type JobRig, USERS } from '../helpers/job-rig.js';
import { useJobRig } from '../helpers/job-rig-hooks.js';
import { reasonWords } from '../helpers/reasons.js';
import { textOf } from '../helpers/slack-inspect.js';

let rig: JobRig;
useJobRig((r) => {
  rig = r;
});

const unlock = (userId: string) =>
  handleCommand(rig.web(), { command: '/deploy', text: 'unlock checkout', userId, channelId: 'C0CHECKOUT' });

describe('/deploy unlock (break-glass)', () => {
  it('is refused to someone who is not an approver', async () => {
    const d = await rig.cuttingOver();
    const reply = await unlock(USERS.requester);
    expect(reply?.text).toMatch(/Only approvers of \*checkout\* can unlock it/);
    expect((await rig.get(d.id)).state).toBe('cutting_over');
  });

  it('ends a deployment stuck mid-switch, frees the service, audits it and says what the load balancer looks like', async () => {
    const d = await rig.cuttingOver();
    // Stuck half-way: the switch started and the default action moved, nothing else happened.
    await rig.ctx.store.update(d.id, (cur) => ({
      next: { ...cur, switchStartedAt: cur.updatedAt },
      result: null,
    }));
    await rig.switchAlbTo('green');
    const reply = await unlock(USERS.approver);
    expect(reply?.text).toMatch(
      /^Unlocked \*checkout\*: deployment .* ended as failed \(recorded in the audit\)/,
    );
    const after = await rig.get(d.id);
    expect(after.state).toBe('failed');
    expect(after.reason).toEqual({
      code: 'unlocked',
      params: { user: USERS.approver, state: 'cutting_over' },
    });
    expect(reasonWords(after)).toBe(
      `unlocked by <@${USERS.approver}> (break-glass) while it was cutting over`,
    );
    expect(await rig.store.lockHolder('checkout')).toBeNull();
    const audit = await rig.store.readAudit('checkout', 5);
    expect(audit[0]).toMatchObject({ event: 'unlock', by: USERS.approver, to: 'failed' });

    await runInspect(rig.ctx, d.id);
    const [said] = rig.thread(after, /Unlocked/);
    expect(textOf(said!)).toContain('The load balancer now: live on *green*.');
    expect(textOf(said!)).toContain('Rollback stays possible: `/deploy rollback`.');
    expect(rig.weights()).toEqual({ blue: 0, green: 1 });
  });
});
