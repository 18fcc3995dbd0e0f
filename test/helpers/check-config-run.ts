/**
 * `npm run check-config` as the integration tests run it: a greenlight.yml of demo services in a
 * temporary directory, the local AWS endpoint (STS included) started for the file's tests with the
 * process environment pointing the real SDK at it, and `runCheckConfig` with its output collected.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type LocalAws, startLocalAws } from '../../sandbox/local-aws.js';
import { runCheckConfig } from '../../src/check-config.js';
import { type DemoService, demoServiceYaml } from './demo-service-yaml.js';

export interface CheckedService {
  name: string;
  /** Whose load balancer (default: checkout's). */
  demo?: DemoService['demo'];
  /** More lines of the service, under its approvers (indented here). */
  lines?: string[];
}

/** A greenlight.yml with these services (channel C0CHECKOUT, approved by U0APPROVER) in a fresh temporary directory; its path. */
export function checkConfigFile(services: CheckedService[], dirPrefix = 'greenlight-check-'): string {
  const path = join(mkdtempSync(join(tmpdir(), dirPrefix)), 'greenlight.yml');
  const lines = ['services:'];
  for (const s of services) {
    lines.push(
      ...demoServiceYaml({
        name: s.name,
        ...(s.demo ? { demo: s.demo } : {}),
        channel: 'C0CHECKOUT',
        users: ['U0APPROVER'],
      }),
      ...(s.lines ?? []).map((l) => `    ${l}`),
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

export interface CheckConfigRun {
  /** The local AWS endpoint (started before the file's tests). */
  readonly aws: LocalAws;
  /**
   * `check-config <path>` with the process environment, `env` over it, the variables of `unset`
   * left out: its exit code and everything it printed.
   */
  run(
    path: string,
    env?: Record<string, string | undefined>,
    unset?: readonly string[],
  ): Promise<{ code: number; text: string }>;
}

/**
 * Starts the local AWS endpoint before the file's tests (`setup` adds what they need) and points
 * the process environment at it (region us-east-1, static credentials, one attempt per call);
 * restores the environment and stops the endpoint after them.
 */
export function useCheckConfigAws(setup: (aws: LocalAws) => void = () => {}): CheckConfigRun {
  let aws: LocalAws | undefined;
  const saved = { ...process.env };
  beforeAll(async () => {
    aws = await startLocalAws();
    setup(aws);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: aws.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDCHECK',
      AWS_SECRET_ACCESS_KEY: 'check',
      AWS_MAX_ATTEMPTS: '1',
    });
  });
  afterAll(async () => {
    process.env = saved;
    await aws?.close();
  });
  return {
    get aws() {
      if (!aws) throw new Error('the local AWS endpoint is not started (use it inside a test)');
      return aws;
    },
    run: async (path, env = {}, unset = []) => {
      const out: string[] = [];
      const full = { ...process.env, ...env };
      for (const name of unset) delete full[name];
      const code = await runCheckConfig([path], { env: full, print: (l) => out.push(l) });
      return { code, text: out.join('\n') };
    },
  };
}
