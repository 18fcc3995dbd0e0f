/**
 * The fault-and-load run (`npm run chaos`; a smaller one runs in the tests). Three Greenlight
 * processes (one web, two workers) share one Redis with AOF and one simulated ALB carrying many
 * services, while deployments run and the run injects faults: SIGKILLs of any process at random
 * points, Redis restarts, AWS throttling / 5xx / hung calls, Slack 429 and 5xx outages.
 *
 * Each deployment's clicks say where it must end: Approve then nothing → `done` (torn down at the
 * end of its soak); Approve then Rollback during the soak → `rolled_back`; Cancel → `cancelled`.
 * The invariants checked at the end are listed in `checkInvariants`.
 */
import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type FakeSlackApi, startFakeSlackApi } from '../sandbox/fake-slack-api.js';
import { type LocalAws, startLocalAws } from '../sandbox/local-aws.js';
import { freePort, type RedisProcess, startRedis } from '../sandbox/redis-process.js';
import { blockActionsForm, postToSlackEndpoint, slashCommandForm } from '../sandbox/slack-payloads.js';
import type { Deployment } from '../src/domain/deployment.js';
import type { State } from '../src/domain/states.js';
import { decodeActionValue } from '../src/messages/action-ids.js';
import { renderReason } from '../src/messages/reasons.js';
import { QUEUE_NAME } from '../src/queue/queue.js';
import { DeploymentStore } from '../src/store/deployment-store.js';
import { buttonsOf } from '../test/helpers/slack-inspect.js';
import { type BotProcess, startBotProcess } from './processes.js';
import { buildWorld, type ChaosService } from './world.js';

export interface ChaosOptions {
  services: number;
  deployments: number;
  /** Soak of every deployment (a duration string of the config). */
  soak: string;
  killEveryMs: number;
  redisRestartEveryMs: number;
  awsFaultEveryMs: number;
  slackOutageEveryMs: number;
  slackOutageMs: number;
  /** Delayed teardown jobs seeded beside the run's own (the queue's load). */
  pendingSoaks: number;
  /** The whole run gives up after this long (a violation). */
  timeoutMs: number;
  log?: (line: string) => void;
}

export const FULL_RUN: ChaosOptions = {
  services: 200,
  deployments: 50,
  // Long enough for the driver to find and click Rollback during the soak while 50 deployments
  // verify at once under Slack outages (with 20 s, some soaks ended before the click came).
  soak: '60s',
  killEveryMs: 6_000,
  redisRestartEveryMs: 45_000,
  // Every ~1 s one AWS call fails or hangs: all 200 services share two listeners (a rule each);
  // a hang inside a switch holds up only the services whose forwards it locked.
  awsFaultEveryMs: 1_000,
  slackOutageEveryMs: 25_000,
  slackOutageMs: 4_000,
  pendingSoaks: 10_000,
  timeoutMs: 15 * 60_000,
};

export interface ProcessMemory {
  name: string;
  rssMb: number;
  peakMb: number;
}

export interface ChaosReport {
  faults: Record<string, number>;
  outcomes: Record<string, number>;
  longestSplitMs: number;
  approveToSwitchedMs: number[];
  rollbackToSwitchedMs: number[];
  teardownLatenessMs: number[];
  memory: ProcessMemory[];
  violations: string[];
  durationMs: number;
}

type Expect = 'done' | 'rolled_back' | 'cancelled';

interface Scenario {
  svc: ChaosService;
  expect: Expect;
  deployment?: Deployment;
  error?: string;
}

const TOKEN = 'xoxb-chaos-0000-token';
const SECRET = 'chaos-signing-secret-0123456789abcdef';
const REQUESTER = 'U0REQUESTER';
const APPROVER = 'U0APPROVER';
const PREFIX = 'chaos';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
const between = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo));

/** The slot every forward of a service sends traffic to, or `split`. */
function liveOf(aws: LocalAws, svc: ChaosService): 'blue' | 'green' | 'split' | 'none' {
  const seen = new Set<string>();
  for (const arn of svc.forwards) {
    const w = aws.elb.weightsOf(arn);
    for (const [tg, weight] of Object.entries(w)) {
      if (weight > 0) seen.add(tg === svc.blue ? 'blue' : tg === svc.green ? 'green' : tg);
    }
    if (Object.values(w).filter((x) => x > 0).length !== 1) return 'split';
  }
  if (seen.size === 0) return 'none';
  return seen.size === 1 ? ([...seen][0] as 'blue' | 'green') : 'split';
}

