/**
 * Diagnostic: the CPU every `/deploy` spends before any I/O, as a function of the number of
 * configured services. `handleCommand` with `help` runs exactly the code every command runs
 * first (the per-request service map and the parser's index of it) and returns without touching
 * Redis or Slack, so it can be timed in a loop.
 */
import { performance } from 'node:perf_hooks';
import { handleCommand } from '../src/slack/command-handler.js';
import type { WebContext } from '../src/slack/web-context.js';
import { BENCH_CHANNEL, BENCH_USERS, benchConfig } from './bench-config.js';

export interface CommandCost {
  services: number;
  /** Mean microseconds per `handleCommand` call. */
  microsPerCommand: number;
}

export async function runCommandCost(sizes: readonly number[], calls = 2_000): Promise<CommandCost[]> {
  const out: CommandCost[] = [];
  for (const services of sizes) {
    // `help` needs nothing but the configuration.
    const ctx = { config: benchConfig(services) } as WebContext;
    const input = {
      command: '/deploy',
      text: 'help',
      userId: BENCH_USERS.requester,
      channelId: BENCH_CHANNEL,
    };
    for (let i = 0; i < Math.min(300, calls); i++) await handleCommand(ctx, input);
    const start = performance.now();
    for (let i = 0; i < calls; i++) await handleCommand(ctx, input);
    out.push({ services, microsPerCommand: Math.round(((performance.now() - start) / calls) * 1000) });
  }
  return out;
}
