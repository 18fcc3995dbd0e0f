import type { ChaosOptions } from './chaos.js';

/** The size the test suite runs (2 loaded cores): the same faults, fewer services and deployments. */
export const SMALL_RUN: ChaosOptions = {
  services: 30,
  deployments: 10,
  soak: '12s',
  killEveryMs: 5_000,
  redisRestartEveryMs: 20_000,
  awsFaultEveryMs: 500,
  slackOutageEveryMs: 15_000,
  slackOutageMs: 3_000,
  pendingSoaks: 1_000,
  timeoutMs: 5 * 60_000,
};
