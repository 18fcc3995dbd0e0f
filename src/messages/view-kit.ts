/**
 * Block Kit constructors for views — the `/deploy` form (a modal) and the App Home tab — that keep
 * to Slack's documented limits, so no builder can produce a view Slack rejects. Pure.
 *
 * Limits (docs.slack.dev, "Modal views" / "Home tab views", "Input block", "Select menu element",
 * "Option object", "Plain-text input element"): at most 100 blocks per view; a modal's title, submit
 * and close texts at most 24 characters; `private_metadata` at most 3000; `callback_id` at most
 * 255; an input block's label and hint at most 2000; a static select at most 100 options or 100
 * option groups; an option's text and description at most 75, its value at most 75 (the
 * @slack/types documentation; some pages say 150 — the smaller holds for both); a group's label at
 * most 75; a plain-text input's `max_length` at most 3000.
 */
import type { types } from '@slack/bolt';
import { plainClip } from './format.js';
import { context, type KnownBlock } from './kit.js';

export type ModalView = types.ModalView;
export type HomeView = types.HomeView;
export type InputBlock = types.InputBlock;
export type PlainTextOption = types.PlainTextOption;
export type StaticSelect = types.StaticSelect;

export const VIEW_LIMITS = {
  blocks: 100,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  label: 2000,
  hint: 2000,
  placeholder: 150,
  options: 100,
  optionGroups: 100,
  optionText: 75,
  optionValue: 75,
  optionDescription: 75,
  groupLabel: 75,
  inputMaxLength: 3000,
} as const;

const plain = (text: string, max: number): types.PlainTextElement => ({
  type: 'plain_text',
  text: plainClip(text, max) || '…',
  emoji: true,
});

/** An option of a select menu. Throws on a value over Slack's limit (a programming error). */
export function option(text: string, value: string, description?: string): PlainTextOption {
  if (value.length === 0 || value.length > VIEW_LIMITS.optionValue)
    throw new RangeError(`option value must be 1–${VIEW_LIMITS.optionValue} chars`);
  const o: PlainTextOption = { text: plain(text, VIEW_LIMITS.optionText), value };
  if (description) o.description = plain(description, VIEW_LIMITS.optionDescription);
  return o;
}

export interface SelectSpec {
  actionId: string;
  placeholder: string;
  /** Either a flat list or groups (Slack takes one or the other). */
  options?: PlainTextOption[];
  groups?: { label: string; options: PlainTextOption[] }[];
  /** Must be one of the options; ignored otherwise (Slack refuses an initial option it does not list). */
  initial?: string;
}

/** A static select, cut to Slack's counts (the menu's own search covers long lists). */
export function staticSelect(spec: SelectSpec): StaticSelect {
  const el: StaticSelect = {
    type: 'static_select',
    action_id: spec.actionId,
    placeholder: plain(spec.placeholder, VIEW_LIMITS.placeholder),
  };
  const all: PlainTextOption[] = [];
  if (spec.groups) {
    el.option_groups = spec.groups.slice(0, VIEW_LIMITS.optionGroups).map((g) => {
      const options = g.options.slice(0, VIEW_LIMITS.options);
      all.push(...options);
      return { label: plain(g.label, VIEW_LIMITS.groupLabel), options };
    });
  } else {
    el.options = (spec.options ?? []).slice(0, VIEW_LIMITS.options);
    all.push(...el.options);
  }
  const initial = all.find((o) => o.value === spec.initial);
  if (initial) el.initial_option = initial;
  return el;
}

export interface InputSpec {
  blockId: string;
  label: string;
  element: types.InputBlockElement;
  hint?: string;
  optional?: boolean;
  /** Send a block_actions payload when the element changes (the form narrows the slots). */
  dispatchAction?: boolean;
}

export function inputBlock(spec: InputSpec): InputBlock {
  const block: InputBlock = {
    type: 'input',
    block_id: spec.blockId,
    label: plain(spec.label, VIEW_LIMITS.label),
    element: spec.element,
  };
  if (spec.hint) block.hint = plain(spec.hint, VIEW_LIMITS.hint);
  if (spec.optional) block.optional = true;
  if (spec.dispatchAction) block.dispatch_action = true;
  return block;
}

export function plainTextInput(
  actionId: string,
  maxLength: number,
  placeholder?: string,
): types.PlainTextInput {
  const el: types.PlainTextInput = {
    type: 'plain_text_input',
    action_id: actionId,
    max_length: Math.min(Math.max(1, maxLength), VIEW_LIMITS.inputMaxLength),
  };
  if (placeholder) el.placeholder = plain(placeholder, VIEW_LIMITS.placeholder);
  return el;
}

/**
 * At most `max` blocks: when there are more, the last kept block is a note saying how many were
 * left out and where to see everything (`more`).
 */
export function capBlocks(blocks: KnownBlock[], more: (omitted: number) => string, max = VIEW_LIMITS.blocks) {
  if (blocks.length <= max) return blocks;
  const head = blocks.slice(0, max - 1);
  return [...head, context(more(blocks.length - head.length))];
}

export interface ModalSpec {
  callbackId: string;
  title: string;
  blocks: KnownBlock[];
  submit?: string;
  close?: string;
  privateMetadata?: string;
}

/** A modal view; throws on metadata or a callback id over Slack's limits (programming errors). */
export function modalView(spec: ModalSpec): ModalView {
  if (spec.callbackId.length > VIEW_LIMITS.callbackId) throw new RangeError('callback_id too long');
  if ((spec.privateMetadata ?? '').length > VIEW_LIMITS.privateMetadata)
    throw new RangeError('private_metadata too long');
  const view: ModalView = {
    type: 'modal',
    callback_id: spec.callbackId,
    title: plain(spec.title, VIEW_LIMITS.modalTitle),
    blocks: capBlocks(spec.blocks, (n) => `_…${n} more blocks not shown_`),
  };
  if (spec.submit) view.submit = plain(spec.submit, VIEW_LIMITS.modalButton);
  if (spec.close) view.close = plain(spec.close, VIEW_LIMITS.modalButton);
  if (spec.privateMetadata !== undefined) view.private_metadata = spec.privateMetadata;
  return view;
}

/** An App Home tab view; blocks past Slack's limit are cut, the last kept one saying how many (`capBlocks`). */
export function homeView(callbackId: string, blocks: KnownBlock[]): HomeView {
  return {
    type: 'home',
    callback_id: callbackId,
    blocks: capBlocks(blocks, (n) => `_…${n} more blocks not shown_`),
  };
}
