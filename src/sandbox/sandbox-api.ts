/**
 * The JSON control API of the sandbox page (`/sandbox/api/…`). It plays the Slack client: a
 * typed `/deploy …` becomes a signed slash command to the bot's `POST /slack/events`, a button
 * click a signed `block_actions` interaction, both as the person picked on the page. It also
 * reads the simulated load balancer and changes target health. Malformed input gets 400 and a
 * message saying what is wrong; nothing here throws at a caller.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { GreenlightConfig } from '../config/schema.js';
import type { FakeElbState } from './fake-elb/state.js';
import { awsView } from './sandbox-aws-view.js';
import {
  BOTS,
  type Channel,
  isSandboxUser,
  personName,
  SANDBOX_GROUPS,
  SANDBOX_PEOPLE,
  sandboxChannels,
} from './sandbox-directory.js';
import { type FeedItem, type SandboxFeed, SLACKBOT } from './sandbox-feed.js';
import { blockActionsForm, postToSlackEndpoint, slashCommandForm } from './slack-payloads.js';
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
}

export interface ScheduledJob {
  id: string;
  name: string;
  deploymentId?: string;
  dueAt: number;
}

export interface ScheduledJobs {
  list(): Promise<ScheduledJob[]>;
  /** Runs the next delayed job now (or all of them); returns the jobs it promoted. */
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

interface Button {
  type: string;
  action_id?: string;
  value?: string;
  [key: string]: unknown;
}

/** The button with this action id (and block id, if given) in a message's blocks. */
export function findButton(
  blocks: unknown[] | undefined,
  actionId: string,
  blockId?: string,
): { button: Button; blockId: string } | undefined {
  for (const [index, raw] of (blocks ?? []).entries()) {
    const block = raw as { type?: string; block_id?: string; elements?: unknown[]; accessory?: unknown };
    const id = block.block_id ?? `b${index}`;
    if (blockId && blockId !== id) continue;
    const candidates = [...(block.elements ?? []), ...(block.accessory ? [block.accessory] : [])] as Button[];
    const button = candidates.find((e) => e?.type === 'button' && e.action_id === actionId);
    if (button) return { button, blockId: id };
  }
  return undefined;
}