function memoryOf(pid: number | undefined): { rssMb: number; peakMb: number } {
  if (!pid) return { rssMb: 0, peakMb: 0 };
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    return { rssMb: 0, peakMb: 0 };
  }
}

/** Buttons the bot posted, by deployment and action id (indexed as calls arrive). */
class ButtonIndex {
  private seen = 0;
  private readonly buttons = new Map<string, string>();
  constructor(private readonly slack: FakeSlackApi) {}

  find(deploymentId: string, actionId: string): string | undefined {
    const calls = this.slack.calls;
    for (; this.seen < calls.length; this.seen += 1) {
      const call = calls[this.seen];
      if (!call || (call.method !== 'chat.postMessage' && call.method !== 'chat.update')) continue;
      for (const button of buttonsOf(call)) {
        const id = decodeActionValue(button.value)?.deploymentId;
        if (id) this.buttons.set(`${id} ${button.actionId}`, button.value);
      }
    }
    return this.buttons.get(`${deploymentId} ${actionId}`);
  }
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const log = opts.log ?? (() => {});
  const started = Date.now();
  const faults: Record<string, number> = {
    'process SIGKILL': 0,
    'Redis restart': 0,
    'AWS throttling': 0,
    'AWS 5xx': 0,
    'AWS hung call': 0,
    'Slack 429 outage': 0,
    'Slack 5xx outage': 0,
  };
  const violations: string[] = [];
  const world = buildWorld(opts.services, { soak: opts.soak, remindBefore: '5s', verifyWindow: '5s' }, 0.01);
  const redis: RedisProcess = await startRedis({ appendonly: true });
  const aws = await startLocalAws({ elb: world.state, periodMs: 1_000, tickMs: 100 });
  const slack = await startFakeSlackApi({ token: TOKEN });
  const observer = new Redis(redis.url, { maxRetriesPerRequest: 3 });
  observer.on('error', () => {});
  const store = new DeploymentStore(observer, { prefix: `${PREFIX}:` });
  const buttons = new ButtonIndex(slack);
  const all: BotProcess[] = [];
  const live = new Map<string, BotProcess>();
  const webPort = await freePort();
  const start = async (name: string) => {
    const p = await startBotProcess({
      role: name === 'web' ? 'web' : 'worker',
      redisUrl: redis.url,
      awsUrl: aws.url,
      slackUrl: slack.url,
      prefix: PREFIX,
      configYaml: world.configYaml,
      token: TOKEN,
      secret: SECRET,
      ...(name === 'web' ? { port: webPort } : {}),
      // The SDK's default retries (production's), and the logs kept when CHAOS_LOG_DIR is set.
      extraEnv: {
        GL_TEST_AWS_ATTEMPTS: '3',
        ...(process.env.CHAOS_LOG_DIR ? { GL_TEST_LOG: 'warn' } : {}),
      },
      ...(process.env.CHAOS_LOG_DIR
        ? { logFile: `${process.env.CHAOS_LOG_DIR}/${name}-${all.length}.log` }
        : {}),
    });
    all.push(p);
    live.set(name, p);
  };

  // The queue's load: delayed teardowns of soaks that end tomorrow (their records do not exist;
  // when they run they find nothing to do).
  const seedConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const seedQueue = new Queue(QUEUE_NAME, { connection: seedConnection, prefix: PREFIX });
  for (let i = 0; i < opts.pendingSoaks; i += 1_000) {
    const at = Date.now() + 86_400_000;
    await seedQueue.addBulk(
      Array.from({ length: Math.min(1_000, opts.pendingSoaks - i) }, (_, k) => ({
        name: 'teardown',
        data: { deploymentId: `pending-soak-${i + k}`, at },
        opts: { jobId: `teardown-pending-soak-${i + k}-${at}`, delay: 86_400_000, priority: 3 },
      })),
    );
  }
  await seedQueue.close();
  seedConnection.disconnect();

  for (const name of ['web', 'worker-a', 'worker-b']) await start(name);
  log(`3 processes up; ${opts.services} services; ${opts.pendingSoaks} pending soaks seeded`);

