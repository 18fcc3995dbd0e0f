/**
 * The forgotten-environment scan reads AWS through the real SDK (local endpoint) and reports a slot
 * that runs without traffic once it has been idle longer than the soak — once a day.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { scanForgotten } from '../../src/jobs/forgotten-scan.js';
import { ScanMarks } from '../../src/store/scan-marks.js';
import { type JobRig, USERS } from '../helpers/job-rig.js';
import { useJobRig } from '../helpers/job-rig-hooks.js';
import { textOf } from '../helpers/slack-inspect.js';

let rig: JobRig;
let marks: ScanMarks;
let client: Redis;
useJobRig((r) => {
  rig = r;
  client = new Redis(r.redisUrl, { maxRetriesPerRequest: 3 });
  marks = new ScanMarks(client, `${r.prefix}:`);
});
afterEach(() => client.disconnect());

const reports = () =>
  rig.slackApi.calls.filter(
    (c) => c.method === 'chat.postMessage' && /Forgotten environment/.test(textOf(c)),
  );

/** Rolled back, outside any soak: green stays registered, with no traffic and no teardown. */
async function greenLeftIdle(): Promise<void> {
  const d = await rig.verifying();
  await rig.event(d.id, { type: 'rollback', user: USERS.requester });
  await rig.switchAlbTo('blue');
  await rig.event(d.id, {
    type: 'rollback_done',
    timing: { startedAt: rig.clock.now(), finishedAt: rig.clock.now(), awsMs: 1, changed: 1 },
  });
}

describe('the forgotten-environment scan', () => {
  it('says nothing while a soak keeps the old slot on purpose', async () => {
    await rig.soaking();
    rig.clock.advance(2 * rig.svc.soakMs);
    const scan = await scanForgotten(rig.ctx, marks, { reason: 'periodic' });
    expect(scan).toMatchObject({ scanned: 1, idle: [], reported: [], errors: [] });
  });

  it('reports a slot left running after the soak, once a day', async () => {
    await greenLeftIdle();

    const first = await scanForgotten(rig.ctx, marks, { reason: 'periodic' });
    expect(first.idle.map((s) => s.slot)).toEqual(['green']);
    expect(first.reported).toEqual([]); // idle for less than the soak so far

    rig.clock.advance(rig.svc.soakMs + 1_000);
    const second = await scanForgotten(rig.ctx, marks, { reason: 'periodic' });
    expect(second.reported.map((s) => `${s.service}/${s.slot}`)).toEqual(['checkout/green']);
    expect(reports()).toHaveLength(1);
    expect(reports()[0]?.args['channel']).toBe('C0CHECKOUT');
    expect(JSON.stringify(reports()[0]?.args['blocks'])).toMatch(/slot \*green\*: 2 registered target/);

    rig.clock.advance(60_000);
    await scanForgotten(rig.ctx, marks, { reason: 'periodic' });
    expect(reports()).toHaveLength(1);
  });

  it('reports an idle slot at once on a new dataset, saying why it has no record', async () => {
    await greenLeftIdle();
    const scan = await scanForgotten(rig.ctx, marks, { reason: 'fresh-dataset' });
    expect(scan.reported.map((s) => s.slot)).toEqual(['green']);
    expect(JSON.stringify(reports()[0]?.args['blocks'])).toMatch(/its Redis dataset is new/);
  });
});