export function createSandboxApi(deps: SandboxApiDeps) {
  const channels: Channel[] = sandboxChannels(deps.config);
  const channelName = (id: string) => channels.find((c) => c.id === id)?.name;
  const ackTimeoutMs = deps.ackTimeoutMs ?? 3_000;
  const slackbotSays = (forUser: string, channel: string, text: string, threadTs?: string) =>
    deps.feed.add({
      kind: 'ephemeral',
      channel,
      user: SLACKBOT,
      forUser,
      text,
      ...(threadTs ? { threadTs } : {}),
    });

  async function command(input: z.infer<typeof commandSchema>): Promise<ApiResponse> {
    if (!channelName(input.channel)) {
      return fail(400, `channel: not a sandbox channel (${channels.map((c) => c.id).join(', ')})`);
    }
    const text = input.text.trim();
    const thread = input.threadTs ? { threadTs: input.threadTs } : {};
    if (!text.startsWith('/')) {
      const item = deps.feed.add({
        kind: 'message',
        channel: input.channel,
        user: input.user,
        text,
        ...thread,
      });
      return ok({ ok: true, posted: item.id });
    }
    const name = text.split(/\s/, 1)[0] as string;
    if (name !== '/deploy') {
      slackbotSays(
        input.user,
        input.channel,
        `\`${name.slice(0, 40)}\` is not a valid command. In Slack, all messages that start with "/" are interpreted as commands. This workspace has \`/deploy\`.`,
        input.threadTs,
      );
      return ok({ ok: true, delivered: 'slackbot' });
    }
    const url = deps.botUrl();
    if (!url) return fail(503, 'the bot is still starting; try again in a moment');
    const response = deps.feed.responseUrl({ user: input.user, channel: input.channel, ...thread });
    const body = slashCommandForm({
      command: name,
      text: text.slice(name.length).trim(),
      userId: input.user,
      userName: personName(input.user),
      channelId: input.channel,
      channelName: channelName(input.channel) as string,
      responseUrl: response.url,
      triggerId: `${Date.now()}.${randomBytes(6).toString('hex')}`,
    });
    let res: { status: number; text: string };
    try {
      res = await postToSlackEndpoint(url, body, {
        signingSecret: deps.signingSecret,
        timeoutMs: ackTimeoutMs,
      });
    } catch {
      slackbotSays(
        input.user,
        input.channel,
        `${name} failed with the error "operation_timeout"`,
        input.threadTs,
      );
      return ok({ ok: true, ack: 'operation_timeout' });
    }
    if (res.status !== 200) {
      slackbotSays(
        input.user,
        input.channel,
        `${name} failed with the error "dispatch_failed"`,
        input.threadTs,
      );
      return ok({ ok: true, ack: 'dispatch_failed', botStatus: res.status });
    }
    if (res.text.trim() && !deps.feed.hasResponse(response.id)) addAck(input, res.text, response.id);
    return ok({ ok: true, ack: 'ok' });
  }

  function addAck(input: z.infer<typeof commandSchema>, raw: string, responseId: string): void {
    let parsed: Record<string, unknown>;
    try {
      const value: unknown = JSON.parse(raw);
      parsed =
        typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : { text: raw };
    } catch {
      parsed = { text: raw };
    }
    const inChannel = parsed.response_type === 'in_channel';
    deps.feed.add({
      kind: inChannel ? 'message' : 'ephemeral',
      channel: input.channel,
      user: BOTS[0]?.id as string,
      ...(inChannel ? {} : { forUser: input.user }),
      text: typeof parsed.text === 'string' ? parsed.text : '',
      ...(Array.isArray(parsed.blocks) ? { blocks: parsed.blocks } : {}),
      ...(input.threadTs ? { threadTs: input.threadTs } : {}),
      responseId,
    });
  }

  async function action(input: z.infer<typeof actionSchema>): Promise<ApiResponse> {
    const item: FeedItem | undefined = deps.feed.find(input.user, input.item);
    if (!item) return fail(404, `item: no message ${input.item} that ${input.user} can see`);
    const found = findButton(item.blocks, input.actionId, input.blockId);
    if (!found) return fail(404, `actionId: message ${input.item} has no button ${input.actionId}`);
    const url = deps.botUrl();
    if (!url) return fail(503, 'the bot is still starting; try again in a moment');
    const response = deps.feed.responseUrl({
      user: input.user,
      channel: item.channel,
      ...(item.threadTs ? { threadTs: item.threadTs } : {}),
    });
    const body = blockActionsForm({
      actionId: input.actionId,
      value: found.button.value ?? '',
      userId: input.user,
      channelId: item.channel,
      messageTs: item.ts,
      ...(item.threadTs ? { threadTs: item.threadTs } : {}),
      responseUrl: response.url,
      blockId: found.blockId,
      triggerId: `${Date.now()}.${randomBytes(6).toString('hex')}`,
      button: found.button,
      message: { text: item.text, ...(item.blocks ? { blocks: item.blocks } : {}) },
      isEphemeral: item.kind === 'ephemeral',
    });
    try {
      const res = await postToSlackEndpoint(url, body, {
        signingSecret: deps.signingSecret,
        timeoutMs: ackTimeoutMs,
      });
      if (res.status !== 200) return ok({ ok: false, error: `the app answered HTTP ${res.status}` });
    } catch {
      return ok({ ok: false, error: 'the app did not respond within 3 seconds (operation_timeout)' });
    }
    return ok();
  }

  function targetHealth(input: z.infer<typeof healthSchema>): ApiResponse {
    const tg =
      deps.elb.targetGroups.get(input.targetGroup) ??
      [...deps.elb.targetGroups.values()].find((g) => g.name === input.targetGroup);
    if (!tg) return fail(404, `targetGroup: no target group ${input.targetGroup}`);
    const target = deps.elb.targetsOf(tg.arn).find((t) => t.id === input.target);
    if (!target) return fail(404, `target: ${tg.name} has no registered target ${input.target}`);
    if (target.state === 'draining')
      return fail(409, `target: ${input.target} is draining and cannot be changed`);
    deps.elb.setTargetHealth(
      tg.arn,
      target.id,
      input.state,
      input.state === 'unhealthy' ? 'Target.FailedHealthChecks' : undefined,
    );
    return ok({ ok: true, target: { id: target.id, state: input.state } });
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