  // Traffic split watch: every 20 ms, every service's forwards must agree.
  const splitSince = new Map<string, number>();
  let longestSplitMs = 0;
  const waiters: { svc: ChaosService; slot: 'blue' | 'green'; resolve: () => void }[] = [];
  const sampler = setInterval(() => {
    const now = Date.now();
    for (const svc of world.services) {
      const state = liveOf(aws, svc);
      if (state === 'split') {
        if (!splitSince.has(svc.name)) splitSince.set(svc.name, now);
      } else {
        const since = splitSince.get(svc.name);
        if (since !== undefined) longestSplitMs = Math.max(longestSplitMs, now - since);
        splitSince.delete(svc.name);
      }
    }
    for (let i = waiters.length - 1; i >= 0; i -= 1) {
      const w = waiters[i] as (typeof waiters)[number];
      if (liveOf(aws, w.svc) === w.slot) {
        waiters.splice(i, 1);
        w.resolve();
      }
    }
  }, 20);
  const switched = (svc: ChaosService, slot: 'blue' | 'green') =>
    new Promise<void>((resolve) => waiters.push({ svc, slot, resolve }));

  // Requests as Slack sends them, to whichever web process is up (retried while it restarts).
  const refusalsWithoutReason: string[] = [];
  const post = async (body: string): Promise<string> => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const res = await postToSlackEndpoint(`http://127.0.0.1:${webPort}/slack/events`, body, {
          signingSecret: SECRET,
          timeoutMs: 10_000,
        });
        if (res.status === 200) return res.text;
      } catch {
        // the web process is down or restarting
      }
      if (Date.now() - started > opts.timeoutMs) throw new Error('gave up sending a Slack request');
      await sleep(250 + attempt * 50);
    }
  };
  const slash = async (text: string, channel: string, user: string) => {
    const reply = await post(
      slashCommandForm({ text, userId: user, channelId: channel, responseUrl: slack.responseUrl() }),
    );
    if (reply.trim() !== '') {
      const parsed = JSON.parse(reply) as { text?: string };
      if (!parsed.text || parsed.text.trim() === '') refusalsWithoutReason.push(`/deploy ${text}: ${reply}`);
    }
  };
  const click = (actionId: string, value: string, user: string, channel: string) =>
    post(
      blockActionsForm({
        actionId,
        value,
        userId: user,
        channelId: channel,
        messageTs: '1.000',
        responseUrl: slack.responseUrl(),
      }),
    );
  const until = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> => {
    for (;;) {
      const v = await Promise.resolve(probe()).catch(() => undefined);
      if (v !== undefined) return v;
      if (Date.now() - started > opts.timeoutMs) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  };
  const stateOf = (id: string, want: State[]) =>
    until(`${id} to reach ${want.join('/')}`, async () => {
      const d = await store.get(id);
      return d && want.includes(d.state) ? d : undefined;
    });

  const approveToSwitchedMs: number[] = [];
  const rollbackToSwitchedMs: number[] = [];
  const drive = async (sc: Scenario): Promise<void> => {
    const since = Date.now();
    await slash(`${sc.svc.name} green`, sc.svc.channel, REQUESTER);
    const d = await until(`a deployment of ${sc.svc.name}`, async () => {
      const [latest] = await store.listByService(sc.svc.name, 1);
      return latest && latest.createdAt >= since - 1_000 ? latest : undefined;
    });
    sc.deployment = d;
    const waiting = await stateOf(d.id, ['awaiting_approval', 'blocked', 'failed']);
    if (waiting.state !== 'awaiting_approval') return;
    if (sc.expect === 'cancelled') {
      await slash(`cancel ${sc.svc.name}`, sc.svc.channel, REQUESTER);
      await stateOf(d.id, ['cancelled']);
      return;
    }
    const approve = await until(`the Approve button of ${d.id}`, () => buttons.find(d.id, 'gl_approve'));
    const clickedAt = Date.now();
    const onGreen = switched(sc.svc, 'green');
    await click('gl_approve', approve, APPROVER, sc.svc.channel);
    const moved = await Promise.race([
      onGreen.then(() => true),
      stateOf(d.id, ['failed', 'expired', 'cancelled']).then(() => false),
    ]);
    if (!moved) return;
    approveToSwitchedMs.push(Date.now() - clickedAt);
    if (sc.expect === 'rolled_back') {
      const soaking = await stateOf(d.id, ['soaking', 'failed', 'rolled_back']);
      if (soaking.state !== 'soaking') return;
      const rollback = await until(`the Rollback button of ${d.id}`, () => buttons.find(d.id, 'gl_rollback'));
      const rollbackAt = Date.now();
      const onBlue = switched(sc.svc, 'blue');
      await click('gl_rollback', rollback, REQUESTER, sc.svc.channel);
      const back = await Promise.race([onBlue.then(() => true), stateOf(d.id, ['failed']).then(() => false)]);
      if (!back) return;
      rollbackToSwitchedMs.push(Date.now() - rollbackAt);
      await stateOf(d.id, ['rolled_back', 'failed']);
      return;
    }
    await stateOf(d.id, ['done', 'failed', 'rolled_back']);
  };

  const chosen = [...world.services].sort(() => Math.random() - 0.5).slice(0, opts.deployments);
  const scenarios: Scenario[] = chosen.map((svc, i) => ({
    svc,
    expect: i % 5 === 0 ? 'cancelled' : i % 5 === 1 || i % 5 === 2 ? 'rolled_back' : 'done',
  }));

  // Faults, until every scenario has finished.
  let running = true;
  const faultLoops: Promise<void>[] = [];
  // The first of each kind comes within half its period: a run always outlasts that (the soak of
  // its `done` deployments alone is longer), so every kind of fault happens in every run however
  // fast the run goes.
  const every = (ms: number, fn: () => Promise<void> | void) =>
    faultLoops.push(
      (async () => {
        for (let first = true; running; first = false) {
          await sleep(first ? between(0, ms / 2) : between(ms / 2, (ms * 3) / 2));
          if (running)
            await Promise.resolve(fn()).catch((err: unknown) => log(`fault failed: ${String(err)}`));
        }
      })(),
    );
  every(opts.killEveryMs, async () => {
    const name = Math.random() < 0.2 ? 'web' : pick(['worker-a', 'worker-b']);
    live.get(name)?.kill();
    faults['process SIGKILL'] = (faults['process SIGKILL'] ?? 0) + 1;
    await sleep(between(300, 1_500));
    await start(name);
  });
  every(opts.redisRestartEveryMs, async () => {
    faults['Redis restart'] = (faults['Redis restart'] ?? 0) + 1;
    await redis.restart();
  });
  const ELB_OPS = [
    'DescribeListeners',
    'DescribeRules',
    'DescribeTargetHealth',
    'DescribeTargetGroups',
    'ModifyRule',
    'CreateRule',
    'DeregisterTargets',
  ];
  // "The next call of X fails (or hangs)": at most one pending per operation, so a rarely called
  // operation is not handed a backlog of failures that would fail it for good.
  every(opts.awsFaultEveryMs, () => {
    const kind = pick(['AWS throttling', 'AWS 5xx', 'AWS hung call', 'AWS throttling']);
    const cloudwatch = Math.random() < 0.2;
    const target = cloudwatch ? aws.traffic : aws.elb;
    const op = cloudwatch ? 'GetMetricData' : pick(ELB_OPS);
    const pending =
      kind === 'AWS hung call'
        ? target.hangs.some((h) => h.operation === op)
        : target.failures.some((f) => f.operation === op);
    if (pending || (cloudwatch && kind === 'AWS hung call')) return;
    faults[kind] = (faults[kind] ?? 0) + 1;
    if (kind === 'AWS hung call') return aws.elb.hangNext(op, between(1_000, 5_000));
    const code =
      kind === 'AWS 5xx' ? (cloudwatch ? 'InternalServiceError' : 'InternalFailure') : 'Throttling';
    target.failNext(op, code);
  });
  every(opts.slackOutageEveryMs, async () => {
    const status = pick([429, 503] as const);
    const kind = status === 429 ? 'Slack 429 outage' : 'Slack 5xx outage';
    faults[kind] = (faults[kind] ?? 0) + 1;
    slack.outage(status);
    await sleep(opts.slackOutageMs);
    slack.outage(null);
  });

  const progress = setInterval(() => {
    const by: Record<string, number> = {};
    void Promise.all(
      scenarios.map(async (sc) => {
        const d = sc.deployment ? await store.get(sc.deployment.id).catch(() => null) : null;
        const k = d?.state ?? 'not yet';
        by[k] = (by[k] ?? 0) + 1;
      }),
    ).then(() => log(`${Math.round((Date.now() - started) / 1000)} s: ${JSON.stringify(by)}`));
  }, 15_000);
  const results = await Promise.allSettled(scenarios.map((sc) => drive(sc)));
  clearInterval(progress);
  results.forEach((r, i) => {
    if (r.status === 'rejected') (scenarios[i] as Scenario).error = String(r.reason);
  });
  running = false;
  await Promise.all(faultLoops);
  slack.outage(null);
  for (const name of ['web', 'worker-a', 'worker-b']) {
    const p = live.get(name);
    if (!p || p.child.exitCode !== null || p.child.signalCode !== null) await start(name);
  }

  // Settle: every record final; then read everything once more.
  const finals: Deployment[] = [];
  for (const sc of scenarios) {
    if (!sc.deployment) continue;
    const d = await stateOf(sc.deployment.id, [
      'done',
      'rolled_back',
      'cancelled',
      'failed',
      'blocked',
      'expired',
    ]).catch(() => undefined);
    if (d) finals.push(d);
  }
  const memory = ['web', 'worker-a', 'worker-b'].map((name) => ({
    name,
    ...memoryOf(live.get(name)?.child.pid),
  }));
  clearInterval(sampler);

  const outcomes: Record<string, number> = {};
  for (const d of finals) outcomes[d.state] = (outcomes[d.state] ?? 0) + 1;
  const teardownLatenessMs = finals
    .filter((d) => d.state === 'done' && d.teardownStartedAt !== undefined && d.teardownAt !== undefined)
    .map((d) => (d.teardownStartedAt as number) - (d.teardownAt as number));

  checkInvariants({
    scenarios,
    finals,
    aws,
    services: world.services,
    splitSince,
    refusalsWithoutReason,
    unhandled: all.reduce((n, p) => n + p.unhandledRejections(), 0),
    violations,
  });

  for (const p of live.values()) await p.stop();
  observer.disconnect();
  await slack.close();
  await aws.close();
  await redis.stop();
  return {
    faults,
    outcomes,
    longestSplitMs,
    approveToSwitchedMs,
    rollbackToSwitchedMs,
    teardownLatenessMs,
    memory,
    violations,
    durationMs: Date.now() - started,
  };
}

