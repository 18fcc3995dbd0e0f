import { describe, expect, it } from 'vitest';
import type { SlackMessage } from '../../src/app/ports/slack.js';
import type { ForgottenSlot } from '../../src/domain/cost.js';
import {
  ACTIONS,
  type Button,
  decodeActionValue,
  gateAlertMessage,
  hookResultMessage,
  reminderMessage,
  statusCard,
  statusList,
  teardownMessage,
  trafficMessage,
  trafficTable,
} from '../../src/messages/index.js';
import {
  ASG_SCALE_DOWN,
  breaches,
  deployment,
  ECS_SCALE_DOWN,
  HOUR,
  hookResult,
  service,
  T0,
  trafficReport,
} from '../helpers/block-fixtures.js';

const svc = service();
const priced = service({ hourlyCost: { blue: 0.7, green: 1.1 } });
const CUTOVER_DONE = T0 + 121_200; // deployment() fixture: cutover.finishedAt
const NOW = CUTOVER_DONE + 5 * HOUR;
const WHO = '<@U0REQUESTER>, <@U0APPROVER>, <!subteam^S0SRE>';

function buttons(msg: SlackMessage): Button[] {
  return msg.blocks.flatMap((b) => (b.type === 'actions' ? (b.elements as Button[]) : []));
}
const ids = (msg: SlackMessage) => buttons(msg).map((b) => b.action_id);
const json = (msg: SlackMessage) => JSON.stringify(msg.blocks);

