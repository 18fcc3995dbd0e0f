/**
 * Teardown's last scan: if anything routes to the old slot again when the soak ends (a rule
 * pointed back at it during an incident), teardown stops, names it, and leaves the slot running.
 */
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../sandbox/fake-elb/demo.js';
import { runTeardown } from '../../src/jobs/teardown-job.js';
import { type JobRig, USERS } from '../helpers/job-rig.js';
import { useJobRig } from '../helpers/job-rig-hooks.js';
import { reasonWords } from '../helpers/reasons.js';
import { textOf } from '../helpers/slack-inspect.js';

let rig: JobRig;
useJobRig((r) => {
  rig = r;
});

/** During the soak someone adds a rule on :80 (not a configured listener) that forwards to blue. */
function pointARuleBackAtBlue(): string {
  return rig.aws.elb.addRule({
    listenerArn: DEMO.httpListenerArn,
    priority: 30,
    actions: [{ Type: 'forward', TargetGroupArn: DEMO.checkout.blueArn }],
    conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/checkout*'] } }],
  });
}

const deregistrations = () => rig.aws.elb.calls.filter((c) => c.operation === 'DeregisterTargets');

describe('a teardown while something still routes to the old slot', () => {
  it('fails the deployment naming the listener and rule, and leaves blue’s targets registered', async () => {
    const d = await rig.soaking();
    pointARuleBackAtBlue();
    rig.clock.set(d.teardownAt as number);

    await runTeardown(rig.ctx, d.id, d.teardownAt);

    const after = await rig.get(d.id);
    expect(after.state).toBe('failed');
    expect(reasonWords(after)).toContain('blue');
    expect(reasonWords(after)).toContain('port 80 rule 30');
    expect(reasonWords(after)).toMatch(/not torn down/);
    const blue = rig.aws.elb.healthOf(DEMO.checkout.blueArn);
    expect(blue.map((t) => t.health.state)).toEqual(['healthy', 'healthy']);
    expect(deregistrations()).toEqual([]);
    const notices = rig.thread(after, /Teardown stopped/);
    expect(notices).toHaveLength(1);
    expect(textOf(notices[0]!)).toContain('port 80 rule 30');
    expect(await rig.store.lockHolder('checkout')).toBeNull();
  });

  it('stops a “Tear down now” the same way', async () => {
    const d = await rig.soaking();
    pointARuleBackAtBlue();
    const started = await rig.event(d.id, { type: 'teardown_now', user: USERS.approver });

    await runTeardown(rig.ctx, d.id, started.teardownStartedAt);

    expect((await rig.get(d.id)).state).toBe('failed');
    expect(rig.aws.elb.targetsOf(DEMO.checkout.blueArn)).toHaveLength(2);
    expect(deregistrations()).toEqual([]);
  });
});
