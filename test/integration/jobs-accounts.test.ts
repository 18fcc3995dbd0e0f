/**
 * Two services in two AWS accounts and Regions, each reached through its own role: the real
 * precheck and cutover jobs (the job rig: real redis-server, store, queue, Slack Web API stand-in)
 * with the JobContext wired as src/runtime.ts wires it — the client registry and the router that
 * dispatches each service to the router of its account and Region — against the local AWS
 * endpoint through the real SDK. The endpoint records who signed each ELB call (access key id and
 * Region of the SigV4 credential scope), so the test checks that every call about a service went
 * through that service's assumed role, in its Region, and that each role was assumed once.
 */
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../sandbox/fake-elb/demo.js';
import { forward } from '../../sandbox/fake-elb/state.js';
import { LOCAL_CREDENTIALS } from '../../sandbox/local-aws.js';
import type { JobContext } from '../../src/app/context.js';
import { recordEvent } from '../../src/app/record-event.js';
import { AwsClientRegistry } from '../../src/aws/aws-clients.js';
import { routerPerService } from '../../src/aws/service-router.js';
import { parseConfigText } from '../../src/config/load-config.js';
import type { Deployment } from '../../src/domain/deployment.js';
import { newDeployment, newDeploymentId } from '../../src/domain/new-deployment.js';
import type { ServiceConfig } from '../../src/domain/service.js';
import { runCutover } from '../../src/jobs/cutover-job.js';
import { runPrecheck } from '../../src/jobs/precheck-job.js';
import { type JobRig, USERS } from '../helpers/job-rig.js';
import { useJobRig } from '../helpers/job-rig-hooks.js';

let rig: JobRig;
useJobRig((r) => {
  rig = r;
});

const SHOP_ROLE = 'arn:aws:iam::123456789012:role/greenlight-shop';
const BILLING_ROLE = 'arn:aws:iam::210987654321:role/greenlight-billing';

/** Billing's load balancer, in another account and Region of the same simulated world. */
function billingWorld() {
  const place = { region: 'eu-west-1', account: '210987654321' };
  const elb = rig.aws.elb;
  const lb = elb.addLoadBalancer('billing', place);
  const blue = elb.addTargetGroup('billing-blue', { place, port: 8080 });
  const green = elb.addTargetGroup('billing-green', { place, port: 8080 });
  for (const [tg, id] of [
    [blue, 'i-0b111111111111111'],
    [green, 'i-0b222222222222222'],
  ] as const)
    elb.registerTarget(tg, id, 8080, 'healthy');
  const listener = elb.addListener({
    loadBalancerArn: lb,
    port: 443,
    defaultActions: [forward([blue, 1], [green, 0])],
  });
  return { listener, blue, green };
}

function config(billing: ReturnType<typeof billingWorld>) {
  const yaml = [
    'services:',
    '  checkout:',
    '    channel: C0CHECKOUT',
    `    listeners: [${DEMO.checkout.listenerArn}]`,
    `    slots: { blue: ${DEMO.checkout.blueArn}, green: ${DEMO.checkout.greenArn} }`,
    `    approvers: { users: [${USERS.approver}] }`,
    `    aws: { region: us-east-1, roleArn: ${SHOP_ROLE}, externalId: shop-7f3c }`,
    '  billing:',
    '    channel: C0BILLING',
    `    listeners: [${billing.listener}]`,
    `    slots: { blue: ${billing.blue}, green: ${billing.green} }`,
    `    approvers: { users: [${USERS.approver}] }`,
    `    aws: { region: eu-west-1, roleArn: ${BILLING_ROLE} }`,
    '',
  ].join('\n');
  const parsed = parseConfigText(yaml);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.config;
}

/** The rig's context, its AWS access built per account and Region as src/runtime.ts builds it. */
function contextFor(billing: ReturnType<typeof billingWorld>): JobContext {
  const aws = new AwsClientRegistry({
    client: { endpoint: rig.aws.url, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 },
    metrics: rig.ctx.metrics,
  });
  return {
    ...rig.ctx,
    config: config(billing),
    router: routerPerService((svc) => aws.forService(svc).router),
    metricsFor: (svc) => aws.forService(svc).metrics,
    computeFor: (svc) => aws.forService(svc).compute,
  };
}

async function request(ctx: JobContext, svc: ServiceConfig, hex: string): Promise<Deployment> {
  rig.clock.advance(1_000);
  const now = rig.clock.now();
  const d = newDeployment(
    {
      id: newDeploymentId(svc.name, now, hex),
      service: svc.name,
      channel: svc.channel,
      requester: USERS.requester,
      toSlot: 'green',
      soakMs: svc.soakMs,
      remindBeforeMs: svc.remindBeforeMs,
    },
    now,
  );
  const created = await ctx.store.createWithLock(d);
  if (!created.ok) throw new Error(`${svc.name} is locked`);
  return d;
}

