/**
 * The JSON control API of the sandbox page (`/sandbox/api/…`): the conversation as the picked
 * person sees it, typed commands and button clicks (sent to the bot as Slack would, see
 * sandbox-slack-client.ts), the simulated load balancer, target health toggles and fast-forward
 * of the bot's delayed jobs. Malformed input gets 400 and a message saying what is wrong; nothing
 * here throws at a caller.
 */
import { z } from 'zod';
import type { GreenlightConfig } from '../src/domain/service.js';
import type { FakeElbState } from './fake-elb/state.js';
import { awsView } from './sandbox-aws-view.js';
import {
  BOTS,
  type Channel,
  isSandboxUser,
  SANDBOX_GROUPS,
  SANDBOX_PEOPLE,
  sandboxChannels,
} from './sandbox-directory.js';
import type { SandboxFeed } from './sandbox-feed.js';
import { createSlackClient } from './sandbox-slack-client.js';
import type { TrafficModel } from './traffic-model.js';

export interface SandboxApiDeps {
  feed: SandboxFeed;
  elb: FakeElbState;
  traffic?: TrafficModel;
  config: GreenlightConfig;
  signingSecret: string;
  /** The bot's `…/slack/events` URL, once its receiver listens. */
  botUrl(): string | undefined;
  /** The bot's delayed jobs (reminder, teardown, approval expiry, …), once it runs. */
  jobs?: ScheduledJobs;
  /** Slack waits 3 s for an ack. */
  ackTimeoutMs?: number;
  /** The simulated world's clock (fast-forward moves it). */
  now?: () => number;
}

export interface ScheduledJob {
  id: string;
  name: string;
  deploymentId?: string;
  dueAt: number;
}

