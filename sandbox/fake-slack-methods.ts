/**
 * The Web API methods the fake Slack answers, as Slack documents their responses (only the
 * fields Greenlight reads, plus enough to look real). Pure state manipulation, no HTTP.
 */
import type { FakeEphemeral, FakeMessage, FakeSlackChange } from './fake-slack-api.js';
import { FAKE_BOT, FAKE_TEAM } from './fake-slack-ids.js';
import { type FakeView, viewsOpen, viewsPublish, viewsUpdate } from './fake-slack-views.js';
import { messageError } from './slack-limits.js';

export { FAKE_BOT, FAKE_TEAM };

const PERMALINK_BASE = `https://${FAKE_TEAM.domain}.slack.com/archives/`;

export interface SlackState {
  messages: FakeMessage[];
  ephemerals: FakeEphemeral[];
  problems: string[];
  usergroups: Map<string, string[]>;
  /** Modals opened and Home tabs published (./fake-slack-views.ts). */
  views: FakeView[];
  /** Trigger ids exchanged for a modal (each works once). */
  triggers: Set<string>;
  seq: number;
  maxText: number;
  emit(change: FakeSlackChange): void;
}

type Args = Record<string, unknown>;
type Reply = Record<string, unknown> & { ok: boolean };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const fail = (error: string, extra: Args = {}): Reply => ({ ok: false, error, ...extra });