interface InvariantInput {
  scenarios: Scenario[];
  finals: Deployment[];
  aws: LocalAws;
  services: ChaosService[];
  splitSince: Map<string, number>;
  refusalsWithoutReason: string[];
  unhandled: number;
  violations: string[];
}

/**
 * 1. Every deployment reaches the state its clicks ask for. 2. No forward ends mixed. 3. No
 * forward is modified twice for one switch (no Modify that changed nothing; per forward, the
 * applied Modify calls are its service's switches plus pairs of switch-and-put-back). 4. No
 * teardown lost: a `done` deployment's old slot has no target left in service. 5. No unhandled
 * rejection in any process. 6. Every refusal has a reason (replies, and every blocked or failed
 * record).
 */
function checkInvariants(x: InvariantInput): void {
  const byId = new Map(x.finals.map((d) => [d.id, d]));
  for (const sc of x.scenarios) {
    const d = sc.deployment ? byId.get(sc.deployment.id) : undefined;
    if (!d) {
      x.violations.push(`${sc.svc.name}: no final deployment (${sc.error ?? 'never recorded'})`);
      continue;
    }
    if (d.state !== sc.expect) {
      x.violations.push(
        `${d.id}: ended ${d.state}, its clicks asked for ${sc.expect} (${d.reason ? renderReason(d.reason) : 'no reason'})`,
      );
    }
    if ((d.state === 'failed' || d.state === 'blocked') && !(d.reason && renderReason(d.reason).trim())) {
      x.violations.push(`${d.id}: ${d.state} without a reason`);
    }
    if (d.state === 'done') {
      const left = x.aws.elb.healthOf(sc.svc.blue).filter((t) => t.health.state !== 'draining');
      if (left.length > 0)
        x.violations.push(`${d.id}: done, but ${left.length} target(s) of blue still registered`);
    }
  }
  for (const svc of x.services) {
    if (liveOf(x.aws, svc) === 'split') x.violations.push(`${svc.name}: forwards end split`);
  }
  const switchesOf = new Map<string, number>();
  for (const d of x.finals) {
    const n = d.history.filter((h) => h.event === 'cutover_succeeded' || h.event === 'rollback_done').length;
    switchesOf.set(d.service, (switchesOf.get(d.service) ?? 0) + n);
  }
  for (const svc of x.services) {
    for (const arn of svc.forwards) {
      const mods = x.aws.elb.modifications.filter((m) => m.arn === arn);
      const noop = mods.filter((m) => JSON.stringify(m.before) === JSON.stringify(m.after));
      if (noop.length > 0)
        x.violations.push(`${svc.name}: ${noop.length} Modify call(s) that changed nothing on ${arn}`);
      const extra = mods.length - (switchesOf.get(svc.name) ?? 0);
      if (extra < 0 || extra % 2 !== 0) {
        const slotOf = (actions: unknown) =>
          JSON.stringify(actions).includes(svc.green) && !JSON.stringify(actions).includes(svc.blue)
            ? 'green'
            : JSON.stringify(actions).includes(svc.blue) && !JSON.stringify(actions).includes(svc.green)
              ? 'blue'
              : 'both';
        const seq = mods.map(
          (m) => `${new Date(m.at).toISOString().slice(11, 23)} ${slotOf(m.before)}→${slotOf(m.after)}`,
        );
        const events = x.finals
          .filter((d) => d.service === svc.name)
          .map(
            (d) =>
              `${d.id} ${d.state}: ${d.history.map((h) => `${new Date(h.at).toISOString().slice(11, 23)} ${h.event}`).join(', ')}`,
          );
        x.violations.push(
          `${svc.name}: ${mods.length} Modify call(s) applied on ${arn} for ${switchesOf.get(svc.name) ?? 0} switch(es) [${seq.join('; ')}] [${events.join(' | ')}]`,
        );
      }
    }
  }
  if (x.unhandled > 0)
    x.violations.push(`${x.unhandled} unhandled promise rejection(s) in the bot processes`);
  for (const r of x.refusalsWithoutReason) x.violations.push(`a reply without a reason: ${r}`);
}

