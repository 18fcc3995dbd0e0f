#!/usr/bin/env node
// Makes sure `redis-server` is available before `npm start` (sandbox) and `npm test`.
// On Debian/Ubuntu as root it installs Debian's package; elsewhere it says how to get it.
import { execFileSync, spawnSync } from 'node:child_process';

const purpose = process.argv[2] ?? 'this command';
if (purpose === 'start' && (process.env.SLACK_BOT_TOKEN || process.env.REDIS_URL)) process.exit(0);

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
if (has('redis-server')) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (has('apt-get') && (isRoot || has('sudo'))) {
  console.error(
    `greenlight: redis-server is missing; installing Debian's redis-server package for ${purpose}…`,
  );
  const sudo = isRoot ? [] : ['sudo'];
  const run = (args) =>
    execFileSync(sudo[0] ?? args[0], sudo.length ? args : args.slice(1), {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  try {
    run(['apt-get', 'update', '-qq']);
    run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'redis-server']);
    process.exit(0);
  } catch {
    // fall through to the instructions
  }
}
console.error(
  'greenlight: redis-server is not installed. Install it (Debian/Ubuntu: sudo apt-get install redis-server; ' +
    'macOS: brew install redis) or set REDIS_URL to a Redis you run.',
);
process.exit(1);
