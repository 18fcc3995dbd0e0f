/**
 * Requests exactly as Slack sends them, built from the fixtures in `test/fixtures/slack/` (Slack's
 * documented request shapes and its signing example, see the README there), then signed and
 * POSTed to the real receiver. The builders live in `sandbox/slack-payloads.ts` (the sandbox
 * page sends the same requests); here they start from the fixtures.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type BlockActionInput,
  blockActionsPayload,
  type SlashCommandInput,
  slashCommandForm,
} from '../../sandbox/slack-payloads.js';

/** A file under `test/fixtures/` (Slack request fixtures, the app manifest schema). */
export function readFixture(relative: string): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/${relative}`, import.meta.url)), 'utf8');
}

export type { BlockActionInput, SignOptions, SlashCommandInput } from '../../sandbox/slack-payloads.js';
export { postToSlackEndpoint } from '../../sandbox/slack-payloads.js';

type Json = Record<string, unknown>;

/** A form-encoded slash command body, from `slash-command.form.txt` with our fields. */
export function slashCommandBody(input: SlashCommandInput): string {
  return slashCommandForm(input, readFixture('slack/slash-command.form.txt'));
}

/** The `block_actions` payload object, from `block-actions.json` with our fields. */
export function blockActionPayload(input: BlockActionInput): Json {
  return blockActionsPayload(input, JSON.parse(readFixture('slack/block-actions.json')) as Json);
}

/** The form-encoded interaction body: one field `payload` holding the JSON. */
export function blockActionBody(input: BlockActionInput): string {
  return new URLSearchParams({ payload: JSON.stringify(blockActionPayload(input)) }).toString();
}
