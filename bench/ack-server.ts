/**
 * Child process for the ack benchmark: serves either Greenlight's real web role
 * (`startRuntime`, role 'web') or a bare Bolt app that only acks `/deploy`, so the load
 * generator (the parent) does not share an event loop with the server it measures.
 *
 * argv: `greenlight|bare` and a JSON `AckServerOptions`. Sends `{ type: 'ready', port }` over IPC,
 * stops on `{ type: 'stop' }` (or when the parent goes away).
 */
import './quiet-warnings.js';
import { App, LogLevel } from '@slack/bolt';
import { localAwsClients } from '../sandbox/local-aws.js';
import type { Env } from '../src/config/env.js';
import { createLogger } from '../src/ops/logger.js';
import { startRuntime } from '../src/runtime.js';
import { BENCH_BOT_TOKEN, BENCH_SIGNING_SECRET, benchConfig } from './bench-config.js';

export type AckServerKind = 'greenlight' | 'bare';

export interface AckServerOptions {
  slackApiUrl: string;
  redisUrl: string;
  services: number;
  prefix: string;
}

async function startGreenlight(o: AckServerOptions): Promise<{ port: number; close(): Promise<void> }> {
  const env: Env = {
    mode: 'http',
    role: 'web',
    slackBotToken: BENCH_BOT_TOKEN,
    slackSigningSecret: BENCH_SIGNING_SECRET,
    slackApiUrl: o.slackApiUrl,
    port: 0,
    opsPort: 0,
    redisUrl: o.redisUrl,
    configPath: '(bench)',
    logLevel: 'silent',
  };
  const running = await startRuntime({
    env,
    config: benchConfig(o.services),
    log: createLogger({ level: 'silent' }),
    redisUrl: o.redisUrl,
    // The web role never calls AWS; its clients only have to point somewhere harmless.
    aws: localAwsClients('http://127.0.0.1:9'),
    prefix: o.prefix,
  });
  if (running.port === undefined) throw new Error('the web role did not report its port');
  return { port: running.port, close: () => running.close() };
}

async function startBare(o: AckServerOptions): Promise<{ port: number; close(): Promise<void> }> {
  const app = new App({
    token: BENCH_BOT_TOKEN,
    signingSecret: BENCH_SIGNING_SECRET,
    clientOptions: { slackApiUrl: o.slackApiUrl },
    logLevel: LogLevel.ERROR,
  });
  app.command('/deploy', async ({ ack }) => {
    await ack();
  });
  const server = await app.start(0);
  const address = server && 'address' in server ? server.address() : null;
  if (typeof address !== 'object' || !address) throw new Error('bare Bolt app has no port');
  return { port: address.port, close: () => app.stop().then(() => undefined) };
}

async function main(): Promise<void> {
  const [kind, json] = process.argv.slice(2);
  if ((kind !== 'greenlight' && kind !== 'bare') || !json) {
    throw new Error('usage: ack-server.ts greenlight|bare <options json>');
  }
  const opts = JSON.parse(json) as AckServerOptions;
  const server = kind === 'greenlight' ? await startGreenlight(opts) : await startBare(opts);
  const stop = async () => {
    await server.close().catch(() => {});
    process.exit(0);
  };
  process.on('message', (m: unknown) => {
    if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  process.send?.({ type: 'ready', port: server.port });
}

main().catch((err: unknown) => {
  console.error(`ack-server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
