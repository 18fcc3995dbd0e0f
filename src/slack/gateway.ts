/**
 * The Slack gateway (src/app/ports/slack.ts) on Slack's WebClient. Production and tests use the
 * same client; only `slackApiUrl` differs.
 */
import type { WebClient } from '@slack/web-api';
import type { SlackGateway } from '../app/ports/slack.js';
import { CountedWebClient, type SlackApiErrorListener } from './counted-web-client.js';

/** `onApiError`: told of every call that failed (greenlight_slack_api_errors_total). */
export function createWebClient(
  token: string,
  slackApiUrl: string,
  onApiError?: SlackApiErrorListener,
): WebClient {
  // Few, quick retries: a job that cannot reach Slack fails and BullMQ retries it with backoff.
  return new CountedWebClient(
    token,
    { slackApiUrl, retryConfig: { retries: 2, maxTimeout: 2_000 }, timeout: 10_000 },
    onApiError,
  );
}

export function createSlackGateway(client: WebClient): SlackGateway {
  return {
    async post(channel, message, threadTs) {
      const res = await client.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
      if (!res.ts) throw new Error('chat.postMessage returned no ts');
      return res.ts;
    },
    async update(channel, ts, message) {
      await client.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
    },
    async ephemeral(channel, user, message, threadTs) {
      await client.chat.postEphemeral({
        channel,
        user,
        text: message.text,
        blocks: message.blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
    },
    async permalink(channel, ts) {
      try {
        const res = await client.chat.getPermalink({ channel, message_ts: ts });
        return res.permalink;
      } catch {
        return undefined;
      }
    },
    async usergroupMembers(groupId) {
      const res = await client.usergroups.users.list({ usergroup: groupId });
      return res.users ?? [];
    },
  };
}
