/**
 * What `npm start` needs from the local sandbox. `sandbox/sandbox.ts` implements it, and it is
 * loaded with a dynamic import only when no Slack token is set, so the product's build (`dist/`,
 * the image) contains no simulator code.
 */
import type { Queue } from 'bullmq';
import type { Clock } from './app/clock.js';
import type { Env, Role } from './config/env.js';
import type { GreenlightConfig } from './domain/service.js';
import type { Logger } from './ops/logger.js';

export interface LocalSandbox {
  /** The bot's settings in the sandbox: its receiver on a free port of 127.0.0.1, role `all`. */
  env: Pick<
    Env,
    'slackBotToken' | 'slackSigningSecret' | 'slackApiUrl' | 'mode' | 'port' | 'opsPort' | 'role'
  >;
  config: GreenlightConfig;
  redisUrl: string;
  /** The bot's receiver listens on this address only. */
  listenHost: string;
  /** The bot's Redis keys and queue live apart from production's. */
  prefix: string;
  /** The page: http://127.0.0.1:PORT (or the next free port). */
  url: string;
  port: number;
  /** The simulated world's clock: fast-forward moves the bot too. */
  clock: Clock;
  /** Hands the running bot to the page; returns the page's port. */
  attach(bot: { port?: number; opsPort: number; queue: Queue }): number;
  close(): Promise<void>;
}

export interface LocalSandboxOptions {
  log: Logger;
  redisUrl?: string;
  /** The page's port (the next free one if it is taken). */
  port: number;
  /** The page's address (SANDBOX_HOST); default 127.0.0.1, this machine only. */
  host?: string;
  /** GREENLIGHT_ROLE as given: anything but `all` is overridden (and said so). */
  role?: Role;
}

export interface LocalSandboxModule {
  startSandbox(opts: LocalSandboxOptions): Promise<LocalSandbox>;
}
