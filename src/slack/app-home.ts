/**
 * The App Home tab (src/messages/app-home.ts), published for whoever opens it. Slack sends the
 * `app_home_opened` event each time a user enters the app's home, with `tab: "home"` or
 * `"messages"` (docs.slack.dev: `app_home_opened` event); `views.publish` then sets that user's
 * Home tab (docs.slack.dev: `views.publish`). There is no trigger id to race: the tab is read when
 * it is opened, at most once per HOME_READING_TTL_MS in this process.
 */
import { appHome, type ServiceOverview } from '../messages/index.js';
import type { ViewsClient } from './counted-web-client.js';
import { readOverviews } from './service-overview.js';
import type { WebContext } from './web-context.js';

/**
 * How long one reading of every service serves the Home tabs opened after it: each reading reads
 * the listeners and rules of every service's load balancer, and many people open the tab at once
 * (a release train); the tab says when it was read.
 */
export const HOME_READING_TTL_MS = 10_000;

const readings = new WeakMap<WebContext, { at: number; services: Promise<ServiceOverview[]> }>();

/** Every service's overview, read at most once per HOME_READING_TTL_MS in this process. */
function homeReading(ctx: WebContext): { at: number; services: Promise<ServiceOverview[]> } {
  const now = ctx.clock.now();
  const cached = readings.get(ctx);
  if (cached && now - cached.at < HOME_READING_TTL_MS) return cached;
  const fresh = { at: now, services: readOverviews(ctx, Object.values(ctx.config.services)) };
  // A failed reading is not kept: the next opening reads again.
  fresh.services.catch(() => readings.delete(ctx));
  readings.set(ctx, fresh);
  return fresh;
}

/** Publishes `userId`'s App Home tab: every configured service as read at most 10 s ago. */
export async function publishAppHome(ctx: WebContext, client: ViewsClient, userId: string): Promise<void> {
  const reading = homeReading(ctx);
  const services = await reading.services;
  await client.views.publish({ user_id: userId, view: appHome({ services, now: reading.at }) });
}