/** Unique, increasing message timestamps shaped like Slack's: `1700000000.000100`. */
function nextTs(state: SlackState): string {
  state.seq += 1;
  const micros = state.seq * 100;
  const seconds = 1_700_000_000 + Math.floor(micros / 1_000_000);
  return `${seconds}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

function find(state: SlackState, channel: string, ts: string): FakeMessage | undefined {
  return state.messages.find((m) => m.channel === channel && m.ts === ts);
}

function asMessage(m: FakeMessage): Args {
  const out: Args = {
    type: 'message',
    user: m.user,
    bot_id: m.bot_id,
    text: m.text,
    ts: m.ts,
    team: FAKE_TEAM.id,
  };
  if (m.blocks) out.blocks = m.blocks;
  if (m.thread_ts) out.thread_ts = m.thread_ts;
  if (m.edits.length > 0) out.edited = { user: m.user, ts: m.ts };
  return out;
}

function limitError(state: SlackState, args: Args): Reply | null {
  const err = messageError(args.text, args.blocks, state.maxText);
  if (!err) return null;
  return fail(err.error, {
    errors: err.problems,
    response_metadata: { messages: err.problems.map((p) => `[ERROR] ${p}`) },
  });
}

function postMessage(state: SlackState, args: Args): Reply {
  const channel = str(args.channel);
  if (!channel) return fail('channel_not_found');
  const limits = limitError(state, args);
  if (limits) return limits;
  const threadTs = str(args.thread_ts);
  if (threadTs) {
    const parent = find(state, channel, threadTs);
    if (!parent)
      state.problems.push(`chat.postMessage: thread_ts ${threadTs} is not a message in ${channel}`);
    else if (parent.thread_ts && parent.thread_ts !== parent.ts)
      state.problems.push(`chat.postMessage: thread_ts ${threadTs} is a reply, not the thread parent`);
  }
  const message: FakeMessage = {
    channel,
    ts: nextTs(state),
    text: typeof args.text === 'string' ? args.text : '',
    user: FAKE_BOT.userId,
    bot_id: FAKE_BOT.botId,
    postedAt: Date.now(),
    edits: [],
  };
  if (Array.isArray(args.blocks)) message.blocks = args.blocks;
  if (threadTs) message.thread_ts = threadTs;
  state.messages.push(message);
  state.emit({ type: 'message', message });
  return { ok: true, channel, ts: message.ts, message: asMessage(message) };
}

function update(state: SlackState, args: Args): Reply {
  const channel = str(args.channel);
  const ts = str(args.ts);
  if (!channel) return fail('channel_not_found');
  const message = ts ? find(state, channel, ts) : undefined;
  if (!message) {
    if (ts && state.ephemerals.some((e) => e.message_ts === ts)) return fail('cant_update_message');
    return fail('message_not_found');
  }
  const limits = limitError(state, args);
  if (limits) return limits;
  message.edits.push({
    text: message.text,
    ...(message.blocks ? { blocks: message.blocks } : {}),
    at: Date.now(),
  });
  if (typeof args.text === 'string') message.text = args.text;
  if (Array.isArray(args.blocks)) message.blocks = args.blocks;
  state.emit({ type: 'update', message });
  return { ok: true, channel, ts: message.ts, text: message.text, message: asMessage(message) };
}

function postEphemeral(state: SlackState, args: Args): Reply {
  const channel = str(args.channel);
  const user = str(args.user);
  if (!channel) return fail('channel_not_found');
  if (!user) return fail('user_not_found');
  const limits = limitError(state, args);
  if (limits) return limits;
  const ephemeral: FakeEphemeral = {
    channel,
    user,
    text: typeof args.text === 'string' ? args.text : '',
    message_ts: nextTs(state),
  };
  if (Array.isArray(args.blocks)) ephemeral.blocks = args.blocks;
  const threadTs = str(args.thread_ts);
  if (threadTs) ephemeral.thread_ts = threadTs;
  state.ephemerals.push(ephemeral);
  state.emit({ type: 'ephemeral', ephemeral });
  return { ok: true, message_ts: ephemeral.message_ts };
}

function getPermalink(state: SlackState, args: Args): Reply {
  const channel = str(args.channel);
  const ts = str(args.message_ts);
  if (!channel) return fail('channel_not_found');
  const message = ts ? find(state, channel, ts) : undefined;
  if (!message) return fail('message_not_found');
  const thread =
    message.thread_ts && message.thread_ts !== message.ts
      ? `?thread_ts=${message.thread_ts}&cid=${channel}`
      : '';
  return {
    ok: true,
    channel,
    permalink: `${PERMALINK_BASE}${channel}/p${message.ts.replace('.', '')}${thread}`,
  };
}

function usergroupUsers(state: SlackState, args: Args): Reply {
  const id = str(args.usergroup);
  const users = id ? state.usergroups.get(id) : undefined;
  if (!users) return fail('no_such_subteam');
  return { ok: true, users: [...users] };
}

function usersInfo(args: Args): Reply {
  const id = str(args.user);
  if (!id || !/^[UW][A-Z0-9]+$/.test(id)) return fail('user_not_found');
  const name = id.toLowerCase();
  return {
    ok: true,
    user: {
      id,
      team_id: FAKE_TEAM.id,
      name,
      real_name: name,
      deleted: false,
      is_bot: id === FAKE_BOT.userId,
      tz: 'Etc/UTC',
      profile: { display_name: name, real_name: name },
    },
  };
}

function conversationsInfo(args: Args): Reply {
  const id = str(args.channel);
  if (!id || !/^[CGD][A-Z0-9]+$/.test(id)) return fail('channel_not_found');
  return {
    ok: true,
    channel: {
      id,
      name: id.toLowerCase(),
      is_channel: id.startsWith('C'),
      is_private: id.startsWith('G'),
      is_im: id.startsWith('D'),
      is_archived: false,
      is_member: true,
    },
  };
}

/** The views methods see the views, the trigger ids and the id sequence of the whole fake. */
function viewsState(state: SlackState) {
  return {
    views: state.views,
    triggers: state.triggers,
    get seq() {
      return state.seq;
    },
    set seq(n: number) {
      state.seq = n;
    },
    emitView: (view: FakeView) => state.emit({ type: 'view', view }),
  };
}

export function handleMethod(state: SlackState, method: string, args: Args): Reply {
  switch (method) {
    case 'auth.test':
      return {
        ok: true,
        url: `https://${FAKE_TEAM.domain}.slack.com/`,
        team: FAKE_TEAM.name,
        user: FAKE_BOT.name,
        team_id: FAKE_TEAM.id,
        user_id: FAKE_BOT.userId,
        bot_id: FAKE_BOT.botId,
        is_enterprise_install: false,
      };
    case 'chat.postMessage':
      return postMessage(state, args);
    case 'chat.update':
      return update(state, args);
    case 'chat.postEphemeral':
      return postEphemeral(state, args);
    case 'chat.getPermalink':
      return getPermalink(state, args);
    case 'usergroups.users.list':
      return usergroupUsers(state, args);
    case 'users.info':
      return usersInfo(args);
    case 'conversations.info':
      return conversationsInfo(args);
    case 'views.open':
      return viewsOpen(viewsState(state), args);
    case 'views.update':
      return viewsUpdate(viewsState(state), args);
    case 'views.publish':
      return viewsPublish(viewsState(state), args);
    default:
      return fail('unknown_method');
  }
}
