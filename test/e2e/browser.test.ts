/**
 * The sandbox as a user meets it: `npm start`'s entry point with no Slack token, the page opened
 * in headless Chromium (Debian's `chromium`, driven by playwright-core). The requester types
 * `/deploy checkout green`, the approver approves through the confirm dialog, the simulated
 * listener sends checkout's traffic to green and the thread shows the verification and the
 * traffic verdict (Drained); then Rollback brings the traffic back to blue. Screenshots go to
 * test-output/ on every run; docs/sandbox.png (mid-cutover, for the README) only with
 * UPDATE_SCREENSHOTS=1. Without /usr/bin/chromium the test is skipped — except in CI (CI=true),
 * which installs it, where a missing browser fails the run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/redis-server.js';
import { waitUntil } from '../helpers/wait.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, 'test-output');
const DOCS_SHOT = join(ROOT, 'docs', 'sandbox.png');
const hasChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';
const MISSING = `${CHROMIUM} is missing (apt-get install chromium; CI's .ci/run installs it)`;
if (!hasChromium && !inCi) console.warn(`browser test skipped: ${MISSING}`);

/** The verification's head line, exactly (not "…not verified…"), and the traffic verdict. */
const VERIFIED = /^✅ Verified: checkout: blue → green — all traffic is configured to go to green\.$/;
const DRAINED = /^✅ Drained( at \d\d:\d\d UTC)?: blue got .+ for a full period — traffic left it\.$/;

interface Forward {
  port: number;
  rule: string;
  weights: { name: string; weight: number }[];
}

/** Starts `tsx src/main.ts` as `npm start` would, with no Slack token; resolves with the page URL. */
/** The sandbox process, known as soon as it is spawned so that it is stopped even if it fails to start. */
let child: ChildProcess | undefined;

async function stopSandbox(): Promise<void> {
  const proc = child;
  child = undefined;
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM'); // tsx passes it on; the sandbox stops its redis-server and servers
  await exited;
}

async function startSandbox(): Promise<{ url: string; logs: string[] }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(await freePort()), LOG_LEVEL: 'info' };
  for (const name of Object.keys(env))
    if (name.startsWith('SLACK_') || name === 'REDIS_URL') delete env[name];
  const proc = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  const logs: string[] = [];
  let buffer = '';
  proc.stdout?.on('data', (d: Buffer) => {
    buffer += d.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    logs.push(...lines.filter((l) => l.startsWith('{')));
  });
  const errors: string[] = [];
  proc.stderr?.on('data', (d: Buffer) => errors.push(d.toString().trim()));
  await waitUntil(() => logs.some((l) => l.includes('greenlight started')) || proc.exitCode !== null, {
    timeoutMs: 30_000,
    what: 'the sandbox to start',
  });
  const first = JSON.parse(logs[0] ?? '{}') as { msg?: string; page?: string };
  if (!first.page) throw new Error(`the sandbox did not start:\n${[...logs, ...errors].join('\n')}`);
  // The first line a person sees is the URL (no SDK notice before it), and where it listens.
  expect(first.msg).toMatch(
    /^Greenlight sandbox: open http:\/\/127\.0\.0\.1:\d+ — .*; listening on 127\.0\.0\.1 only$/,
  );
  expect(errors.join('\n')).not.toContain('NodeVersionSupportWarning');
  return { url: first.page, logs };
}

async function checkoutWeights(url: string): Promise<Record<string, number>> {
  const res = await fetch(`${url}/sandbox/api/aws`);
  const { forwards } = (await res.json()) as { forwards: Forward[] };
  const f = forwards.find((x) => x.port === 443 && x.rule === 'default');
  return Object.fromEntries((f?.weights ?? []).map((w) => [w.name, w.weight]));
}

async function as(page: Page, userId: string): Promise<void> {
  await page.locator(`#people label:has(input[value="${userId}"])`).click();
  await page.locator(`#people label.active:has(input[value="${userId}"])`).waitFor();
}