describe('trafficMessage', () => {
  const d = deployment('verifying');

  it('reports a drained old slot with the time, without buttons or mentions', () => {
    const msg = trafficMessage(d, trafficReport('drained'), svc, NOW);
    expect(ids(msg)).toEqual([]);
    expect(json(msg)).toContain('✅ *Drained* at 15:10 UTC: *blue* got no request for a full period');
    expect(json(msg)).not.toContain('<@U0REQUESTER>');
  });

  it('leaves out the newest periods CloudWatch has not published yet instead of showing zeros', () => {
    const minute = 60_000;
    const at = (m: number) => T0 + m * minute;
    const point = (m: number, requests: number) => ({
      at: at(m),
      requests,
      errors5xx: 0,
      p99Ms: requests ? 40 : null,
    });
    const report = {
      ...trafficReport('waiting'),
      oldSlot: { slot: 'blue', points: [point(0, 900), point(1, 0), point(2, 0)] },
      newSlot: { slot: 'green', points: [point(0, 100), point(1, 1000), point(2, 0)] },
    };
    const table = trafficTable(report, 3000, { now: at(3) + 10_000, periodMs: minute });
    expect(table).toContain('… 1 newer period(s) not published by CloudWatch yet');
    expect(table.split('\n').filter((l) => / │ /.test(l) && /\d\d:\d\d/.test(l))).toHaveLength(2);
    // Once it is older than two periods, a period without datapoints is a real zero.
    expect(trafficTable(report, 3000, { now: at(5) + 10_000, periodMs: minute })).not.toContain(
      'not published',
    );
  });

  it('says it waits until the end of the verify window, without buttons', () => {
    const msg = trafficMessage(d, trafficReport('waiting'), svc, NOW);
    expect(ids(msg)).toEqual([]);
    expect(json(msg)).toContain('*Waiting* until 15:11 UTC (end of the verify window)');
  });

  it('fails loudly when traffic never left the old slot: mentions and a confirmed Rollback', () => {
    const msg = trafficMessage(d, trafficReport('not_drained'), svc, NOW);
    expect(json(msg)).toContain(
      '❌ *NOT drained*: requests are still on *blue* (up to 928 per period after the switch)',
    );
    expect(json(msg)).toContain(WHO);
    expect(msg.text).toContain(`${WHO}: NOT drained`);
    expect(ids(msg)).toEqual([ACTIONS.rollback]);
    expect(buttons(msg)[0]?.confirm).toBeDefined();
    expect(decodeActionValue(buttons(msg)[0]?.value ?? '')?.deploymentId).toBe(d.id);
  });

  it('says "not verified" with the reason when the metrics cannot be read, never success', () => {
    const msg = trafficMessage(d, trafficReport('unreadable'), svc, NOW);
    expect(json(msg)).toContain('*Metrics unreadable — not verified*: ThrottlingException: Rate exceeded');
    expect(json(msg)).not.toContain('Drained');
    expect(msg.text).toContain('not verified');
    expect(json(msg)).toContain(WHO);
    expect(ids(msg)).toEqual([ACTIONS.rollback]);
  });

  it('lists each gate breach and offers Rollback even when the old slot drained', () => {
    const msg = trafficMessage(d, trafficReport('drained', { breaches: breaches(2) }), svc, NOW);
    expect(json(msg)).toContain('❌ *5xx rate*: green answered 7.5% 5xx (limit 5%)');
    expect(json(msg)).toContain('❌ *p99 latency*:');
    expect(ids(msg)).toEqual([ACTIONS.rollback]);
  });

  it('offers no Rollback once the deployment is no longer rollbackable', () => {
    const msg = trafficMessage(deployment('rolled_back'), trafficReport('not_drained'), svc, NOW);
    expect(ids(msg)).toEqual([]);
  });

  it('tabulates every period for both slots: UTC time, requests, 5xx, p99 (— when absent)', () => {
    const msg = trafficMessage(d, trafficReport('drained'), svc, NOW);
    const table = (msg.blocks[2] as { text: { text: string } }).text.text;
    expect(table.startsWith('```') && table.endsWith('```')).toBe(true);
    expect(table).toContain('15:07 │    900     0      — │  1,200     0      —');
    expect(table).toContain('15:11 │      0     4    124 │  1,228     4    124');
    expect(table).toMatch(/blue \(old\)\s+███▁▁ now 0 req/);
    expect(table).toMatch(/green \(new\) [▁-█]{5} now 1,228 req/);
  });

  it('cuts the oldest periods so the table fits one section, keeping its fences', () => {
    const points = (base: number) =>
      Array.from({ length: 500 }, (_, i) => ({
        at: T0 + i * 60_000,
        requests: base + i,
        errors5xx: 1,
        p99Ms: 99,
      }));
    const report = trafficReport('waiting', {
      oldSlot: { slot: 'blue', points: points(1000) },
      newSlot: { slot: 'green', points: points(2000) },
    });
    const table = (trafficMessage(d, report, svc, NOW).blocks[2] as { text: { text: string } }).text.text;
    expect(table.length).toBeLessThanOrEqual(3000);
    expect(table.length).toBeGreaterThan(2500);
    expect(table.endsWith('```')).toBe(true);
    const shown = table.split('\n').filter((l) => /^\d\d:\d\d │/.test(l)).length;
    expect(table).toContain(`… ${500 - shown} earlier period(s) not shown`);
    expect(table).toContain('23:23 │  1,499'); // the newest period (T0 + 499 min)
  });

  it('shows a period missing on one slot as zero requests on that slot', () => {
    const report = trafficReport('waiting');
    report.oldSlot.points = report.oldSlot.points.slice(0, 2);
    const table = json(trafficMessage(d, report, svc, NOW));
    expect(table).toContain('15:11 │      0     0      — │  1,228');
  });
});

