/**
 * `/deploy` ack latency: signed slash-command POSTs, a fixed number in flight, against
 * Greenlight's web role and against a bare Bolt app that only acks. Each server runs in its own
 * child process (bench/ack-server.ts); the load generator stays here. Every Greenlight request
 * names a different service, so each one takes the full path (parse, authorize, create with
 * lock, enqueue the precheck) and none is refused as busy.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startFakeSlackApi } from '../sandbox/fake-slack-api.js';
import { signSlackRequest } from '../sandbox/slack-signing.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { slashCommandBody } from '../test/helpers/slack-requests.js';
import type { AckServerKind, AckServerOptions } from './ack-server.js';
import {
  BENCH_BOT_TOKEN,
  BENCH_CHANNEL,
  BENCH_GROUP,
  BENCH_SIGNING_SECRET,
  BENCH_USERS,
  serviceName,
} from './bench-config.js';
import { type Summary, summarize } from './stats.js';

export interface AckOptions {
  /** Measured requests per server. */
  requests: number;
  /** Warm-up requests per server (not measured). */
  warmup: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Measured requests are sent in this many alternating rounds (ours, bare, bare, ours, …). */
  rounds: number;
}

export interface AckServerResult {
  latency: Summary;
  /** Responses that were not HTTP 200 with the expected body. */
  failures: number;
  firstFailure?: string;
}

export interface AckResult {
  options: AckOptions;
  services: number;
  greenlight: AckServerResult;
  bare: AckServerResult;
}

interface Server {
  kind: AckServerKind;
  url: string;
  child: ChildProcess;
}

const SERVER_ENTRY = fileURLToPath(new URL('./ack-server.ts', import.meta.url));

function startServer(kind: AckServerKind, opts: AckServerOptions): Promise<Server> {
  // BENCH_CPU_PROF=<dir>: V8 CPU profiles of each server in <dir>/<kind>/ (one per thread; the
  // largest is the main thread). Open them in Chrome DevTools.
  const prof = process.env.BENCH_CPU_PROF;
  const child = fork(SERVER_ENTRY, [kind, JSON.stringify(opts)], {
    execArgv: ['--import', 'tsx', ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}/${kind}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} server did not start within 30 s`)), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} server exited with code ${code} before it was ready`));
    });
    child.on('message', (m: unknown) => {
      const msg = m as { type?: string; port?: number };
      if (msg.type !== 'ready' || typeof msg.port !== 'number') return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ kind, url: `http://127.0.0.1:${msg.port}/slack/events`, child });
    });
  });
}

function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    const timer = setTimeout(() => {
      server.child.kill('SIGKILL');
      resolve();
    }, 5_000);
    server.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    server.child.send({ type: 'stop' });
  });
}

interface Outcome {
  ms: number;
  ok: boolean;
  detail: string;
}

async function post(url: string, body: string, expect: RegExp | null): Promise<Outcome> {
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = signSlackRequest(BENCH_SIGNING_SECRET, timestamp, body);
  const start = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature,
    },
    body,
  });
  const text = await res.text();
  const ms = performance.now() - start;
  const ok = res.status === 200 && (expect === null || expect.test(text));
  return { ms, ok, detail: `HTTP ${res.status}: ${text.slice(0, 200)}` };
}

/** Sends every body with `concurrency` requests in flight; returns the outcomes in send order. */
async function load(url: string, bodies: readonly string[], concurrency: number, expect: RegExp | null) {
  const out: Outcome[] = new Array(bodies.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < bodies.length; i = next++) {
      out[i] = await post(url, bodies[i] as string, expect).catch(
        (err: unknown): Outcome => ({ ms: Number.NaN, ok: false, detail: String(err) }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, lane));
  return out;
}

export async function runAckLatency(opts: AckOptions): Promise<AckResult> {
  const services = opts.warmup + opts.requests;
  const redis = await startRedis();
  const slack = await startFakeSlackApi({ token: BENCH_BOT_TOKEN });
  slack.setUsergroupMembers(BENCH_GROUP, [BENCH_USERS.sre]);
  const serverOpts: AckServerOptions = {
    slackApiUrl: slack.url,
    redisUrl: redis.url,
    services,
    prefix: `bench${randomBytes(3).toString('hex')}`,
  };
  const servers: Server[] = [];
  try {
    // One after the other: two cold starts at once would only slow both down.
    servers.push(await startServer('greenlight', serverOpts));
    servers.push(await startServer('bare', serverOpts));
    const [ours, bare] = servers as [Server, Server];

    // Bodies are built up front (the fixture is read from disk); each is signed when sent.
    const bodies = Array.from({ length: services }, (_, i) =>
      slashCommandBody({
        text: `${serviceName(i)} green`,
        userId: BENCH_USERS.requester,
        channelId: BENCH_CHANNEL,
        responseUrl: slack.responseUrl(`bench${i}`),
      }),
    );
    const accepted = /requested/;
    const warm = bodies.slice(0, opts.warmup);
    await load(ours.url, warm, opts.concurrency, accepted);
    await load(bare.url, warm, opts.concurrency, null);

    const measured = { greenlight: [] as Outcome[], bare: [] as Outcome[] };
    const perRound = Math.ceil(opts.requests / opts.rounds);
    for (let r = 0; r < opts.rounds; r++) {
      const chunk = bodies.slice(opts.warmup + r * perRound, opts.warmup + (r + 1) * perRound);
      if (chunk.length === 0) break;
      // Alternate which server goes first, so drift (GC, JIT, Redis growth) hits both alike.
      const order: Server[] = r % 2 === 0 ? [ours, bare] : [bare, ours];
      for (const s of order) {
        const outcomes = await load(
          s.url,
          chunk,
          opts.concurrency,
          s.kind === 'greenlight' ? accepted : null,
        );
        measured[s.kind].push(...outcomes);
      }
    }
    const result = (outcomes: Outcome[]): AckServerResult => {
      const failed = outcomes.filter((o) => !o.ok);
      return {
        latency: summarize(outcomes.filter((o) => o.ok).map((o) => o.ms)),
        failures: failed.length,
        ...(failed[0] ? { firstFailure: failed[0].detail } : {}),
      };
    };
    return { options: opts, services, greenlight: result(measured.greenlight), bare: result(measured.bare) };
  } finally {
    for (const s of servers) await stopServer(s);
    await slack.close();
    await redis.stop();
  }
}
