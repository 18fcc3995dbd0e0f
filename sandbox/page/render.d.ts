/** Types of render.js (browser JS without a build step; the unit tests import it in Node). */

export interface Names {
  userName(id: string): string;
  groupName(id: string): string;
  channelName(id: string): string;
}

export interface RenderableMessage {
  text?: string;
  blocks?: unknown[];
}

export function escapeHtml(text: unknown): string;
export function decodeEntities(text: unknown): string;
export function angleToken(inner: string, names?: Names): string;
export function mrkdwn(text: unknown, names?: Names): string;
export function textObject(obj: unknown, names?: Names): string;
export function blockIdOf(block: unknown, index: number): string;
export function renderBlock(block: unknown, index: number, names?: Names): string;
/** Never throws: a message that cannot be rendered becomes renderFallback's plain text and note. */
export function renderMessage(message: RenderableMessage, names?: Names): string;
export function renderFallback(message: unknown, err: unknown): string;
export function isoDate(seconds: unknown): string | undefined;
export function listOf<T = unknown>(value: unknown): T[];
export function buttonsOf(
  blocks: unknown[] | undefined,
): { actionId: string; blockId: string; text: string }[];