describe('gateAlertMessage', () => {
  const d = deployment('soaking');

  it('says it rolls back automatically and why, mentions people, and offers no button', () => {
    const msg = gateAlertMessage(d, breaches(3), svc, { autoRollback: true, during: 'soak' });
    expect(json(msg)).toContain(
      'Rolling back automatically* to *blue* because green answered 7.5% 5xx (limit 5%) in the period from 15:00 (and 2 more)',
    );
    expect(msg.text).toContain(WHO);
    expect(msg.text).toContain('rolling back automatically to blue because');
    expect(ids(msg)).toEqual([]);
  });

  it('without autoRollback asks people to decide and offers a confirmed Rollback', () => {
    const msg = gateAlertMessage(d, breaches(1), svc, { autoRollback: false, during: 'verification' });
    expect(json(msg)).toContain('during the verification of checkout');
    expect(json(msg)).toContain(WHO);
    expect(json(msg)).not.toContain('automatically');
    expect(ids(msg)).toEqual([ACTIONS.rollback]);
    expect(buttons(msg)[0]?.confirm?.title?.text).toBe('Roll back?');
  });

  it('offers no Rollback when the deployment can no longer be rolled back', () => {
    const done = gateAlertMessage(deployment('rolled_back'), breaches(1), svc, {
      autoRollback: false,
      during: 'soak',
    });
    expect(ids(done)).toEqual([]);
  });
});

describe('hookResultMessage', () => {
  const d = deployment('cutting_over');

  it('says a failed beforeCutover aborted the cutover with nothing changed on the load balancer', () => {
    const msg = hookResultMessage(d, hookResult({ ok: false, status: 500, attempts: 3, durationMs: 15_000 }));
    expect(json(msg)).toContain('HTTP 500 in 15s (3 attempts)');
    expect(json(msg)).toContain('*Cutover aborted — nothing was changed on the load balancer.*');
    expect(msg.text).toContain('cutover aborted — nothing was changed on the load balancer');
    expect(ids(msg)).toEqual([]);
  });

  it('does not claim an abort for a successful hook or a failed afterCutover', () => {
    expect(json(hookResultMessage(d, hookResult()))).not.toMatch(/aborted/i);
    const after = hookResultMessage(d, hookResult({ hook: 'afterCutover', ok: false, status: 503 }));
    expect(json(after)).not.toMatch(/aborted/i);
    expect(json(after)).toContain('HTTP 503');
  });

  it('says "no answer" when the hook never answered', () => {
    const msg = hookResultMessage(
      d,
      hookResult({ ok: false, status: null, excerpt: 'connect ECONNREFUSED' }),
    );
    expect(json(msg)).toContain('no answer');
    expect(msg.text).toContain('(no answer)');
  });

  it('names the hook and its host only: never the path, query string or credentials', () => {
    const msg = hookResultMessage(
      d,
      hookResult({ url: 'https://user:pw@hooks.example.com/services/T0/B0/pathsecret?token=secret#x' }),
    );
    expect(json(msg)).toContain('`beforeCutover` → `hooks.example.com`');
    expect(JSON.stringify(msg)).not.toMatch(/secret|token|pw@|services/);
  });

  it('shows the response excerpt escaped in a code block it cannot break out of', () => {
    const msg = hookResultMessage(d, hookResult({ excerpt: '```<!channel> done```' }));
    expect(json(msg)).toContain("```'''&lt;!channel&gt; done'''```");
  });
});

