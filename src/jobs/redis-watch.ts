/**
 * Watches that Redis keeps what Greenlight wrote (`src/store/redis-durability.ts`) and that AWS
 * has nothing running that Greenlight forgot (`src/jobs/forgotten-scan.ts`).
 *
 * - Every `checkEveryMs`: the sentinel. A changed generation is a data loss: /readyz fails, every
 *   service channel is told once (whichever process gets there first), and AWS is scanned at once,
 *   reporting every slot that runs without traffic. /readyz recovers when that scan has gone
 *   through and at least `lossHoldMs` passed, so probes and orchestrators see the loss (the
 *   `greenlight_redis_data_lost_total` counter keeps it for alerting).
 * - At start and every `settingsEveryMs`: the Redis settings (appendonly, noeviction), logged as an
 *   error and exported as `greenlight_redis_durable` when wrong.
 * - Every `scanEveryMs` (processes that run jobs): the forgotten-environment scan, one process at a
 *   time; slots idle for longer than their soak are reported, once a day each.
 */
import type { Redis } from 'ioredis';
import type { JobContext } from '../app/context.js';
import { errorMessage } from '../errors.js';
import { redisLossMessage } from '../messages/index.js';
import { DataSentinel, readRedisSettings, settingsProblems } from '../store/redis-durability.js';
import { ScanMarks } from '../store/scan-marks.js';
import { scanForgotten } from './forgotten-scan.js';

export interface RedisWatchOptions {
  prefix: string;
  checkEveryMs?: number;
  settingsEveryMs?: number;
  /** 0 or absent: this process does not run the periodic scan (web role). */
  scanEveryMs?: number;
  /**
   * Report every idle slot at once when this process creates the dataset (default true). The
   * sandbox turns it off: its demo load balancer has idle slots on purpose, and every start is new.
   */
  reportNewDataset?: boolean;
  /** GREENLIGHT_REDIS_DURABILITY=managed: durable without appendonly (not reported). */
  managedDurability?: boolean;
  /** /readyz fails at least this long after a detected loss (default 60 s), so probes see it. */
  lossHoldMs?: number;
}

