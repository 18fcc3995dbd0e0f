/**
 * The views methods of the fake Slack Web API — `views.open`, `views.update`, `views.publish` — as
 * Slack documents them (docs.slack.dev: the three method pages, "Modal views", "Home tab views",
 * "Input block", "Select menu element", "Option object"). Only what Greenlight relies on, plus
 * the checks Slack makes that a bug could trip:
 *
 * - `views.open` exchanges a `trigger_id` once (`exchanged_trigger_id` the second time; a trigger
 *   also expires after 3 s, which the fake cannot know: it did not mint it);
 * - `views.update` finds the view by `view_id` (`not_found`) and refuses a `hash` that is not the
 *   view's current one (`hash_conflict`); every open, update and publish gives the view a new hash;
 * - `views.publish` sets one user's Home tab (`user_id`), a view of type `home`;
 * - a view over Slack's limits is refused with `invalid_arguments` and the problems in
 *   `response_metadata.messages`, as Slack answers.
 *
 * Pure state manipulation, no HTTP (./fake-slack-api.ts serves it).
 */
import { FAKE_BOT, FAKE_TEAM } from './fake-slack-ids.js';
import { blockProblems } from './slack-limits.js';

export const VIEW_LIMITS = {
  blocks: 100,
  title: 24,
  button: 24,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
  label: 2000,
  hint: 2000,
  placeholder: 150,
  options: 100,
  optionGroups: 100,
  optionText: 75,
  /** docs.slack.dev, "Option object": value at most 150 characters. */
  optionValue: 150,
  optionDescription: 75,
  groupLabel: 75,
  inputMaxLength: 3000,
} as const;

export interface FakeView {
  id: string;
  hash: string;
  type: 'modal' | 'home';
  /** The view as the app sent it last. */
  view: Record<string, unknown>;
  /** Home tabs: whose tab it is. */
  user?: string;
  /** Modals: the trigger id it was opened with. */
  triggerId?: string;
  /** How many times it was updated or published again. */
  revisions: number;
}

export interface ViewsState {
  views: FakeView[];
  /** Trigger ids already exchanged for a modal. */
  triggers: Set<string>;
  seq: number;
  emitView(view: FakeView): void;
}

type Obj = Record<string, unknown>;
type Reply = Obj & { ok: boolean };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const fail = (error: string, messages: string[] = []): Reply => ({
  ok: false,
  error,
  ...(messages.length > 0 ? { response_metadata: { messages: messages.map((m) => `[ERROR] ${m}`) } } : {}),
});

function plainText(v: unknown, max: number, where: string, problems: string[], required = true): void {
  if (v === undefined || v === null) {
    if (required) problems.push(`${where}: required`);
    return;
  }
  if (!isObj(v) || v.type !== 'plain_text') {
    problems.push(`${where}: must be a plain_text object`);
    return;
  }
  if (typeof v.text !== 'string' || v.text.length === 0) problems.push(`${where}: empty text`);
  else if (v.text.length > max) problems.push(`${where}: text is ${v.text.length} chars (max ${max})`);
}

function optionProblems(o: unknown, where: string, problems: string[]): string | undefined {
  if (!isObj(o)) {
    problems.push(`${where}: not an option`);
    return undefined;
  }
  plainText(o.text, VIEW_LIMITS.optionText, `${where}.text`, problems);
  if (o.description !== undefined)
    plainText(o.description, VIEW_LIMITS.optionDescription, `${where}.description`, problems);
  if (typeof o.value !== 'string' || o.value.length === 0 || o.value.length > VIEW_LIMITS.optionValue)
    problems.push(`${where}.value: 1–${VIEW_LIMITS.optionValue} chars`);
  return typeof o.value === 'string' ? o.value : undefined;
}

