/**
 * afterCutover is owed by the record, not by a line after the switch: a crash between the state
 * change and the hook call (simulated by losing the queued job) is repaired by reconcile, and the
 * hook is called once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AFTER_CUTOVER_CALLED, afterCutoverOwed } from '../../src/domain/after-cutover.js';
import { jobId } from '../../src/domain/job-ids.js';
import { runAfterCutover } from '../../src/jobs/after-cutover-job.js';
import { runCutover } from '../../src/jobs/cutover-job.js';
import { reconcileAll } from '../../src/jobs/reconcile.js';
import { type JobRig, USERS } from '../helpers/job-rig.js';
import { useJobRig } from '../helpers/job-rig-hooks.js';
import { reasonWords } from '../helpers/reasons.js';

interface Received {
  path: string;
  body: Record<string, unknown>;
}
let server: Server;
let received: Received[] = [];
let freezeStatus = 200;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(body || '{}') as Record<string, unknown> });
      res.writeHead(req.url === '/freeze' ? freezeStatus : 200);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let rig: JobRig;
useJobRig((r) => {
  rig = r;
  received = [];
  freezeStatus = 200;
  r.svc.hooks = {
    secretEnv: 'GL_TEST_HOOK_SECRET',
    timeoutMs: 2_000,
    retries: 0,
    beforeCutover: `${base}/freeze`,
    afterCutover: `${base}/thaw`,
  };
  r.ctx.secret = () => 'a-hook-secret-of-thirty-two-chars!';
});

const thaws = () => received.filter((r) => r.path === '/thaw');

/** The queued after-cutover job is lost, as when the process died right after the state change. */
async function loseQueuedHook(id: string): Promise<void> {
  expect(await rig.queue.getJob(jobId('after-cutover', id))).toBeDefined();
  await rig.queue.remove(jobId('after-cutover', id));
}

describe('beforeCutover and a cutover that must wait for its forwards', () => {
  it('is called once, not again on each re-run while another service holds its forwards', async () => {
    const d = await rig.cuttingOver();
    const hold = await rig.holdForwards();
    await expect(runCutover(rig.ctx, d.id)).rejects.toThrow(/rewriting the forwards/);
    await expect(runCutover(rig.ctx, d.id)).rejects.toThrow(/rewriting the forwards/);
    await hold.release();
    await runCutover(rig.ctx, d.id);
    expect((await rig.get(d.id)).state).toBe('verifying');
    expect(received.filter((r) => r.path === '/freeze')).toHaveLength(1);
  });
});

describe('a hook secret that cannot sign', () => {
  it.each([
    ['empty', '', /is empty/],
    ['short', 'hunter2', /is too short: 7 characters/],
  ])(
    'refuses to call hooks with an %s secret (fail closed) and says why in the thread',
    async (_what, value, why) => {
      rig.ctx.secret = () => value;
      const d = await rig.cuttingOver();
      await runCutover(rig.ctx, d.id);
      await runAfterCutover(rig.ctx, d.id);
      expect(received).toEqual([]); // neither freeze nor thaw went out unsigned
      const after = await rig.get(d.id);
      expect(after.state).toBe('failed');
      expect(reasonWords(after)).toMatch(/beforeCutover hook was not called/);
      expect(rig.thread(after, why).length).toBeGreaterThan(0);
      expect(JSON.stringify(rig.slackApi.calls)).not.toContain('hunter2');
    },
  );
});

describe('afterCutover after a crash', () => {
  it('is re-enqueued by reconcile after a switch, and called once', async () => {
    const d = await rig.cuttingOver();
    await runCutover(rig.ctx, d.id);
    await loseQueuedHook(d.id);
    expect(afterCutoverOwed(await rig.get(d.id), true)).toBe(true);

    await reconcileAll(rig.ctx);
    const job = await rig.queue.getJob(jobId('after-cutover', d.id));
    expect(job?.data).toEqual({ deploymentId: d.id });
    await runAfterCutover(rig.ctx, d.id);
    await runAfterCutover(rig.ctx, d.id); // a second run (another replica) calls nothing more

    expect(thaws()).toHaveLength(1);
    expect(thaws()[0]?.body).toMatchObject({ hook: 'afterCutover', switched: 'all' });
    const after = await rig.get(d.id);
    expect(after.messages.posted).toContain(AFTER_CUTOVER_CALLED);
    await rig.queue.remove(jobId('after-cutover', d.id));
    await reconcileAll(rig.ctx);
    expect(await rig.queue.getJob(jobId('after-cutover', d.id))).toBeUndefined();
  });

  it('is owed by a deployment that already ended (a refused freeze), and reconcile repairs it', async () => {
    freezeStatus = 500;
    const d = await rig.cuttingOver();
    await runCutover(rig.ctx, d.id);
    expect((await rig.get(d.id)).state).toBe('failed');
    await loseQueuedHook(d.id);

    await reconcileAll(rig.ctx);
    expect(await rig.queue.getJob(jobId('after-cutover', d.id))).toBeDefined();
    await runAfterCutover(rig.ctx, d.id);

    expect(thaws().map((t) => t.body)).toEqual([
      expect.objectContaining({ switched: 'none', deployment: expect.objectContaining({ state: 'failed' }) }),
    ]);
  });

  it('is not owed when the attempt never reached beforeCutover or the switch', async () => {
    const d = await rig.awaitingApproval();
    await rig.event(d.id, { type: 'cancel', user: USERS.requester });
    await reconcileAll(rig.ctx);
    expect(await rig.queue.getJob(jobId('after-cutover', d.id))).toBeUndefined();
    expect(received).toEqual([]);
  });
});
