/**
 * The ALB router with shared reads (as src/runtime.ts builds it): concurrent prechecks and the plan a
 * switch locks by share their listener and rule reads; the switch, read-back and verification read fresh.
 */
import { describe, expect, it } from 'vitest';
import type { ElbPort } from '../../src/app/ports/elb.js';
import { createAlbRouter } from '../../src/aws/alb-router.js';
import { sharedReads } from '../../src/aws/shared-reads.js';
import type { JobRig } from '../helpers/job-rig.js';
import { useJobRig } from '../helpers/job-rig-hooks.js';

let rig!: JobRig;
useJobRig((r) => {
  rig = r;
});

describe('the ALB router with shared reads', () => {
  it('answers concurrent prechecks and plans from one read, and switches and verifies on fresh ones', async () => {
    const { elb, svc } = rig;
    // What the shared layer asks AWS for (the fresh reads, e.g. of preview-rule priorities, go around it).
    const sharedAsked: string[] = [];
    const counted: ElbPort = {
      ...elb,
      describeRules: (arn) => {
        sharedAsked.push(arn);
        return elb.describeRules(arn);
      },
    };
    const { shared } = sharedReads(counted);
    const router = createAlbRouter(elb, { shared });
    const rulesReads = () => rig.aws.elb.calls.filter((c) => c.operation === 'DescribeRules').length;

    const [a, b, sites] = await Promise.all([
      router.precheck(svc, 'green'),
      router.precheck(svc, 'green'),
      router.sitesToRewrite(svc, 'green'),
    ]);
    expect(a.report.liveSlot).toBe('blue');
    expect(b.report.forwards).toEqual(a.report.forwards);
    expect(sites.length).toBeGreaterThan(0);
    // Two prechecks and a plan at once: one DescribeRules per listener, not one each.
    const listeners = new Set([...svc.listeners, svc.preview.listenerArn]);
    expect(sharedAsked.sort()).toEqual([...listeners].sort());

    const switchFrom = rulesReads();
    await router.switchTo(svc, 'green', { lockedSites: sites });
    expect(rulesReads()).toBeGreaterThan(switchFrom); // the switch reads again under its lock
    const verifyFrom = rulesReads();
    const report = await router.verify(svc, 'green', 'blue');
    expect(rulesReads()).toBeGreaterThan(verifyFrom);
    expect(report.readBackOk).toBe(true);
    expect(report.offenders).toEqual([]);
  });
});
