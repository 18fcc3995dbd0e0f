/** Ephemeral acknowledgement of `/deploy`: where to follow the deployment. Pure. */
import type { SlackMessage } from '../app/ports/slack.js';
import type { Deployment } from '../domain/deployment.js';
import { requestReasonText, routeText } from './common.js';
import { channelLink, clipLine, code, link } from './format.js';
import { message, section } from './kit.js';

export function requestAccepted(d: Deployment, permalink?: string): SlackMessage {
  const where = permalink
    ? `${link(permalink, 'the thread')} in ${channelLink(d.channel)}`
    : channelLink(d.channel);
  const why = requestReasonText(d);
  const line = `👍 Deployment ${code(d.id)} requested (${routeText(d)}); follow it in ${where}.${why ? `\n*Why:* ${why}` : ''}`;
  return message(`Deployment ${clipLine(d.id, 120)} requested; follow it in ${channelLink(d.channel)}`, [
    section(line),
  ]);
}
