/**
 * The App Home tab (src/messages/app-home.ts), published for whoever opens it. Slack sends the
 * `app_home_opened` event each time a user enters the app's home, with `tab: "home"` or
 * `"messages"` (docs.slack.dev: `app_home_opened` event); `views.publish` then sets that user's
 * Home tab (docs.slack.dev: `views.publish`). There is no trigger id to race: the tab is read
 * fresh at each opening.
 */
import type { WebClient } from '@slack/web-api';
import { appHome } from '../messages/index.js';
import { readOverviews } from './service-overview.js';
import type { WebContext } from './web-context.js';

/** Publishes `userId`'s App Home tab: every configured service as it is now. */
export async function publishAppHome(
  ctx: WebContext,
  client: Pick<WebClient, 'views'>,
  userId: string,
): Promise<void> {
  const services = await readOverviews(ctx, Object.values(ctx.config.services));
  await client.views.publish({ user_id: userId, view: appHome({ services, now: ctx.clock.now() }) });
}
