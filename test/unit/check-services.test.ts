import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeElbClient } from '../../sandbox/fake-elb/client.js';
import { DEMO, demoState } from '../../sandbox/fake-elb/demo.js';
import { type FakeElbState, forward } from '../../sandbox/fake-elb/state.js';
import { checkConfig } from '../../src/aws/check-services.js';
import { createElbAdapter } from '../../src/aws/elb-sdk-adapter.js';
import { ensurePreviewRules } from '../../src/aws/preview-rules.js';
import { runCheckConfig } from '../../src/check-config.js';
import type { GreenlightConfig, ServiceConfig } from '../../src/domain/service.js';
import { serviceConfig } from '../helpers/service-config.js';

function service(name: string, listeners: string[], slots: Record<string, string>): ServiceConfig {
  return serviceConfig({ name, listeners, slots });
}

const demoConfig = (): GreenlightConfig => ({
  services: {
    checkout: service('checkout', [DEMO.checkout.listenerArn], {
      blue: DEMO.checkout.blueArn,
      green: DEMO.checkout.greenArn,
    }),
    search: service('search', [DEMO.search.listenerArn], {
      blue: DEMO.search.blueArn,
      green: DEMO.search.greenArn,
    }),
  },
});

const portOf = (state: FakeElbState) => createElbAdapter(fakeElbClient(state, { maxAttempts: 1 }));
const zeros = '0000000000000000';

describe('checkConfig', () => {
  it('finds nothing wrong with the demo and says which slot is live and how healthy each slot is', async () => {
    const result = await checkConfig(demoConfig(), portOf(demoState()));
    expect(result.problems).toEqual([]);
    expect(result.lines).toContain('  live now: blue');
    expect(result.lines).toContain('  slot green (checkout-green): 2/2 healthy');
    expect(result.lines.filter((l) => l.startsWith('  forward :443 rule 10'))).toEqual([
      '  forward :443 rule 10 → blue 1',
    ]);
  });

  it('reports a slot no forward names as not attached (health unknown), not as healthy or unhealthy', async () => {
    const result = await checkConfig(demoConfig(), portOf(demoState()));
    expect(result.lines).toContain(
      '  slot green (search-green): not attached: health unknown until the first deploy (2 target(s) registered; /deploy attaches it with its preview rule and waits for its checks)',
    );
    expect(result.lines).toContain(
      '  preview green: none yet (the next /deploy creates it: header X-Greenlight-Slot: search/green)',
    );
    expect(result.problems).toEqual([]);
  });

  it('lists preview rules and leaves them out of the forwards and the live slot', async () => {
    const state = demoState();
    const svc = demoConfig().services.search as ServiceConfig;
    await ensurePreviewRules(portOf(state), svc);
    const result = await checkConfig(demoConfig(), portOf(state));
    expect(result.lines).toContain('  preview green: :443 rule 2 (header X-Greenlight-Slot: search/green)');
    // Just attached: AWS checks it now, its targets read initial.
    expect(result.lines).toContain('  slot green (search-green): 0/2 healthy, 2 initial');
    expect(result.lines.filter((l) => l.startsWith('  forward'))).toEqual([
      '  forward :443 default → blue 1, green 0',
      '  forward :443 rule 10 → blue 1',
    ]);
  });

  it('counts unhealthy targets without calling them a problem', async () => {
    const state = demoState();
    const [t] = state.targetsOf(DEMO.checkout.greenArn);
    state.setTargetHealth(DEMO.checkout.greenArn, t?.id ?? '', 'unhealthy', 'Target.Timeout');
    const result = await checkConfig(demoConfig(), portOf(state));
    expect(result.lines).toContain('  slot green (checkout-green): 1/2 healthy, 1 unhealthy');
    expect(result.problems).toEqual([]);
  });

  it('names a listener and a target group that do not exist', async () => {
    const missingListener = `${DEMO.checkout.listenerArn.slice(0, -16)}${zeros}`;
    const missingTg = `${DEMO.checkout.greenArn.slice(0, -16)}${zeros}`;
    const config = {
      services: {
        checkout: service('checkout', [DEMO.checkout.listenerArn, missingListener], {
          blue: DEMO.checkout.blueArn,
          green: missingTg,
        }),
      },
    };
    const { problems } = await checkConfig(config, portOf(demoState()));
    expect(problems).toEqual([
      `checkout: listener ${missingListener} does not exist (ListenerNotFound).`,
      `checkout: slot green target group ${missingTg} does not exist (TargetGroupNotFound).`,
    ]);
  });

  it('refuses a service spread over two load balancers', async () => {
    const state = demoState();
    const other = state.addLoadBalancer('other');
    const tg = state.addTargetGroup('checkout-purple');
    state.addListener({ loadBalancerArn: other, port: 80, defaultActions: [forward([tg, 1])] });
    const config = {
      services: {
        checkout: service('checkout', [DEMO.checkout.listenerArn], {
          blue: DEMO.checkout.blueArn,
          purple: tg,
        }),
      },
    };
    const { problems } = await checkConfig(config, portOf(state));
    expect(problems).toEqual([
      expect.stringMatching(
        /^checkout: .* belong to 2 load balancers \(app\/shop\/[0-9a-f]{16}, app\/other\/[0-9a-f]{16}\)/,
      ),
    ]);
  });

  it('reports a service whose listeners do not forward to its slots', async () => {
    const config = {
      services: {
        search: service('search', [DEMO.httpListenerArn], {
          blue: DEMO.search.blueArn,
          green: DEMO.search.greenArn,
        }),
      },
    };
    const { problems } = await checkConfig(config, portOf(demoState()));
    expect(problems).toEqual([
      'search: no forward of its listeners references its slots (blue, green).',
      `search: :443 rule 10 → blue 1 on listener ${DEMO.httpsListenerArn}, which is not in the service's listeners: a cutover would not switch it.`,
    ]);
  });

  it('names a forward to a slot on a listener the config does not list (the forgotten rule)', async () => {
    const config = { services: { checkout: demoConfig().services.checkout as ServiceConfig } };
    const { problems } = await checkConfig(config, portOf(demoState({ forgottenRule: true })));
    expect(problems).toEqual([
      `checkout: :80 rule 5 → blue 1 on listener ${DEMO.httpListenerArn}, which is not in the service's listeners: a cutover would not switch it.`,
    ]);
  });

  it('turns an AWS failure into one line and stops checking that service', async () => {
    const state = demoState();
    state.failNext('DescribeListeners', 'InternalFailure', 'We encountered an internal error.');
    const { problems, lines } = await checkConfig(
      { services: { checkout: demoConfig().services.checkout as ServiceConfig } },
      portOf(state),
    );
    expect(problems).toEqual([
      `checkout: listener ${DEMO.checkout.listenerArn}: DescribeListeners failed: InternalFailure: We encountered an internal error.`,
    ]);
    expect(lines).toContain('  (check stopped: see the problems below)');
  });

  it('names each read AWS refuses (action, resource, role) and goes on with the others', async () => {
    const state = demoState();
    const denied = (action: string) =>
      `User: arn:aws:sts::123456789012:assumed-role/gl/greenlight is not authorized to perform: ${action}`;
    state.failNext(
      'DescribeTargetHealth',
      'AccessDenied',
      denied('elasticloadbalancing:DescribeTargetHealth'),
    );
    state.failNext('DescribeTags', 'AccessDenied', denied('elasticloadbalancing:DescribeTags'));
    const role = 'arn:aws:iam::123456789012:role/gl';
    const { problems, lines } = await checkConfig(
      { services: { checkout: demoConfig().services.checkout as ServiceConfig } },
      portOf(state),
      { as: role },
    );
    expect(problems).toEqual([
      `checkout: elasticloadbalancing:DescribeTargetHealth on ${DEMO.checkout.blueArn} is denied to ${role} (AccessDenied).`,
      `checkout: elasticloadbalancing:DescribeTags on ${DEMO.checkout.blueArn}, ${DEMO.checkout.greenArn} is denied to ${role} (AccessDenied).`,
    ]);
    // The reads after the refused ones were made: the other slot's health, the rules, the live slot.
    expect(lines).toContain('  slot green (checkout-green): 2/2 healthy');
    expect(lines).toContain('  live now: blue');
    expect(lines).not.toContain('  (check stopped: see the problems below)');
  });
});

