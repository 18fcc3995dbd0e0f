/** Commands that change a service are taken only in the service's channel. */
import { describe, expect, it } from 'vitest';
import { handleCommand } from '../../src/slack/command-handler.js';
import { CHANNEL, type JobRig, USERS } from '../helpers/job-rig.js';
import { useJobRig } from '../helpers/job-rig-hooks.js';

let rig: JobRig;
useJobRig((r) => {
  rig = r;
});

const run = (text: string, channelId: string, userId = USERS.requester) =>
  handleCommand(rig.web(), { command: '/deploy', text, userId, channelId });

describe('where /deploy is taken', () => {
  it('refuses to deploy from another channel, saying where, and records nothing', async () => {
    const reply = await run('checkout green', 'C0ELSEWHERE');
    expect(reply?.text).toContain(`is taken only in <#${CHANNEL}>`);
    expect(reply?.text).toContain('nothing was done');
    expect(await rig.store.listByService('checkout', 5)).toEqual([]);
    expect(await rig.store.lockHolder('checkout')).toBeNull();
  });

  it('refuses a rollback, an extension or a break-glass unlock from another channel', async () => {
    const d = await rig.soaking();
    for (const text of ['rollback checkout', 'extend checkout 1h', 'unlock checkout']) {
      const reply = await run(text, 'C0ELSEWHERE', USERS.approver);
      expect(reply?.text).toMatch(/is taken only in/);
    }
    const after = await rig.get(d.id);
    expect(after.state).toBe('soaking');
    expect(after.teardownAt).toBe(d.teardownAt);
  });

  it('answers status and history anywhere', async () => {
    await rig.soaking();
    expect((await run('status checkout', 'C0ELSEWHERE'))?.text).not.toMatch(/is taken only in/);
    expect((await run('history checkout', 'C0ELSEWHERE'))?.text).not.toMatch(/is taken only in/);
  });

  it('takes the same command in the service channel', async () => {
    await run('checkout green', CHANNEL);
    expect(await rig.store.listByService('checkout', 5)).toHaveLength(1);
  });
});
