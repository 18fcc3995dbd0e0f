/** Reading what the bot sent to the local Slack Web API: messages, buttons, mentions. */
import type { FakeSlackApi, RecordedCall } from '../../sandbox/fake-slack-api.js';
import { decodeActionValue } from '../../src/messages/action-ids.js';

export interface SentButton {
  actionId: string;
  value: string;
  text: string;
  confirm: boolean;
}

function blocksOf(call: RecordedCall): unknown[] {
  const raw = call.args['blocks'];
  if (typeof raw === 'string') return JSON.parse(raw) as unknown[];
  return Array.isArray(raw) ? raw : [];
}

export function buttonsOf(call: RecordedCall): SentButton[] {
  const out: SentButton[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const el = node as Record<string, unknown>;
    if (el['type'] === 'button' && typeof el['action_id'] === 'string') {
      out.push({
        actionId: el['action_id'],
        value: String(el['value'] ?? ''),
        text: String((el['text'] as { text?: string } | undefined)?.text ?? ''),
        confirm: el['confirm'] !== undefined,
      });
    }
    for (const v of Object.values(el)) if (typeof v === 'object') visit(v);
  };
  visit(blocksOf(call));
  return out;
}

/** Everything readable in a message: fallback text plus every text field in its blocks. */
export function textOf(call: RecordedCall): string {
  const parts: string[] = [String(call.args['text'] ?? '')];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (k === 'text' && typeof v === 'string') parts.push(v);
      else if (typeof v === 'object') visit(v);
    }
  };
  visit(blocksOf(call));
  return parts.join('\n');
}

export const posts = (slack: FakeSlackApi) => slack.callsTo('chat.postMessage');
export const updates = (slack: FakeSlackApi) => slack.callsTo('chat.update');
export const ephemerals = (slack: FakeSlackApi) => slack.callsTo('chat.postEphemeral');

/**
 * The button with this action id in the most recent message (post or update) carrying one — of
 * deployment `deploymentId` when given (its value names the deployment).
 */
export function latestButton(
  slack: FakeSlackApi,
  actionId: string,
  deploymentId?: string,
): SentButton | undefined {
  const calls = [...slack.calls]
    .reverse()
    .filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update');
  for (const c of calls) {
    const b = buttonsOf(c).find(
      (x) =>
        x.actionId === actionId &&
        (deploymentId === undefined || decodeActionValue(x.value)?.deploymentId === deploymentId),
    );
    if (b) return b;
  }
  return undefined;
}

/** Thread replies under `parentTs` whose text matches. */
export function threadPosts(slack: FakeSlackApi, parentTs: string, match?: RegExp): RecordedCall[] {
  return posts(slack).filter((c) => c.args['thread_ts'] === parentTs && (!match || match.test(textOf(c))));
}