function staticSelect(el: Obj, where: string, problems: string[]): void {
  if (el.placeholder !== undefined)
    plainText(el.placeholder, VIEW_LIMITS.placeholder, `${where}.placeholder`, problems);
  const hasOptions = el.options !== undefined;
  const hasGroups = el.option_groups !== undefined;
  if (hasOptions === hasGroups) {
    problems.push(`${where}: exactly one of options and option_groups`);
    return;
  }
  const values: string[] = [];
  if (hasOptions) {
    if (!Array.isArray(el.options) || el.options.length === 0 || el.options.length > VIEW_LIMITS.options)
      problems.push(`${where}.options: 1–${VIEW_LIMITS.options} options`);
    else
      el.options.forEach((o, i) => {
        const v = optionProblems(o, `${where}.options[${i}]`, problems);
        if (v !== undefined) values.push(v);
      });
  } else if (
    !Array.isArray(el.option_groups) ||
    el.option_groups.length === 0 ||
    el.option_groups.length > VIEW_LIMITS.optionGroups
  ) {
    problems.push(`${where}.option_groups: 1–${VIEW_LIMITS.optionGroups} groups`);
  } else {
    el.option_groups.forEach((g, i) => {
      const at = `${where}.option_groups[${i}]`;
      if (!isObj(g) || !Array.isArray(g.options) || g.options.length === 0) {
        problems.push(`${at}: needs options`);
        return;
      }
      plainText(g.label, VIEW_LIMITS.groupLabel, `${at}.label`, problems);
      if (g.options.length > VIEW_LIMITS.options)
        problems.push(`${at}.options: at most ${VIEW_LIMITS.options}`);
      g.options.forEach((o, j) => {
        const v = optionProblems(o, `${at}.options[${j}]`, problems);
        if (v !== undefined) values.push(v);
      });
    });
  }
  if (el.initial_option !== undefined) {
    const initial = isObj(el.initial_option) ? el.initial_option.value : undefined;
    if (typeof initial !== 'string' || !values.includes(initial))
      problems.push(`${where}.initial_option: must be one of the options`);
  }
}

function inputElement(el: unknown, where: string, problems: string[]): void {
  if (!isObj(el) || typeof el.type !== 'string') {
    problems.push(`${where}: missing element`);
    return;
  }
  if (typeof el.action_id === 'string' && el.action_id.length > 255)
    problems.push(`${where}.action_id: over 255 chars`);
  if (el.type === 'static_select') staticSelect(el, where, problems);
  if (el.type === 'plain_text_input') {
    const max = el.max_length;
    if (max !== undefined && (typeof max !== 'number' || max < 1 || max > VIEW_LIMITS.inputMaxLength))
      problems.push(`${where}.max_length: 1–${VIEW_LIMITS.inputMaxLength}`);
    if (el.placeholder !== undefined)
      plainText(el.placeholder, VIEW_LIMITS.placeholder, `${where}.placeholder`, problems);
  }
}

/** Every limit a view breaks (empty when Slack would accept it). */
export function viewProblems(view: unknown, type: 'modal' | 'home'): string[] {
  if (!isObj(view)) return ['view: not a view object'];
  const problems: string[] = [];
  if (view.type !== type) problems.push(`view.type: must be ${type}`);
  if (type === 'modal') {
    plainText(view.title, VIEW_LIMITS.title, 'view.title', problems);
    plainText(view.submit, VIEW_LIMITS.button, 'view.submit', problems, false);
    plainText(view.close, VIEW_LIMITS.button, 'view.close', problems, false);
  }
  for (const [key, max] of [
    ['private_metadata', VIEW_LIMITS.privateMetadata],
    ['callback_id', VIEW_LIMITS.callbackId],
    ['external_id', VIEW_LIMITS.externalId],
  ] as const) {
    const v = view[key];
    if (v !== undefined && (typeof v !== 'string' || v.length > max))
      problems.push(`view.${key}: over ${max} chars`);
  }
  const blocks = view.blocks;
  problems.push(...blockProblems(blocks, VIEW_LIMITS.blocks).map((p) => `view.${p}`));
  if (Array.isArray(blocks)) {
    let inputs = 0;
    blocks.forEach((b, i) => {
      if (!isObj(b) || b.type !== 'input') return;
      inputs++;
      const where = `view.blocks[${i}]`;
      plainText(b.label, VIEW_LIMITS.label, `${where}.label`, problems);
      if (b.hint !== undefined) plainText(b.hint, VIEW_LIMITS.hint, `${where}.hint`, problems);
      inputElement(b.element, `${where}.element`, problems);
    });
    if (type === 'modal' && inputs > 0 && view.submit === undefined)
      problems.push('view.submit: required when the view has an input block');
  }
  return problems;
}

