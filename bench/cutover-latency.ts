import { type Rig, startRig, type Timings, USERS } from '../test/helpers/e2e-harness.js';
import { latestButton } from '../test/helpers/slack-inspect.js';
import { waitUntil } from '../test/helpers/wait.js';
import { type Summary, summarize } from './stats.js';

export interface CutoverOptions {
  /** Measured iterations (each: request, approve, cutover, rollback). */
  iterations: number;
  /** Iterations run first and not counted. */
  warmup: number;
}

/** One click, split by the timestamps in the record (all epoch ms from the same clock). */
export interface ClickSample {
  /** t0 (just before the POST) → switch finished. */
  totalMs: number;
  /** Time inside ELB calls during the job (the simulated endpoint, through the real SDK). */
  awsMs: number;
  /** totalMs − awsMs. */
  overheadMs: number;
  /** t0 → HTTP 200 (Bolt acks before the work). */
  ackMs: number;
  /** t0 → the state change recorded (history entry of the click). */
  recordedMs: number;
  /** Recorded → job started (effects enqueued, worker picked the job, record loaded). */
  queuedMs: number;
  /** Job started → switch finished, minus AWS time. */
  jobOtherMs: number;
}

export type ClickSummary = Record<keyof ClickSample, Summary>;

export interface CutoverResult {
  options: CutoverOptions;
  timings: Timings;
  cutover: ClickSummary;
  rollback: ClickSummary;
  /** ELB API calls from the Approve click until soaking (cutover and verify jobs), last iteration. */
  elbCallsApproveToSoaking: Record<string, number>;
  /** ELB API calls from the Rollback click until rolled_back (switch, read back, scan), last iteration. */
  elbCallsRollback: Record<string, number>;
  /** The ELB operations from the Approve click through the first Modify*, in order (last iteration). */
  elbSequenceToCutover: string[];
  /** The same from the Rollback click. */
  elbSequenceToRollback: string[];
}

/** Soak long enough that no reminder or teardown fires during the run. */
export const BENCH_TIMINGS: Timings = {
  soak: '10m',
  remindBefore: '1m',
  approvalTimeout: '5m',
  // Traffic verification waits for a full CloudWatch period without requests to the old slot;
  // a generous window keeps a busy machine from failing it.
  verifyWindow: '30s',
};

function countCalls(rig: Rig, from: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of rig.aws.elb.calls.slice(from)) counts[c.operation] = (counts[c.operation] ?? 0) + 1;
  return counts;
}

/** Operations from `from` up to and including the first ModifyListener/ModifyRule. */
function sequenceToSwitch(rig: Rig, from: number): string[] {
  const ops = rig.aws.elb.calls.slice(from).map((c) => c.operation);
  const modify = ops.findIndex((op) => op.startsWith('Modify'));
  return modify < 0 ? ops : ops.slice(0, modify + 1);
}

interface Timed {
  startedAt: number;
  finishedAt: number;
  awsMs: number;
}

async function click(
  rig: Rig,
  id: string,
  actionId: 'gl_approve' | 'gl_rollback',
  user: string,
  event: 'approve' | 'rollback',
  done: (d: { cutover?: Timed; rollback?: Timed }) => Timed | undefined,
): Promise<ClickSample> {
  const value = await waitUntil(() => latestButton(rig.slack, actionId, id)?.value, {
    what: `the ${actionId} button of ${id}`,
  });
  const t0 = Date.now();
  const res = await rig.click(actionId, value, user);
  const ackMs = Date.now() - t0;
  if (res.status !== 200) throw new Error(`${actionId} click answered HTTP ${res.status}: ${res.text}`);
  const timing = await waitUntil(
    async () => {
      const d = await rig.bot.store.get(id);
      return d ? done(d) : undefined;
    },
    {
      intervalMs: 10,
      what: `${event} of ${id} to finish`,
      last: async () => (await rig.bot.store.get(id))?.state,
    },
  );
  const d = await rig.bot.store.get(id);
  const recordedAt = d?.history.find((h) => h.event === event)?.at ?? Number.NaN;
  const totalMs = timing.finishedAt - t0;
  return {
    totalMs,
    awsMs: timing.awsMs,
    overheadMs: totalMs - timing.awsMs,
    ackMs,
    recordedMs: recordedAt - t0,
    queuedMs: timing.startedAt - recordedAt,
    jobOtherMs: timing.finishedAt - timing.startedAt - timing.awsMs,
  };
}

function summarizeClicks(samples: ClickSample[]): ClickSummary {
  const keys = Object.keys(samples[0] ?? {}) as (keyof ClickSample)[];
  return Object.fromEntries(keys.map((k) => [k, summarize(samples.map((s) => s[k]))])) as ClickSummary;
}

export async function runCutoverLatency(opts: CutoverOptions): Promise<CutoverResult> {
  const rig = await startRig({ timings: BENCH_TIMINGS });
  const cutovers: ClickSample[] = [];
  const rollbacks: ClickSample[] = [];
  let elbCallsApproveToSoaking: Record<string, number> = {};
  let elbCallsRollback: Record<string, number> = {};
  let elbSequenceToCutover: string[] = [];
  let elbSequenceToRollback: string[] = [];
  const seen = new Set<string>();
  try {
    for (let i = 0; i < opts.warmup + opts.iterations; i++) {
      const res = await rig.slash('checkout green', USERS.requester);
      if (res.status !== 200 || !/requested/.test(res.text)) {
        throw new Error(`/deploy was not accepted (HTTP ${res.status}): ${res.text.slice(0, 300)}`);
      }
      const d = await waitUntil(
        async () => {
          const latest = await rig.latest();
          return seen.has(latest.id) ? undefined : latest;
        },
        { what: 'the new deployment record' },
      );
      seen.add(d.id);
      await rig.waitForState(d.id, 'awaiting_approval');

      const beforeCutover = rig.aws.elb.calls.length;
      const cut = await click(rig, d.id, 'gl_approve', USERS.approver, 'approve', (r) => r.cutover);
      await rig.waitForState(d.id, 'soaking', 45_000);
      const cutCalls = countCalls(rig, beforeCutover);

      const beforeRollback = rig.aws.elb.calls.length;
      const back = await click(rig, d.id, 'gl_rollback', USERS.requester, 'rollback', (r) => r.rollback);
      await rig.waitForState(d.id, 'rolled_back');
      const backCalls = countCalls(rig, beforeRollback);

      if (i >= opts.warmup) {
        cutovers.push(cut);
        rollbacks.push(back);
        elbCallsApproveToSoaking = cutCalls;
        elbCallsRollback = backCalls;
        elbSequenceToCutover = sequenceToSwitch(rig, beforeCutover);
        elbSequenceToRollback = sequenceToSwitch(rig, beforeRollback);
      }
    }
  } finally {
    await rig.close();
  }
  return {
    options: opts,
    timings: BENCH_TIMINGS,
    cutover: summarizeClicks(cutovers),
    rollback: summarizeClicks(rollbacks),
    elbCallsApproveToSoaking,
    elbCallsRollback,
    elbSequenceToCutover,
    elbSequenceToRollback,
  };
}
