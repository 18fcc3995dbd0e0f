import { describe, expect, it } from 'vitest';
import { fakeElbClient } from '../../sandbox/fake-elb/client.js';
import { DEMO, demoState } from '../../sandbox/fake-elb/demo.js';
import { renderPanel } from '../../sandbox/page/panel.js';
import { SANDBOX_CONFIG } from '../../sandbox/sandbox.js';
import { awsView } from '../../sandbox/sandbox-aws-view.js';
import { TrafficModel } from '../../sandbox/traffic-model.js';
import { createElbAdapter } from '../../src/aws/elb-sdk-adapter.js';
import { ensurePreviewRules } from '../../src/aws/preview-rules.js';
import { loadConfigFile } from '../../src/config/load-config.js';
import type { ServiceConfig } from '../../src/domain/service.js';

const loaded = loadConfigFile(SANDBOX_CONFIG, { simulatedMetrics: true });
if (!loaded.ok) throw new Error(loaded.problems.join('; '));
const config = loaded.config;

describe('the sandbox panel’s view of the simulated load balancer', () => {
  it('shows preview rules as test-only forwards that send no traffic, and marks them in the page', async () => {
    const state = demoState();
    await ensurePreviewRules(
      createElbAdapter(fakeElbClient(state, { maxAttempts: 1 })),
      config.services['checkout'] as ServiceConfig,
    );
    const view = awsView({ state, config, traffic: new TrafficModel(state), now: 0 });
    const previews = view.forwards.filter((f) => f.testOnly);
    expect(previews.map((f) => [f.rule, f.conditions])).toEqual([
      ['1', 'header X-Greenlight-Slot: checkout/blue'],
      ['2', 'header X-Greenlight-Slot: checkout/green'],
    ]);
    const green = view.targetGroups.find((g) => g.arn === DEMO.checkout.greenArn);
    expect(green).toMatchObject({ receivesTraffic: false, requestsPerSecond: 0 });
    const html = renderPanel({ aws: view, jobs: [] });
    expect(html.match(/class="forward preview"/g)).toHaveLength(2);
  });
});