describe('teardownMessage', () => {
  const d = deployment('done');
  const report = { slot: 'blue', deregistered: 3, drainMs: 45_000, timedOut: false };

  it('keeps working for callers without extras: drain time and no scale-down, hook or cost', () => {
    const msg = teardownMessage(d, report);
    expect(json(msg)).toContain('deregistered 3 target(s); drained in 45s');
    expect(json(msg)).not.toMatch(/ECS|Auto Scaling|hook|💰/);
  });

  it('reports an ECS service scaled to zero and how long it took', () => {
    const msg = teardownMessage(d, report, { scaleDown: ECS_SCALE_DOWN });
    expect(json(msg)).toContain('ECS service shop/checkout-blue: desired 3 → 0, 0 running after 42s');
  });

  it('reports an Auto Scaling group with its previous minimum and desired capacity', () => {
    const msg = teardownMessage(d, report, { scaleDown: ASG_SCALE_DOWN });
    expect(json(msg)).toContain(
      'Auto Scaling group checkout-blue: min 2 desired 3 → 0, 0 instances after 1m30s',
    );
  });

  it('warns that a slot which did not reach zero still costs money', () => {
    const stuck = { ...ASG_SCALE_DOWN, reachedZero: false, remaining: 2, waitedMs: 600_000 };
    const msg = teardownMessage(d, report, { scaleDown: stuck });
    expect(json(msg)).toContain('*did not reach zero*: 2 remaining after 10m — still costs money');
    expect(msg.text).toContain('scale-down did not reach zero (2 remaining)');
  });

  it('names a scale-down webhook by host only', () => {
    const scaleDown = {
      kind: 'webhook' as const,
      target: 'https://ops.example.com/scale/checkout-blue?key=secret',
      reachedZero: true,
      remaining: 0,
      waitedMs: 2000,
    };
    const msg = teardownMessage(d, report, { scaleDown });
    expect(json(msg)).toContain('Scale-down webhook ops.example.com: scaled to zero after 2s');
    expect(json(msg)).not.toContain('secret');
  });

  it('includes the beforeTeardown hook and the cost of keeping the old slot during the soak', () => {
    const msg = teardownMessage(d, report, {
      hook: hookResult({ hook: 'beforeTeardown' }),
      cost: { hourly: 0.7, soFar: 16.8, extendAdds: 16.8 },
    });
    expect(json(msg)).toContain('✅ hook `beforeTeardown`');
    expect(json(msg)).toContain('💰 keeping *blue* during the soak cost $16.80 ($0.70/h for 1d)');
  });
});

describe('cost lines', () => {
  const line = '💰 keeping *blue*: $0.70/h · $3.50 so far · Extend adds $16.80';

  it('shows on the soaking card what keeping the old slot costs', () => {
    expect(json(statusCard(deployment('soaking'), priced, NOW))).toContain(line);
  });

  it('shows the same line on the teardown reminder', () => {
    expect(json(reminderMessage(deployment('soaking'), priced, NOW))).toContain(line);
  });

  it('shows no cost when the old slot has no hourly cost (even if the new one has)', () => {
    const onlyGreen = service({ hourlyCost: { green: 1.1 } });
    expect(json(statusCard(deployment('soaking'), onlyGreen, NOW))).not.toContain('💰');
    expect(json(reminderMessage(deployment('soaking'), onlyGreen, NOW))).not.toContain('💰');
  });

  it('shows no cost on the card outside the soak', () => {
    expect(json(statusCard(deployment('verifying'), priced, NOW))).not.toContain('💰');
    expect(json(statusCard(deployment('done'), priced, NOW))).not.toContain('💰');
  });
});

describe('statusList with the forgotten-environment report', () => {
  const items = [{ svc, active: null, last: deployment('done', { finishedAt: T0 }) }];
  const forgotten: ForgottenSlot[] = [
    {
      service: 'search',
      slot: 'green',
      since: T0,
      ageMs: 50 * HOUR + 20 * 60_000,
      cost: 62.5,
      why: 'left idle after the rollback to blue',
      deploymentId: 'search-20240102150400-ffff',
    },
    {
      service: 'checkout',
      slot: 'blue',
      since: T0 + HOUR,
      ageMs: 3 * HOUR,
      why: 'targets deregistered; no compute scale-down configured',
      deploymentId: 'checkout-20240102150400-a1b2',
    },
  ];

  it('lists every slot still running after its last cutover with age, cost and why', () => {
    const text = json(statusList(items, NOW, forgotten));
    expect(text).toContain('*Still running after the last cutover* — 2 slot(s) — $62.50 so far');
    expect(text).toContain('• *search* *green*: running 2d2h since <!date^');
    expect(text).toContain('· $62.50 so far — left idle after the rollback to blue');
    expect(text).toContain('• *checkout* *blue*: running 3h since');
    expect(statusList(items, NOW, forgotten).text).toContain('2 slot(s) still running after a cutover');
  });

  it('says nothing is left running when the report is empty, and nothing without a report', () => {
    expect(json(statusList(items, NOW, []))).toContain('No slot is left running after its last cutover');
    expect(json(statusList(items, NOW))).not.toMatch(/Still running|left running/);
  });
});
