import { describe, expect, it } from 'vitest';
import { runCutover } from '../../src/jobs/cutover-job.js';
import type { JobRig } from '../helpers/job-rig.js';
import { useJobRig } from '../helpers/job-rig-hooks.js';
import { textOf } from '../helpers/slack-inspect.js';

let rig: JobRig;
useJobRig((r) => {
  rig = r;
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
