/**
 * The operator metrics as a running bot serves them on OPS_PORT: wired by src/runtime.ts (the
 * configured services, the AWS clients' middleware, the Slack client, the worker), scraped over HTTP.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, startRig, USERS } from '../helpers/e2e-harness.js';
import { seriesValue } from '../helpers/metrics.js';
import { waitUntil } from '../helpers/wait.js';

const packageVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('GET /metrics on a running bot', () => {
  let rig: Rig;
  const scrape = async () => (await fetch(`${rig.opsUrl}/metrics`)).text();
  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(async () => {
    rig.slack.outage(null);
    await rig.close();
  });

  it('tells the running version, and starts every configured service at 0 rollbacks and breaches', async () => {
    const body = await scrape();
    expect(seriesValue(body, `greenlight_build_info{version="${packageVersion}"}`)).toBe(1);
    expect(seriesValue(body, 'greenlight_rollbacks_total{service="checkout",cause="auto_soak"}')).toBe(0);
    expect(seriesValue(body, 'greenlight_gate_breaches_total{service="checkout",gate="error_rate"}')).toBe(0);
    expect(seriesValue(body, 'greenlight_hook_calls_total{hook="beforeTeardown",outcome="failed"}')).toBe(0);
  });

  it('counts an AWS error and a Slack error of a real deployment, and the lag of the job that ran', async () => {
    // The bot's clients do not retry (the harness's), so one Throttling answer is a failed call.
    rig.aws.elb.failNext('DescribeTargetHealth', 'Throttling', 'Rate exceeded');
    rig.slack.outage(503); // the status card cannot be posted until Slack is back
    await rig.slash('checkout green', USERS.requester);

    const failed = await waitUntil(
      async () => {
        const body = await scrape();
        return seriesValue(
          body,
          'greenlight_slack_api_errors_total{method="chat.postMessage",error="http_503"}',
        )
          ? body
          : undefined;
      },
      // A job retry (1 s) and the Slack client's own retries (1 s + 2 s) come first; a busy machine is slower.
      { what: 'the refused chat.postMessage in /metrics', timeoutMs: 45_000 },
    );
    rig.slack.outage(null);
    expect(
      seriesValue(
        failed,
        'greenlight_aws_errors_total{service="elasticloadbalancing",operation="DescribeTargetHealth",code="Throttling"}',
      ),
    ).toBe(1);
    expect(
      seriesValue(
        failed,
        'greenlight_aws_throttled_requests_total{service="elasticloadbalancing",operation="DescribeTargetHealth"}',
      ),
    ).toBe(1);
    // The precheck job that made both calls was observed as it started.
    expect(
      seriesValue(failed, 'greenlight_job_lag_seconds_count{job_name="precheck"}'),
    ).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