describe('runCheckConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gl-check-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const yaml = [
    'services:',
    '  checkout:',
    '    channel: C0DEPLOYS',
    `    listeners: [${DEMO.checkout.listenerArn}]`,
    '    slots:',
    `      blue: ${DEMO.checkout.blueArn}`,
    `      green: ${DEMO.checkout.greenArn}`,
    '    approvers:',
    '      users: [U0APPROVER]',
    '',
  ].join('\n');

  async function run(text: string, env: Record<string, string>, state?: FakeElbState) {
    const path = join(dir, `c${Math.random().toString(16).slice(2)}.yml`);
    writeFileSync(path, text);
    const out: string[] = [];
    const deps = { env, print: (l: string) => out.push(l), ...(state ? { elb: () => portOf(state) } : {}) };
    const code = await runCheckConfig([path], deps);
    return { code, out: out.join('\n') };
  }

  it('validates the file alone when AWS is not configured', async () => {
    const { code, out } = await run(yaml, {});
    expect(code).toBe(0);
    expect(out).toMatch(/AWS checks skipped/);
  });

  it('prints every problem of an invalid file and exits 1', async () => {
    const { code, out } = await run(yaml.replace('C0DEPLOYS', 'deploys').replace('U0APPROVER', 'bob'), {});
    expect(code).toBe(1);
    expect(out).toMatch(/2 problems/);
  });

  it('checks AWS when a region is set and exits 1 on a problem', async () => {
    const state = demoState();
    expect((await run(yaml, { AWS_REGION: 'us-east-1' }, state)).code).toBe(0);
    state.failNext('DescribeTargetGroups', 'TargetGroupNotFound', 'gone');
    const { code, out } = await run(yaml, { AWS_DEFAULT_REGION: 'us-east-1' }, state);
    expect(code).toBe(1);
    expect(out).toMatch(/slot blue target group .* does not exist/);
    expect(out).not.toMatch(/\n\s+at /);
  });
});