/** Every ELB ARN a call names, with its Region and account. */
function placesNamed(params: unknown): { region: string; account: string }[] {
  return [...JSON.stringify(params).matchAll(/arn:aws:elasticloadbalancing:([a-z0-9-]+):(\d{12}):/g)].map(
    (m) => ({ region: m[1] as string, account: m[2] as string }),
  );
}

describe('services in two accounts and Regions', () => {
  it('prechecks and switches each one through its own role, in its own Region, assuming each role once', async () => {
    rig.aws.sts.addRole(SHOP_ROLE, { externalId: 'shop-7f3c' });
    rig.aws.sts.addRole(BILLING_ROLE);
    const billing = billingWorld();
    const ctx = contextFor(billing);
    const callsBefore = rig.aws.elb.calls.length;

    for (const [name, hex] of [
      ['checkout', '0a01'],
      ['billing', '0b01'],
    ] as const) {
      const svc = ctx.config.services[name] as ServiceConfig;
      const d = await request(ctx, svc, hex);
      await runPrecheck(ctx, d.id);
      expect((await rig.get(d.id)).state, `${name} precheck`).toBe('awaiting_approval');
      const approved = await recordEvent(ctx, d.id, { type: 'approve', user: USERS.approver });
      expect(approved.ok).toBe(true);
      await runCutover(ctx, d.id);
      expect((await rig.get(d.id)).state, `${name} cutover`).toBe('verifying');
    }

    // Both load balancers now send everything to green (the old slot leaves the forward).
    expect(rig.weights()).toEqual({ blue: 0, green: 1 });
    expect(rig.aws.elb.weightsOf(billing.listener)).toEqual({ [billing.green]: 1 });

    // One AssumeRole per role, with the external ID where the role asks for one.
    expect(rig.aws.sts.calls.map((c) => [c.roleArn, c.externalId, c.outcome])).toEqual([
      [SHOP_ROLE, 'shop-7f3c', 'ok'],
      [BILLING_ROLE, undefined, 'ok'],
    ]);

    // Every ELB call was signed by a session of the role of the account it names, in its Region.
    const calls = rig.aws.elb.calls.slice(callsBefore);
    const roleOf = (key: string | undefined) => rig.aws.sts.sessionOf(key)?.roleArn;
    const account = { [SHOP_ROLE]: '123456789012', [BILLING_ROLE]: '210987654321' };
    const seen = new Map<string, Set<string>>();
    for (const call of calls) {
      const role = roleOf(call.signedBy?.accessKeyId);
      expect(role, `${call.operation} signed by a role session`).toBeDefined();
      const places = placesNamed(call.params);
      for (const p of places) {
        expect(p.account, `${call.operation} as ${role}`).toBe(account[role as keyof typeof account]);
        expect(p.region, `${call.operation} as ${role}`).toBe(call.signedBy?.region);
      }
      if (!seen.has(role as string)) seen.set(role as string, new Set());
      seen.get(role as string)?.add(`${call.operation}@${call.signedBy?.region}`);
    }
    // Both services made their switch through their own role: reads, the preview rule, the Modify.
    for (const [role, region] of [
      [SHOP_ROLE, 'us-east-1'],
      [BILLING_ROLE, 'eu-west-1'],
    ] as const) {
      expect([...(seen.get(role) ?? [])]).toEqual(
        expect.arrayContaining([
          `DescribeTargetHealth@${region}`,
          `DescribeRules@${region}`,
          `ModifyListener@${region}`,
        ]),
      );
    }
  });

  it('blocks the precheck of a service whose role cannot be assumed, saying so, and leaves the other alone', async () => {
    rig.aws.sts.addRole(SHOP_ROLE, { externalId: 'another-id' });
    rig.aws.sts.addRole(BILLING_ROLE);
    const billing = billingWorld();
    const ctx = contextFor(billing);
    const checkout = await request(ctx, ctx.config.services['checkout'] as ServiceConfig, '0a02');
    await runPrecheck(ctx, checkout.id).catch(() => undefined);
    const after = await rig.get(checkout.id);
    expect(after.state).toBe('blocked');
    expect(JSON.stringify(after.reason)).toContain(`cannot assume ${SHOP_ROLE}`);
    expect(rig.weights()).toEqual({ blue: 1, green: 0 });

    const other = await request(ctx, ctx.config.services['billing'] as ServiceConfig, '0b02');
    await runPrecheck(ctx, other.id);
    expect((await rig.get(other.id)).state).toBe('awaiting_approval');
  });
});
