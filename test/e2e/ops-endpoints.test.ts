import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, startRig, USERS } from '../helpers/e2e-harness.js';
import { waitUntil } from '../helpers/wait.js';

/** The version package.json declares: what /healthz must report. */
const packageVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('the operations endpoints on their own port (OPS_PORT)', () => {
  let rig: Rig;
  let base: string;
  beforeAll(async () => {
    rig = await startRig();
    base = rig.opsUrl;
  });
  afterAll(async () => {
    await rig.close();
  });

  it('answers /healthz while the process is up, on both ports', async () => {
    for (const at of [base, rig.url.replace('/slack/events', '')]) {
      const res = await fetch(`${at}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok', version: packageVersion });
    }
  });

  it('tells the version in the reply to /deploy help, as /healthz does', async () => {
    const res = await rig.slash('help', USERS.requester);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`Greenlight ${packageVersion}`);
  });

  it('keeps /readyz and /metrics off the public Slack port', async () => {
    const slackPort = rig.url.replace('/slack/events', '');
    expect((await fetch(`${slackPort}/readyz`)).status).toBe(404);
    expect((await fetch(`${slackPort}/metrics`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
  });

  it('exposes Prometheus metrics, including finished deployments by outcome', async () => {
    await rig.slash('checkout green', USERS.requester);
    const d = await rig.latest();
    await rig.waitForState(d.id, 'awaiting_approval');
    await rig.slash('cancel checkout', USERS.requester);
    await rig.waitForState(d.id, 'cancelled');
    const body = await waitUntil(
      async () => {
        const text = await (await fetch(`${base}/metrics`)).text();
        return /greenlight_deployments_total\{[^}]*outcome="cancelled"[^}]*\} 1/.test(text)
          ? text
          : undefined;
      },
      { what: 'the cancelled deployment in /metrics' },
    );
    expect(body).toContain('greenlight_queue_jobs');
    expect(body).toContain('greenlight_pending_teardowns');
    expect(body).toContain('process_cpu_seconds_total');
  });

  it('reports not ready on /readyz once Redis is unreachable, and never leaks a secret', async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    await rig.redis.kill();
    const res = await waitUntil(
      async () => {
        const r = await fetch(`${base}/readyz`);
        return r.status === 503 ? r : undefined;
      },
      { what: '/readyz to say 503' },
    );
    // A fixed body: the Redis error (hosts, ports, users) goes to the log, not to the caller.
    expect(await res.json()).toEqual({ status: 'not ready' });
  });
});
