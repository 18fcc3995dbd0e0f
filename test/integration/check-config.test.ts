import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkConfigFile, useCheckConfigAws } from '../helpers/check-config-run.js';

/** A greenlight.yml with checkout on the demo load balancer, `extra` lines under it. */
const configFile = (extra: string[]) => checkConfigFile([{ name: 'checkout', lines: extra }]);

describe('npm run check-config against AWS (the local endpoint, through the real SDK)', () => {
  const { run } = useCheckConfigAws((aws) => {
    aws.ecs.addService('shop', 'checkout-blue', { desired: 2 });
    aws.traffic.setAlarm('checkout-5xx', 'OK');
  });

  it('says which slot is live and that the compute, alarms and hook secret are in place', async () => {
    const path = configFile([
      'compute: { blue: { ecs: { cluster: shop, service: checkout-blue } } }',
      'gates: { alarms: [checkout-5xx] }',
      'hooks: { secretEnv: CHECK_HOOK_SECRET, beforeCutover: "https://hooks.example.com/freeze" }',
    ]);
    const secret = 's3cret-0123456789abcdef0123456789abcdef';
    const { code, text } = await run(path, { CHECK_HOOK_SECRET: secret });
    expect(text).toMatch(/live/i);
    expect(text).toContain('ECS shop/checkout-blue desired 2');
    expect(text).toContain('alarm checkout-5xx: OK');
    expect(text).not.toContain('s3cret');
    expect(code).toBe(0);
  });

  it('refuses an empty or short hook secret, naming the variable but never the value', async () => {
    const path = configFile([
      'hooks: { secretEnv: CHECK_HOOK_SECRET, afterCutover: "https://hooks.example.com/after" }',
    ]);
    const empty = await run(path, { CHECK_HOOK_SECRET: '' });
    expect(empty.code).toBe(1);
    expect(empty.text).toContain('CHECK_HOOK_SECRET (hooks.secretEnv) is empty');
    const short = await run(path, { CHECK_HOOK_SECRET: 'hunter2' });
    expect(short.code).toBe(1);
    expect(short.text).toContain('is too short: 7 characters, at least 32');
    expect(short.text).not.toContain('hunter2');
  });

  it('checks the events webhook’s signing secret, naming the variable but never the value', async () => {
    const path = configFile([]);
    writeFileSync(
      path,
      `events: { url: "https://audit.example.com/greenlight", secretEnv: CHECK_EVENTS_SECRET }\n${readFileSync(path, 'utf8')}`,
    );
    const unset = await run(path, { CHECK_EVENTS_SECRET: undefined });
    expect(unset.code).toBe(1);
    expect(unset.text).toContain('CHECK_EVENTS_SECRET (events.secretEnv) is not set');
    const short = await run(path, { CHECK_EVENTS_SECRET: 'whsec_c2hvcnQ=' });
    expect(short.code).toBe(1);
    expect(short.text).not.toContain('c2hvcnQ');
    const good = await run(path, { CHECK_EVENTS_SECRET: `whsec_${Buffer.alloc(32, 7).toString('base64')}` });
    expect(good.text).not.toContain('events.secretEnv');
    expect(good.code).toBe(0);
  });

  it('names every missing piece and exits non-zero', async () => {
    const path = configFile([
      'compute: { blue: { ecs: { cluster: shop, service: gone } }, green: { autoScalingGroup: nope } }',
      'gates: { alarms: [no-such-alarm] }',
      'hooks: { secretEnv: UNSET_HOOK_SECRET, afterCutover: "https://hooks.example.com/after" }',
    ]);
    const { code, text } = await run(path);
    expect(code).toBe(1);
    expect(text).toContain('services.checkout.compute.blue: ECS service shop/gone does not exist.');
    expect(text).toContain('services.checkout.compute.green: Auto Scaling group nope does not exist.');
    expect(text).toContain('CloudWatch alarm "no-such-alarm" does not exist');
    expect(text).toContain('UNSET_HOOK_SECRET (hooks.secretEnv) is not set');
  });
});
