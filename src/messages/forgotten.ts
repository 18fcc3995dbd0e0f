/** Alerts about data Greenlight lost and environments it forgot (posted in a service's channel). Pure. */
import type { SlackMessage } from '../app/ports/slack.js';
import { formatDuration } from '../domain/duration.js';
import type { IdleSlot } from '../domain/idle-slots.js';
import { clipLine, code } from './format.js';
import { context, message, section, sections } from './kit.js';

function slotLine(s: IdleSlot, now: number): string {
  const parts: string[] = [];
  if (s.registered > 0) parts.push(`${s.registered} registered target(s)`);
  if (s.compute && s.compute.running > 0) parts.push(`${s.compute.what} still running ${s.compute.running}`);
  const age = now - s.idleSince >= 60_000 ? `, idle for at least ${formatDuration(now - s.idleSince)}` : '';
  return `• slot *${clipLine(s.slot, 40)}*: ${parts.join(', ')}; no production forward sends it traffic${age}`;
}

/** One service's idle slots that no deployment record accounts for. */
export function forgottenEnvironmentMessage(
  service: string,
  slots: IdleSlot[],
  reason: 'periodic' | 'loss' | 'fresh-dataset',
  now: number,
): SlackMessage {
  const name = clipLine(service, 40);
  const why =
    reason === 'loss'
      ? 'Greenlight lost its records (its Redis data was lost), so no teardown is scheduled for it.'
      : reason === 'fresh-dataset'
        ? 'Greenlight has no record of it: its Redis dataset is new (a first start, or data lost while every Greenlight process was down), so no teardown is scheduled for it.'
        : 'No deployment record accounts for it: no teardown is scheduled.';
  const text = `Forgotten environment: ${name} has ${slots.length} slot(s) running without traffic`;
  return message(text, [
    section(`🧟 *Forgotten environment* — *${name}* runs without traffic. ${why}`),
    ...sections(slots.map((s) => slotLine(s, now))),
    context(
      `Check the slot, then scale it down by hand, or deploy to it again with ${code(`/deploy ${service} <slot>`)}. Reported at most once a day per slot.`,
    ),
  ]);
}

/** Said in every service channel once, when a process finds that Redis lost its data. */
export function redisLossMessage(services: string[]): SlackMessage {
  const names = services.map((s) => `*${clipLine(s, 40)}*`).join(', ');
  const text = 'Greenlight lost its Redis data: deployment records, locks and scheduled teardowns are gone';
  return message(text, [
    section(
      `🚨 *Greenlight lost its Redis data.* Deployment records, service locks, scheduled reminders and teardowns of ${names} are gone (Redis restarted without persistence, failed over to an empty replica, or was flushed).`,
    ),
    context(
      'Greenlight is checking the load balancer now and will name every slot that runs without traffic. Until then, nothing is torn down on schedule. Make Redis durable: see the README, "Redis settings".',
    ),
  ]);
}