async function confirmDialog(page: Page, title: string): Promise<void> {
  const dialog = page.locator('#confirm');
  await dialog.waitFor({ state: 'visible' });
  expect(await page.locator('#confirm-title').textContent()).toBe(title);
  await page.locator('#confirm-yes').click();
  await dialog.waitFor({ state: 'hidden' });
}

describe.skipIf(!hasChromium && !inCi)('the sandbox page in a real browser', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    if (!hasChromium) throw new Error(`CI=true but ${MISSING}`);
    mkdirSync(OUT, { recursive: true });
    sandbox = await startSandbox();
    profile = mkdtempSync(join(tmpdir(), 'greenlight-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1600, height: 1000 },
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close().catch(() => {});
    if (profile) rmSync(profile, { recursive: true, force: true });
    await stopSandbox();
  }, 30_000);

  it('requests, approves, verifies and rolls back a cutover of checkout from the page', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(sandbox.url);
    await page.locator('#people input').first().waitFor({ state: 'attached' });
    await as(page, 'U0REQUESTER');

    await page.locator('#composer-input').pressSequentially('/deploy checkout green');
    await page.keyboard.press('Enter');
    const ack = page.locator('#messages .msg.ephemeral', { hasText: 'requested' });
    await ack.waitFor();
    const approve = page.locator('#thread button[data-action-id="gl_approve"]');
    await approve.waitFor({ timeout: 20_000 });
    expect(await checkoutWeights(sandbox.url)).toEqual({ 'checkout-blue': 1, 'checkout-green': 0 });

    await as(page, 'U0APPROVER');
    await ack.waitFor({ state: 'detached' }); // the requester's ephemeral is not the approver's
    await approve.click();
    await confirmDialog(page, 'Approve cutover?');

    await page.locator('#thread .section-text', { hasText: VERIFIED }).waitFor({ timeout: 30_000 });
    const switched = await checkoutWeights(sandbox.url);
    expect(switched['checkout-green']).toBeGreaterThan(0);
    expect(switched['checkout-blue'] ?? 0).toBe(0);
    await page.locator('.forward:not(.preview) .wlabel.on', { hasText: 'checkout-green 100%' }).waitFor();
    await page.locator('#thread .section-text', { hasText: DRAINED }).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(OUT, 'sandbox-mid-cutover.png') });
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      mkdirSync(join(ROOT, 'docs'), { recursive: true });
      await page.screenshot({ path: DOCS_SHOT });
    }

    await page.locator('#messages button[data-action-id="gl_rollback"]').click();
    await confirmDialog(page, 'Roll back?');
    await waitUntil(async () => ((await checkoutWeights(sandbox.url))['checkout-blue'] ?? 0) > 0, {
      timeoutMs: 20_000,
      what: 'checkout traffic back on blue',
      last: () => checkoutWeights(sandbox.url),
    });
    expect((await checkoutWeights(sandbox.url))['checkout-green'] ?? 0).toBe(0);
    await page.locator('#messages .msg', { hasText: 'rolled back' }).waitFor({ timeout: 20_000 });
    await page.locator('.forward:not(.preview) .wlabel.on', { hasText: 'checkout-blue 100%' }).waitFor();
    await page.screenshot({ path: join(OUT, 'sandbox-rolled-back.png') });

    // What a person types is text, never markup: a date token out of range shows literally and
    // the channel keeps rendering everything else.
    const hostile = '<!date^99999999999999^x|y> & <b>bold</b>';
    await page.locator('#composer-input').fill(hostile);
    await page.keyboard.press('Enter');
    await page.locator('#messages .msg .section-text', { hasText: hostile }).waitFor();
    await page.locator('#messages .msg', { hasText: 'rolled back' }).waitFor({ timeout: 5_000 });
    expect(errors).toEqual([]);
  }, 180_000);
});