export interface ScheduledJobs {
  list(): Promise<ScheduledJob[]>;
  /**
   * Runs the next soak deadline (reminder or teardown) now — never an approval expiry or a poll —
   * or, with `all`, every delayed job; returns the jobs it promoted.
   */
  promote(opts: { all: boolean }): Promise<ScheduledJob[]>;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

const MAX_TEXT = 4000;
const user = z.string().refine(isSandboxUser, 'not a sandbox user (see GET /sandbox/api/config)');
const ts = z.string().regex(/^\d{1,12}\.\d{1,6}$/, 'not a Slack message ts such as 1700000000.000100');

const commandSchema = z
  .object({
    user,
    channel: z.string(),
    text: z
      .string()
      .max(MAX_TEXT, `longer than ${MAX_TEXT} characters`)
      .refine((t) => t.trim().length > 0, 'empty'),
    threadTs: ts.optional(),
  })
  .strict();

const actionSchema = z
  .object({
    user,
    item: z.string().min(1).max(200),
    actionId: z.string().min(1).max(255),
    blockId: z.string().min(1).max(255).optional(),
  })
  .strict();

const healthSchema = z
  .object({
    targetGroup: z.string().min(1).max(400),
    target: z.string().min(1).max(200),
    state: z.enum(['healthy', 'unhealthy']),
  })
  .strict();

const ok = (body: unknown = { ok: true }): ApiResponse => ({ status: 200, body });
const fail = (status: number, error: string): ApiResponse => ({ status, body: { ok: false, error } });

function problems(err: z.ZodError): string {
  return err.issues
    .map((i) => {
      const path = i.path.join('.');
      const message = i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.join(', ')}` : i.message;
      return path ? `${path}: ${message}` : message;
    })
    .join('; ');
}

function parseJson(raw: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: raw.trim() === '' ? {} : JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

export function createSandboxApi(deps: SandboxApiDeps) {
  const channels: Channel[] = sandboxChannels(deps.config);
  const client = createSlackClient({
    feed: deps.feed,
    channels,
    signingSecret: deps.signingSecret,
    botUrl: deps.botUrl,
    ...(deps.ackTimeoutMs !== undefined ? { ackTimeoutMs: deps.ackTimeoutMs } : {}),
  });
  const { command, action } = client;

  function targetHealth(input: z.infer<typeof healthSchema>): ApiResponse {
    const tg =
      deps.elb.targetGroups.get(input.targetGroup) ??
      [...deps.elb.targetGroups.values()].find((g) => g.name === input.targetGroup);
    if (!tg) return fail(404, `targetGroup: no target group ${input.targetGroup}`);
    const target = deps.elb.targetsOf(tg.arn).find((t) => t.id === input.target);
    if (!target) return fail(404, `target: ${tg.name} has no registered target ${input.target}`);
    if (target.deregisteredAt !== undefined)
      return fail(409, `target: ${input.target} is draining and cannot be changed`);
    // The target starts (or stops) refusing connections; ELB reports the new state after the
    // group's threshold of health checks, as AWS does.
    deps.elb.setTargetResponse(tg.arn, target.id, input.state === 'healthy' ? 'ok' : 'refused');
    return ok({ ok: true, target: { id: target.id, answers: input.state === 'healthy' ? 'ok' : 'failing' } });
  }

  function config(): ApiResponse {
    return ok({
      people: SANDBOX_PEOPLE,
      bots: BOTS,
      groups: SANDBOX_GROUPS,
      channels,
      services: Object.values(deps.config.services).map((s) => ({
        name: s.name,
        channel: s.channel,
        slots: s.slots,
        approvers: s.approvers,
        soakMs: s.soakMs,
        remindBeforeMs: s.remindBeforeMs,
      })),
      fastForward: deps.jobs !== undefined,
    });
  }

  /** One API request → one response. `raw` is the request body (POST). */
  return async function handle(method: string, path: string, query: URLSearchParams, raw: string) {
    const route = `${method} ${path}`;
    const parse = <T>(schema: z.ZodType<T>): { value: T } | ApiResponse => {
      const json = parseJson(raw);
      if (!json.ok) return fail(400, 'the request body is not valid JSON');
      if (typeof json.value !== 'object' || json.value === null || Array.isArray(json.value))
        return fail(400, 'the request body must be a JSON object');
      const result = schema.safeParse(json.value);
      return result.success ? { value: result.data } : fail(400, problems(result.error));
    };
    switch (route) {
      case 'GET /sandbox/api/config':
        return config();
      case 'GET /sandbox/api/state': {
        const who = query.get('user') ?? '';
        if (!isSandboxUser(who))
          return fail(400, 'user: give ?user= with a sandbox user id (see /sandbox/api/config)');
        return ok({ user: who, items: deps.feed.itemsFor(who) });
      }
      case 'GET /sandbox/api/aws':
        return ok(
          awsView({
            state: deps.elb,
            config: deps.config,
            ...(deps.traffic ? { traffic: deps.traffic } : {}),
            ...(deps.now ? { now: deps.now() } : {}),
          }),
        );
      case 'POST /sandbox/api/command': {
        const p = parse(commandSchema);
        return 'value' in p ? command(p.value) : p;
      }
      case 'POST /sandbox/api/action': {
        const p = parse(actionSchema);
        return 'value' in p ? action(p.value) : p;
      }
      case 'POST /sandbox/api/target-health': {
        const p = parse(healthSchema);
        return 'value' in p ? targetHealth(p.value) : p;
      }
      case 'GET /sandbox/api/jobs':
        return ok({ jobs: deps.jobs ? await deps.jobs.list() : [] });
      case 'POST /sandbox/api/fast-forward': {
        const p = parse(z.object({ all: z.boolean().optional() }).strict());
        if (!('value' in p)) return p;
        if (!deps.jobs) return fail(503, 'fast-forward is not available: the bot is still starting');
        return ok({ ok: true, promoted: await deps.jobs.promote({ all: p.value.all ?? false }) });
      }
      default:
        return fail(404, `no such endpoint: ${route}`);
    }
  };
}

export type SandboxApi = ReturnType<typeof createSandboxApi>;
