/**
 * Requests about views exactly as Slack sends them, built from the fixtures in
 * `test/fixtures/slack/` (Slack's documented shapes): a modal submitted (`view_submission`), a
 * select changed inside a modal (`block_actions` from a view), the `app_home_opened` event. They
 * are signed and POSTed to the real receiver like the slash commands of ./slack-requests.ts. And
 * reading what the bot sent to `views.*`: the view, its inputs, its text.
 */
import type { FakeSlackApi, RecordedCall } from '../../sandbox/fake-slack-api.js';
import { freshTriggerId } from '../../sandbox/slack-payloads.js';
import { blockActionPayload, readFixture } from './slack-requests.js';

/** A trigger id in Slack's shape, unique to the request (each view Slack opens needs its own). */
export { freshTriggerId };

type Json = Record<string, unknown>;

/** A view the bot sent (the `view` argument of views.open / views.update / views.publish). */
export type SentView = Json & { blocks: Json[] };

/** The view of a views.* call. */
export function viewOf(call: RecordedCall): SentView {
  const raw = call.args['view'];
  const view = (typeof raw === 'string' ? JSON.parse(raw) : raw) as SentView;
  return { ...view, blocks: Array.isArray(view.blocks) ? view.blocks : [] };
}

/** The input block with this block id (or whose id starts with it followed by `.`). */
export function inputBlock(view: { blocks: readonly unknown[] }, blockId: string): Json | undefined {
  return (view.blocks as Json[]).find(
    (b) =>
      b['type'] === 'input' &&
      typeof b['block_id'] === 'string' &&
      (b['block_id'] === blockId || b['block_id'].startsWith(`${blockId}.`)),
  );
}

export interface MenuOption {
  text: string;
  value: string;
  description?: string;
  /** The option group's label, when the menu has groups. */
  group?: string;
}

/** Every option of the select in an input block, in order (groups flattened). */
export function menuOptions(block: Json | undefined): MenuOption[] {
  const el = (block?.['element'] ?? {}) as Json;
  const one = (o: Json, group?: string): MenuOption => {
    const description = (o['description'] as Json | undefined)?.['text'];
    return {
      text: String((o['text'] as Json)['text']),
      value: String(o['value']),
      ...(typeof description === 'string' ? { description } : {}),
      ...(group !== undefined ? { group } : {}),
    };
  };
  if (Array.isArray(el['option_groups'])) {
    return (el['option_groups'] as Json[]).flatMap((g) =>
      (g['options'] as Json[]).map((o) => one(o, String((g['label'] as Json)['text']))),
    );
  }
  return ((el['options'] as Json[] | undefined) ?? []).map((o) => one(o));
}

/** Every text of a view's blocks, one block per paragraph: how Slack would show it, without the formatting. */
export function viewText(view: SentView): string {
  const texts: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node as Json)) {
      if (k === 'text' && typeof v === 'string') texts.push(v);
      else if (typeof v === 'object') visit(v);
    }
  };
  return view.blocks
    .map((b) => {
      texts.length = 0;
      if (b['type'] === 'divider') return '———';
      visit(b);
      return texts.join('\n');
    })
    .join('\n\n');
}

/** The state Slack sends for an input: a select's chosen option, or a text input's value. */
export type InputState =
  | { type: 'static_select'; selected_option: { text: Json; value: string } | null }
  | { type: 'plain_text_input'; value: string | null };

export const selected = (value: string | null): InputState => ({
  type: 'static_select',
  selected_option: value === null ? null : { text: { type: 'plain_text', text: value, emoji: true }, value },
});
export const typed = (value: string | null): InputState => ({ type: 'plain_text_input', value });

export interface ViewSubmissionInput {
  userId: string;
  /** The view as the bot last sent it (views.open / views.update), with Slack's id and hash. */
  view: SentView;
  viewId: string;
  hash: string;
  /** block id → action id → what the user chose or typed. */
  values: Record<string, Record<string, InputState>>;
}

/** The view as Slack sends it back: the app's view, Slack's fields, and the state of its inputs. */
function submittedView(base: Json, input: ViewSubmissionInput): Json {
  return {
    ...base,
    ...input.view,
    id: input.viewId,
    root_view_id: input.viewId,
    hash: input.hash,
    state: { values: input.values },
  };
}

/** The form-encoded `view_submission` body, from `view-submission.json` with our fields. */
export function viewSubmissionBody(input: ViewSubmissionInput): string {
  const p = JSON.parse(readFixture('slack/view-submission.json')) as Json;
  (p['user'] as Json)['id'] = input.userId;
  (p['user'] as Json)['username'] = input.userId.toLowerCase();
  p['trigger_id'] = freshTriggerId();
  p['view'] = submittedView(p['view'] as Json, input);
  return new URLSearchParams({ payload: JSON.stringify(p) }).toString();
}

export interface ViewSelectInput extends ViewSubmissionInput {
  blockId: string;
  actionId: string;
  /** The option chosen. */
  value: string;
}

/**
 * A select changed in a modal whose input block has `dispatch_action`: a `block_actions` payload
 * whose container is the view (no channel, no message), from `block-actions.json`.
 */
export function viewSelectBody(input: ViewSelectInput): string {
  const p = blockActionPayload({
    actionId: input.actionId,
    value: input.value,
    userId: input.userId,
    channelId: '',
    messageTs: '',
    responseUrl: '',
  });
  delete p['channel'];
  delete p['message'];
  delete p['response_url'];
  p['container'] = { type: 'view', view_id: input.viewId };
  const submission = JSON.parse(readFixture('slack/view-submission.json')) as Json;
  p['view'] = submittedView(submission['view'] as Json, input);
  p['actions'] = [
    {
      type: 'static_select',
      action_id: input.actionId,
      block_id: input.blockId,
      selected_option: { text: { type: 'plain_text', text: input.value, emoji: true }, value: input.value },
      action_ts: `${Math.floor(Date.now() / 1000)}.000200`,
    },
  ];
  return new URLSearchParams({ payload: JSON.stringify(p) }).toString();
}

let eventSeq = 0;

/** The JSON body of an Events API request carrying `app_home_opened`, from the fixture. */
export function appHomeOpenedBody(userId: string, tab: 'home' | 'messages' = 'home'): string {
  const p = JSON.parse(readFixture('slack/app-home-opened.event.json')) as Json;
  const event = p['event'] as Json;
  event['user'] = userId;
  event['tab'] = tab;
  // Each event has its own id and time: a retried delivery repeats them, a new one does not.
  eventSeq += 1;
  const now = Date.now();
  event['event_ts'] = `${Math.floor(now / 1000)}.${String(eventSeq).padStart(6, '0')}`;
  p['event_id'] = `Ev0GL${String(eventSeq).padStart(6, '0')}${now % 100_000}`;
  p['event_time'] = Math.floor(now / 1000);
  return JSON.stringify(p);
}

/** The views.* calls of a method, newest last. */
export const viewCalls = (slack: FakeSlackApi, method: 'views.open' | 'views.update' | 'views.publish') =>
  slack.callsTo(method);
