/**
 * Block Kit constructors that enforce Slack's limits (docs/platform-facts.md, "Slack message
 * limits"), so no builder can produce a message Slack rejects. Pure.
 */
import type { types } from '@slack/bolt';
import type { SlackMessage } from '../app/ports/slack.js';
import { plainClip, truncate } from './format.js';

export type KnownBlock = types.KnownBlock;
export type Button = types.Button;
export type ConfirmationDialog = types.ConfirmationDialog;
export type SectionBlock = types.SectionBlock;
export type ContextBlock = types.ContextBlock;
export type ActionsBlock = types.ActionsBlock;

export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  contextElements: 10,
  contextText: 2000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  actionsElements: 25,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** Slack truncates far later; Greenlight keeps `text` under 4000 (docs/platform-facts.md). */
  fallbackText: 3900,
} as const;

export function section(mrkdwn: string, accessory?: Button): SectionBlock {
  const block: SectionBlock = {
    type: 'section',
    text: { type: 'mrkdwn', text: truncate(mrkdwn, LIMITS.sectionText) || '…' },
  };
  if (accessory) block.accessory = accessory;
  return block;
}

/** A two-column section. */
export function fieldsSection(fields: string[]): SectionBlock {
  return {
    type: 'section',
    fields: fields
      .slice(0, LIMITS.fields)
      .map((text) => ({ type: 'mrkdwn' as const, text: truncate(text, LIMITS.fieldText) })),
  };
}

export function context(...texts: string[]): ContextBlock {
  return {
    type: 'context',
    elements: texts
      .slice(0, LIMITS.contextElements)
      .map((text) => ({ type: 'mrkdwn' as const, text: truncate(text, LIMITS.contextText) })),
  };
}

export function header(text: string): KnownBlock {
  return {
    type: 'header',
    text: { type: 'plain_text', text: plainClip(text, LIMITS.headerText), emoji: true },
  };
}

export function divider(): KnownBlock {
  return { type: 'divider' };
}

export interface ConfirmSpec {
  title: string;
  text: string;
  confirm: string;
  deny?: string;
  danger?: boolean;
}

/** A Block Kit confirmation dialog (plain text, clipped to Slack's limits). */
export function confirmDialog(spec: ConfirmSpec): ConfirmationDialog {
  const dialog: ConfirmationDialog = {
    title: { type: 'plain_text', text: plainClip(spec.title, LIMITS.confirmTitle) },
    text: { type: 'plain_text', text: plainClip(spec.text, LIMITS.confirmText) },
    confirm: { type: 'plain_text', text: plainClip(spec.confirm, LIMITS.confirmButton) },
    deny: { type: 'plain_text', text: plainClip(spec.deny ?? 'Keep as is', LIMITS.confirmButton) },
  };
  if (spec.danger) dialog.style = 'danger';
  return dialog;
}

export interface ButtonSpec {
  text: string;
  actionId: string;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: ConfirmSpec;
}

/** A button; throws on a value or action id over Slack's limits (those are programming errors). */
export function button(spec: ButtonSpec): Button {
  if (spec.value.length > LIMITS.buttonValue)
    throw new RangeError(`button value over ${LIMITS.buttonValue} chars`);
  if (spec.actionId.length > LIMITS.actionId) throw new RangeError(`action_id over ${LIMITS.actionId} chars`);
  const b: Button = {
    type: 'button',
    text: { type: 'plain_text', text: plainClip(spec.text, LIMITS.buttonText), emoji: true },
    action_id: spec.actionId,
    value: spec.value,
  };
  if (spec.style) b.style = spec.style;
  if (spec.confirm) b.confirm = confirmDialog(spec.confirm);
  return b;
}

export function actions(buttons: Button[]): ActionsBlock {
  return { type: 'actions', elements: buttons.slice(0, LIMITS.actionsElements) };
}

/**
 * Packs lines into as few sections as possible, at most `maxBlocks` sections; a line longer than
 * a section is truncated. Lines that do not fit are summarised.
 */
export function sections(lines: string[], maxBlocks = 4): SectionBlock[] {
  const out: string[] = [];
  let current = '';
  let dropped = 0;
  const budget = LIMITS.sectionText - 40; // room for the "…N more lines" note
  for (const raw of lines) {
    const line = truncate(raw, budget);
    if (dropped > 0) {
      dropped++;
      continue;
    }
    if (current && current.length + 1 + line.length > budget) {
      if (out.length + 1 >= maxBlocks) {
        dropped++;
        continue;
      }
      out.push(current);
      current = line;
    } else {
      current = current ? `${current}\n${line}` : line;
    }
  }
  if (current) out.push(dropped > 0 ? `${current}\n_…${dropped} more lines not shown_` : current);
  return out.map((text) => section(text));
}

/**
 * Finalises a message within the text and block limits (an actions block at the end is kept when
 * the middle is cut).
 */
export function message(text: string, blocks: KnownBlock[]): SlackMessage {
  let out = blocks;
  if (blocks.length > LIMITS.blocks) {
    const last = blocks[blocks.length - 1];
    const keepLast = last?.type === 'actions';
    const head = blocks.slice(0, LIMITS.blocks - (keepLast ? 2 : 1));
    const omitted = blocks.length - head.length - (keepLast ? 1 : 0);
    out = [...head, context(`_…${omitted} more blocks not shown_`), ...(keepLast && last ? [last] : [])];
  }
  return { text: truncate(text.trim() || 'Greenlight', LIMITS.fallbackText), blocks: out };
}
