#!/usr/bin/env node
// Makes sure the system programs a command needs are installed, before it runs:
//   start (the sandbox, when SLACK_BOT_TOKEN and REDIS_URL are unset): redis-server
//   test: redis-server (integration and end-to-end tests) and chromium (the sandbox browser test)
// On Debian/Ubuntu as root (or with sudo) it installs Debian's packages; elsewhere it says how.
import { execFileSync, spawnSync } from 'node:child_process';

const purpose = process.argv[2] ?? 'test';
if (purpose === 'start' && (process.env.SLACK_BOT_TOKEN || process.env.REDIS_URL)) process.exit(0);

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const wanted = [
  {
    cmd: 'redis-server',
    packages: ['redis-server'],
    hint: 'Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis',
    required: true,
  },
  ...(purpose === 'test'
    ? [
        {
          cmd: 'chromium',
          packages: ['chromium', 'fonts-noto-color-emoji'],
          hint: 'Debian: apt-get install chromium (the browser test is skipped without it)',
          required: false,
        },
      ]
    : []),
];
const missing = wanted.filter((w) => !has(w.cmd));
if (missing.length === 0) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (has('apt-get') && (isRoot || has('sudo'))) {
  const packages = missing.flatMap((m) => m.packages);
  console.error(`greenlight: installing Debian packages for npm ${purpose}: ${packages.join(' ')}`);
  const run = (args) =>
    execFileSync(isRoot ? args[0] : 'sudo', isRoot ? args.slice(1) : args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  try {
    run(['apt-get', 'update', '-qq']);
    run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages]);
  } catch {
    // fall through: say what is still missing
  }
}
let failed = false;
for (const m of missing.filter((w) => !has(w.cmd))) {
  console.error(`greenlight: ${m.cmd} is not installed (${m.hint}).`);
  if (m.required) failed = true;
}
process.exit(failed ? 1 : 0);