const pct = (values: number[], p: number): string => {
  if (values.length === 0) return '–';
  const sorted = [...values].sort((a, b) => a - b);
  const v = sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
  return `${(v / 1000).toFixed(2)} s`;
};

/** The run's table, as plain text. */
export function formatReport(r: ChaosReport, opts: ChaosOptions): string {
  const rows: [string, string][] = [
    [
      'run',
      `${opts.services} services, ${opts.deployments} deployments, ${(r.durationMs / 1000).toFixed(0)} s`,
    ],
    ...Object.entries(r.faults).map(([k, v]) => [`fault: ${k}`, String(v)] as [string, string]),
    ...Object.entries(r.outcomes).map(([k, v]) => [`outcome: ${k}`, String(v)] as [string, string]),
    ['longest traffic split', `${(r.longestSplitMs / 1000).toFixed(2)} s`],
    ['approve → switched p50 / p99', `${pct(r.approveToSwitchedMs, 50)} / ${pct(r.approveToSwitchedMs, 99)}`],
    [
      'rollback click → switched p50 / p99',
      `${pct(r.rollbackToSwitchedMs, 50)} / ${pct(r.rollbackToSwitchedMs, 99)}`,
    ],
    [
      `teardown lateness p50 / p99 (${opts.pendingSoaks} pending soaks)`,
      `${pct(r.teardownLatenessMs, 50)} / ${pct(r.teardownLatenessMs, 99)}`,
    ],
    ...r.memory.map(
      (m) =>
        [`resident memory: ${m.name}`, `${m.rssMb.toFixed(0)} MB (peak ${m.peakMb.toFixed(0)} MB)`] as [
          string,
          string,
        ],
    ),
    ['invariants', r.violations.length === 0 ? 'all held' : `${r.violations.length} violated`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    `| ${'figure'.padEnd(width)} | value |`,
    `| ${'-'.repeat(width)} | --- |`,
    ...rows.map(([k, v]) => `| ${k.padEnd(width)} | ${v} |`),
    ...r.violations.map((v) => `VIOLATION: ${v}`),
  ].join('\n');
}
