/** Webhook results (beforeCutover, afterCutover, beforeTeardown, the notification hooks), posted in the thread. Pure. */
import type { SlackMessage } from '../app/ports/slack.js';
import type { Deployment } from '../domain/deployment.js';
import type { HookResult } from '../domain/evidence.js';
import { routeText } from './common.js';
import { clipLine, code, codeBlock, dur, urlHostPath } from './format.js';
import { context, type KnownBlock, message, section } from './kit.js';

/** Characters of the response body shown. */
export const MAX_EXCERPT = 300;

function answer(r: HookResult): string {
  return r.status === null ? 'no answer' : `HTTP ${Number.isInteger(r.status) ? r.status : '?'}`;
}

/** `✅ \`beforeCutover\` → hooks.example.com/pre: HTTP 200 in 120ms (1 attempt)` (mrkdwn, escaped). */
export function hookSummary(r: HookResult): string {
  const attempts = `${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`;
  return `${r.ok ? '✅' : '❌'} hook ${code(r.hook, 30)} → ${code(urlHostPath(r.url), 140)}: ${answer(r)} in ${dur(r.durationMs)} (${attempts})`;
}

/** What a failure means for the deployment; empty when the hook succeeded. */
function consequence(r: HookResult): string {
  if (r.ok) return '';
  switch (r.hook) {
    case 'beforeCutover':
      return '⛔ *Cutover aborted — nothing was changed on the load balancer.*';
    case 'afterCutover':
      return '⚠️ The cutover itself stands; check what the hook was meant to do.';
    case 'afterRollback':
    case 'verificationFailed':
      return '⚠️ A notification only: nothing was undone or held up by it; check what the hook was meant to do.';
    default:
      return '⚠️ Check what the hook was meant to do before the old slot goes.';
  }
}

export function hookResultMessage(d: Deployment, result: HookResult): SlackMessage {
  const blocks: KnownBlock[] = [section(`🪝 ${hookSummary(result)}`)];
  const then = consequence(result);
  if (then) blocks.push(section(then));
  if (result.excerpt.trim()) blocks.push(section(`*Response*\n${codeBlock(result.excerpt, MAX_EXCERPT)}`));
  blocks.push(context(`Deployment ${code(d.id)} · ${routeText(d)}`));
  const tail =
    !result.ok && result.hook === 'beforeCutover'
      ? '; cutover aborted — nothing was changed on the load balancer'
      : '';
  return message(
    `Hook ${clipLine(result.hook, 30)} for ${routeText(d)}: ${result.ok ? 'OK' : 'failed'} (${answer(result)})${tail}`,
    blocks,
  );
}