export class RedisWatch {
  readonly sentinel: DataSentinel;
  private readonly marks: ScanMarks;
  /** A loss this process detected that is not handled yet (the generation found after it). */
  private unhandledLoss: string | undefined;
  private lossDetectedAt = Number.NEGATIVE_INFINITY;
  private lastProblems = '';
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly ctx: JobContext,
    private readonly opts: RedisWatchOptions,
  ) {
    this.sentinel = new DataSentinel(redis, `${opts.prefix}:sentinel`);
    this.marks = new ScanMarks(redis, `${opts.prefix}:`);
  }

  /** False from a detected data loss until its scan went through, and for at least `lossHoldMs`. */
  ready(): boolean {
    const held = this.ctx.clock.now() - this.lossDetectedAt < (this.opts.lossHoldMs ?? 60_000);
    return this.unhandledLoss === undefined && !held;
  }

  async start(): Promise<void> {
    await this.checkSentinel().catch((err: unknown) => this.warn('sentinel check failed', err));
    await this.checkSettings().catch((err: unknown) => this.warn('redis settings check failed', err));
    this.every(this.opts.checkEveryMs ?? 10_000, () => this.checkSentinel());
    this.every(this.opts.settingsEveryMs ?? 10 * 60_000, () => this.checkSettings());
    const scanEvery = this.opts.scanEveryMs ?? 0;
    if (scanEvery > 0) {
      this.every(scanEvery, () => this.periodicScan(scanEvery));
      // The first pass soon after start (not in it: start-up must not wait for AWS).
      this.timers.push(setTimeout(() => this.serial(() => this.periodicScan(scanEvery)), 1_000).unref());
    }
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.running.catch(() => {});
  }

  private every(ms: number, fn: () => Promise<void>): void {
    this.timers.push(setInterval(() => this.serial(fn), ms).unref());
  }

  /** One check at a time per process. */
  private serial(fn: () => Promise<void>): void {
    this.running = this.running.then(fn).catch((err: unknown) => this.warn('redis watch failed', err));
  }

  private warn(what: string, err: unknown): void {
    this.ctx.log.warn({ err: errorMessage(err) }, what);
  }

  async checkSentinel(): Promise<void> {
    const seen = await this.sentinel.check();
    if (seen.status === 'first' && seen.created) {
      // A first start — or a loss no process lived through (Redis and every process restarted
      // together). The first scan reports every idle slot at once, saying which it may be.
      const report = this.opts.reportNewDataset !== false;
      if (report) await this.marks.markReported('fresh-dataset', 86_400_000);
      this.ctx.log[report ? 'warn' : 'info'](
        'redis: new dataset (first start, or its data was lost before this process started); the first AWS scan reports every slot running without traffic',
      );
    }
    if (seen.status === 'lost') {
      this.unhandledLoss = seen.generation;
      this.lossDetectedAt = this.ctx.clock.now();
      this.ctx.metrics.redisDataLost();
      this.ctx.log.error(
        { previous: seen.previous, now: seen.generation },
        'redis lost its data: deployment records, locks and scheduled jobs are gone; /readyz fails until AWS has been scanned',
      );
    }
    if (this.unhandledLoss) await this.handleLoss(this.unhandledLoss);
  }

  /** Alert every channel once and scan AWS, by one process; every process waits for it to be done. */
  private async handleLoss(generation: string): Promise<void> {
    const doneKey = `loss-handled:${generation}`;
    if (await this.marks.wasReported(doneKey)) {
      this.unhandledLoss = undefined;
      return;
    }
    const lease = `loss:${generation}`;
    const token = await this.marks.lease(lease, 5 * 60_000);
    if (!token) return; // another process is on it
    try {
      // One channel Slack refuses (archived, not joined) must not keep the others from hearing.
      const services = Object.values(this.ctx.config.services);
      for (const channel of new Set(services.map((s) => s.channel))) {
        const key = `loss-alert:${generation}:${channel}`;
        if (await this.marks.wasReported(key)) continue;
        const names = services.filter((s) => s.channel === channel).map((s) => s.name);
        try {
          await this.ctx.slack.post(channel, redisLossMessage(names));
          await this.marks.markReported(key, 7 * 86_400_000);
        } catch (err) {
          this.warn(`could not tell ${channel} that Redis lost its data`, err);
        }
      }
      // One pass over AWS, whatever it could not read (named in the log, and the periodic scan
      // tries those services again): a service that cannot be read must not hold /readyz forever.
      const scan = await scanForgotten(this.ctx, this.marks, { reason: 'loss' });
      this.ctx.metrics.setIdleSlots(scan.idle.length);
      await this.marks.markReported(doneKey, 7 * 86_400_000);
      this.unhandledLoss = undefined;
      this.ctx.log.warn(
        { reported: scan.reported.length, idle: scan.idle.length, unreadable: scan.errors.length },
        'redis data loss handled: channels told, AWS scanned',
      );
    } finally {
      await this.marks.release(lease, token).catch(() => {});
    }
  }

  async checkSettings(): Promise<void> {
    const problems = settingsProblems(await readRedisSettings(this.redis), {
      managedDurability: this.opts.managedDurability === true,
    });
    this.ctx.metrics.setRedisDurable(problems.length === 0);
    const text = problems.join('; ');
    if (text !== this.lastProblems && problems.length > 0) {
      this.ctx.log.error({ problems }, 'redis is not durable: Greenlight can lose deployments on a restart');
    }
    this.lastProblems = text;
  }

  private async periodicScan(everyMs: number): Promise<void> {
    // One process per interval scans; the lease outlives a crashed scanner by at most one interval.
    if (!(await this.marks.lease('forgotten-scan', Math.max(1_000, everyMs - 500)))) return;
    // Whichever process created the dataset's sentinel, the next scanner reports at once.
    const reason = (await this.marks.take('fresh-dataset')) ? 'fresh-dataset' : 'periodic';
    const scan = await scanForgotten(this.ctx, this.marks, { reason });
    this.ctx.metrics.setIdleSlots(scan.idle.length);
  }
}
