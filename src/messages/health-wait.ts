/** The precheck's health-check progress (thread reply, edited in place while it waits). Pure. */
import type { SlackMessage } from '../app/ports/slack.js';
import type { Deployment } from '../domain/deployment.js';
import { clipLine, slot } from './format.js';
import { context, message, section } from './kit.js';

export function healthWaitMessage(d: Deployment, progress: string, final: boolean): SlackMessage {
  const head = final
    ? `🩺 *Health checks* of ${slot(d.toSlot)} — done waiting:`
    : `⏳ *Waiting for health checks* of ${slot(d.toSlot)} — it receives no production traffic meanwhile:`;
  const note = d.healthWait?.attachedAt
    ? `${d.toSlot} was named by no forward, so AWS did not health-check it; Greenlight attached it with its preview rule.`
    : `Its targets are still being checked by the load balancer.`;
  return message(`Health checks of ${d.toSlot}: ${clipLine(progress, 300)}`, [
    section(`${head}\n${clipLine(progress, 1000)}`),
    context(note),
  ]);
}
