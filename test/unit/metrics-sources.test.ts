/**
 * Where the metrics' label values come from: a hook call's outcome (the real webhook client against
 * a local receiver), a Slack Web API error (the real WebClient against the local Slack API), and a
 * queue job's lag (from the fields BullMQ keeps).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlackApi, startFakeSlackApi } from '../../sandbox/fake-slack-api.js';
import { callWebhook, hookOutcome } from '../../src/hooks/webhook.js';
import { jobLagSeconds } from '../../src/jobs/job-lag.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { CountedWebClient, slackErrorOf } from '../../src/slack/counted-web-client.js';
import { createSlackGateway, createWebClient } from '../../src/slack/gateway.js';
import { seriesValue } from '../helpers/metrics.js';
import { quietSlackLogger } from '../helpers/quiet-logger.js';
import { freePort } from '../helpers/redis-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

describe('hookOutcome: how a hook call ended', () => {
  let receiver: WebhookReceiver;
  let base = '';
  let closedPortUrl = '';
  /** Paths the receiver answers with this status; /hang never answers. */
  const statusOf: Record<string, number> = { '/ok': 204, '/fail': 500, '/forbidden': 403 };

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    receiver.answer((r) =>
      r.path === '/hang' ? { hang: true } : { status: statusOf[r.path] ?? 404, body: 'answer' },
    );
    base = receiver.url;
    closedPortUrl = `http://127.0.0.1:${await freePort()}/hook`;
  });
  afterAll(() => receiver.close());

  const call = (url: string, payload: unknown = { deliveryId: 'd-1' }) =>
    callWebhook({ hook: 'beforeTeardown', url, payload, secret: 's', timeoutMs: 300, retries: 0 });

  it('is ok for a 2xx, failed for any other answer', async () => {
    expect(hookOutcome(await call(`${base}/ok`))).toBe('ok');
    expect(hookOutcome(await call(`${base}/fail`))).toBe('failed');
    expect(hookOutcome(await call(`${base}/forbidden`))).toBe('failed');
  });

  it('is timed_out when no answer came within the timeout, unreachable when nobody listens', async () => {
    expect(hookOutcome(await call(`${base}/hang`))).toBe('timed_out');
    expect(hookOutcome(await call(closedPortUrl))).toBe('unreachable');
  });

  it('is not_called when nothing could be sent', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const result = await call(`${base}/ok`, cyclic);
    expect(result.attempts).toBe(0);
    expect(hookOutcome(result)).toBe('not_called');
  });
});

describe('Slack API errors, counted by the WebClient the gateway uses', () => {
  const TOKEN = 'xoxb-metrics-test-token';
  let slack: FakeSlackApi;
  beforeEach(async () => {
    slack = await startFakeSlackApi({ token: TOKEN });
  });
  afterEach(async () => {
    slack.outage(null);
    await slack.close();
  });

  const quiet = quietSlackLogger;
  const message = { text: 'hello', blocks: [] };

  it("counts a refused call by method and Slack's error, and still throws it", async () => {
    const metrics = createMetrics();
    const gateway = createSlackGateway(createWebClient(TOKEN, slack.url, metrics.slackApiError));
    const ts = await gateway.post('C0CHECKOUT', message);
    await expect(gateway.update('C0CHECKOUT', '1.000001', message)).rejects.toThrow(/message_not_found/);
    await gateway.update('C0CHECKOUT', ts, message);

    const wrongToken = createSlackGateway(createWebClient('xoxb-wrong', slack.url, metrics.slackApiError));
    await expect(wrongToken.post('C0CHECKOUT', message)).rejects.toThrow(/invalid_auth/);

    const { body } = await metrics.render();
    expect(
      seriesValue(body, 'greenlight_slack_api_errors_total{method="chat.update",error="message_not_found"}'),
    ).toBe(1);
    expect(
      seriesValue(body, 'greenlight_slack_api_errors_total{method="chat.postMessage",error="invalid_auth"}'),
    ).toBe(1);
    // Calls that succeeded are not errors.
    expect(body.match(/^greenlight_slack_api_errors_total\{/gm)).toHaveLength(2);
  });

  it('names an HTTP failure, a rate limit that outlasted the retries and a network failure', async () => {
    const seen: [string, string][] = [];
    const client = (url: string) =>
      new CountedWebClient(TOKEN, { slackApiUrl: url, retryConfig: { retries: 0 }, logger: quiet }, (m, e) =>
        seen.push([m, e]),
      );
    slack.outage(503);
    await expect(client(slack.url).chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toThrow();
    slack.outage(429);
    await expect(client(slack.url).chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toThrow();
    slack.outage(null);
    const closed = `http://127.0.0.1:${await freePort()}/api/`;
    await expect(client(closed).usergroups.users.list({ usergroup: 'S1' })).rejects.toThrow();

    expect(seen).toEqual([
      ['chat.postMessage', 'http_503'],
      ['chat.postMessage', 'ratelimited'],
      ['usergroups.users.list', 'request_error'],
    ]);
  });

  it('reads the error of each kind the client throws', () => {
    expect(
      slackErrorOf({ code: 'slack_webapi_platform_error', data: { ok: false, error: 'not_in_channel' } }),
    ).toBe('not_in_channel');
    expect(slackErrorOf({ code: 'slack_webapi_rate_limited_error', retryAfter: 3 })).toBe('ratelimited');
    expect(slackErrorOf(new Error('boom'))).toBe('unknown');
    expect(slackErrorOf('not an error')).toBe('unknown');
  });
});

describe('jobLagSeconds', () => {
  const job = (over: Partial<Parameters<typeof jobLagSeconds>[0]> = {}) => ({
    timestamp: 1_000_000,
    opts: { delay: 30_000 },
    processedOn: 1_030_250,
    attemptsStarted: 1,
    ...over,
  });

  it('is the time from due (created + delay) to started', () => {
    expect(jobLagSeconds(job())).toBe(0.25);
    expect(jobLagSeconds(job({ opts: {}, processedOn: 1_002_000 }))).toBe(2);
  });

  it('is 0 for a job started before it was due (promoted early), never negative', () => {
    expect(jobLagSeconds(job({ processedOn: 1_010_000 }))).toBe(0);
  });

  it('measures only the first start: a retry waits for its backoff on purpose', () => {
    expect(jobLagSeconds(job({ attemptsStarted: 2 }))).toBeUndefined();
    expect(jobLagSeconds(job({ processedOn: undefined }))).toBeUndefined();
  });
});