/** `V…` ids and `<seconds>.<n>` hashes, shaped like Slack's. */
function nextId(state: ViewsState): string {
  state.seq += 1;
  return `V0FAKE${String(state.seq).padStart(5, '0')}`;
}
function nextHash(state: ViewsState): string {
  state.seq += 1;
  return `${Math.floor(Date.now() / 1000)}.${String(state.seq).padStart(8, '0')}`;
}

/** The view as Slack returns it: the app's view plus Slack's own fields. */
function asView(v: FakeView): Obj {
  return {
    id: v.id,
    team_id: FAKE_TEAM.id,
    type: v.type,
    private_metadata: '',
    callback_id: '',
    external_id: '',
    ...v.view,
    state: { values: {} },
    hash: v.hash,
    clear_on_close: false,
    notify_on_close: false,
    previous_view_id: null,
    root_view_id: v.id,
    app_id: 'A0GREENLIGHT',
    app_installed_team_id: FAKE_TEAM.id,
    bot_id: FAKE_BOT.botId,
  };
}

function parseView(raw: unknown): Obj | undefined {
  if (isObj(raw)) return raw;
  if (typeof raw !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isObj(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function viewsOpen(state: ViewsState, args: Obj): Reply {
  const trigger = str(args.trigger_id) ?? str(args.interactivity_pointer);
  if (!trigger) return fail('invalid_arguments', ['missing trigger_id']);
  if (state.triggers.has(trigger)) return fail('exchanged_trigger_id');
  const view = parseView(args.view);
  if (!view) return fail('invalid_arguments', ['view: not a JSON object']);
  const problems = viewProblems(view, 'modal');
  if (problems.length > 0) return fail('invalid_arguments', problems);
  state.triggers.add(trigger);
  const opened: FakeView = {
    id: nextId(state),
    hash: nextHash(state),
    type: 'modal',
    view,
    triggerId: trigger,
    revisions: 0,
  };
  state.views.push(opened);
  state.emitView(opened);
  return { ok: true, view: asView(opened) };
}

export function viewsUpdate(state: ViewsState, args: Obj): Reply {
  const id = str(args.view_id);
  const externalId = str(args.external_id);
  if (!id && !externalId) return fail('invalid_arguments', ['either view_id or external_id is required']);
  const current = state.views.find(
    (v) => v.type === 'modal' && (id ? v.id === id : v.view.external_id === externalId),
  );
  if (!current) return fail('not_found');
  const hash = str(args.hash);
  if (hash !== undefined && hash !== current.hash) return fail('hash_conflict');
  const view = parseView(args.view);
  if (!view) return fail('invalid_arguments', ['view: not a JSON object']);
  const problems = viewProblems(view, 'modal');
  if (problems.length > 0) return fail('invalid_arguments', problems);
  current.view = view;
  current.hash = nextHash(state);
  current.revisions += 1;
  state.emitView(current);
  return { ok: true, view: asView(current) };
}

export function viewsPublish(state: ViewsState, args: Obj): Reply {
  const user = str(args.user_id);
  if (!user || !/^[UW][A-Z0-9]+$/.test(user)) return fail('invalid_arguments', ['invalid `user_id`']);
  const view = parseView(args.view);
  if (!view) return fail('invalid_arguments', ['view: not a JSON object']);
  const problems = viewProblems(view, 'home');
  if (problems.length > 0) return fail('invalid_arguments', problems);
  const existing = state.views.find((v) => v.type === 'home' && v.user === user);
  const hash = str(args.hash);
  if (existing && hash !== undefined && hash !== existing.hash) return fail('hash_conflict');
  const published: FakeView = existing ?? {
    id: nextId(state),
    hash: '',
    type: 'home',
    view,
    user,
    revisions: -1,
  };
  published.view = view;
  published.hash = nextHash(state);
  published.revisions += 1;
  if (!existing) state.views.push(published);
  state.emitView(published);
  return { ok: true, view: asView(published) };
}
