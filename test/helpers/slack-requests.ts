/**
 * Requests exactly as Slack sends them, built from the fixtures in `../shared/fixtures/slack/`
 * (the repo sits next to a `shared/` folder; `GREENLIGHT_SHARED_DIR` points elsewhere if not),
 * then signed and POSTed to the real receiver. The builders live in `src/sandbox/slack-payloads.ts`
 * (the sandbox page sends the same requests); here they start from the fixtures.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BlockActionInput,
  blockActionsPayload,
  type SlashCommandInput,
  slashCommandForm,
} from '../../src/sandbox/slack-payloads.js';

/** Absolute path of a file in the shared folder (fixtures, schemas). */
export function sharedPath(relative: string): string {
  const beside = fileURLToPath(new URL(`../../../shared/${relative}`, import.meta.url));
  if (existsSync(beside)) return beside;
  const dir = process.env.GREENLIGHT_SHARED_DIR;
  if (dir && existsSync(join(dir, relative))) return join(dir, relative);
  throw new Error(
    `shared file ${relative} not found next to the repo (${beside}) nor in GREENLIGHT_SHARED_DIR`,
  );
}

export function readShared(relative: string): string {
  return readFileSync(sharedPath(relative), 'utf8');
}

export type { BlockActionInput, SignOptions, SlashCommandInput } from '../../src/sandbox/slack-payloads.js';
export { postToSlackEndpoint } from '../../src/sandbox/slack-payloads.js';

type Json = Record<string, unknown>;

/** A form-encoded slash command body, from `slash-command.form.txt` with our fields. */
export function slashCommandBody(input: SlashCommandInput): string {
  return slashCommandForm(input, readShared('fixtures/slack/slash-command.form.txt'));
}

/** The `block_actions` payload object, from `block-actions.json` with our fields. */
export function blockActionPayload(input: BlockActionInput): Json {
  return blockActionsPayload(input, JSON.parse(readShared('fixtures/slack/block-actions.json')) as Json);
}

/** The form-encoded interaction body: one field `payload` holding the JSON. */
export function blockActionBody(input: BlockActionInput): string {
  return new URLSearchParams({ payload: JSON.stringify(blockActionPayload(input)) }).toString();
}
