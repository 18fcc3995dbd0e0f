/**
 * Sync jobs of different record versions run concurrently and can reach Slack out of order: the
 * card must end up showing the newest state, whichever render finished last.
 */
import { describe, expect, it } from 'vitest';
import { runCutover } from '../../src/jobs/cutover-job.js';
import { runSync } from '../../src/jobs/sync-job.js';
import type { JobRig } from '../helpers/job-rig.js';
import { useJobRig } from '../helpers/job-rig-hooks.js';

let rig: JobRig;
useJobRig((r) => {
  rig = r;
});

const fallbackText = (c: { args: Record<string, unknown> }) => String(c.args['text'] ?? '');

describe('two sync jobs racing', () => {
  it('leaves the card on the newest state when the render of version 4 reaches Slack after that of version 6', async () => {
    const d = await rig.cuttingOver();
    expect(d.version).toBe(4);
    const slow = rig.slack.holdNext('update'); // the first render's card update
    const older = runSync(rig.ctx, d.id);
    await slow.reached;

    await runCutover(rig.ctx, d.id);
    const newest = await rig.event(d.id, { type: 'verify_passed' });
    expect(newest.version).toBe(6);
    await runSync(rig.ctx, d.id);
    slow.release();
    await older;

    const cardUpdates = rig.cardUpdates(newest);
    // The race really happened: the render of version 4 reached Slack after the one of version 6 …
    const stale = cardUpdates.findIndex((c) => /cutting over/.test(fallbackText(c)));
    const fresh = cardUpdates.findIndex((c) => /kept until/.test(fallbackText(c)));
    expect(fresh).toBeGreaterThanOrEqual(0);
    expect(stale).toBeGreaterThan(fresh);
    // … and yet the last edit, and so the card, shows the soak.
    expect(fallbackText(cardUpdates.at(-1)!)).toMatch(/kept until/);
    const card = rig.slackApi.messages.find((m) => m.ts === newest.messages.card);
    expect(card?.text).toMatch(/kept until/);
  });
});
