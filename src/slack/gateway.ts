/**
 * The Slack Web API calls the jobs make, behind one small interface (the jobs never see Bolt).
 * Production and tests use the same WebClient; only `slackApiUrl` differs.
 */
import { WebClient } from '@slack/web-api';
import type { SlackMessage } from './blocks/index.js';

export interface SlackGateway {
  /** Posts a message (a thread reply when `threadTs` is given) and returns its ts. */
  post(channel: string, message: SlackMessage, threadTs?: string): Promise<string>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
  ephemeral(channel: string, user: string, message: SlackMessage, threadTs?: string): Promise<void>;
  permalink(channel: string, ts: string): Promise<string | undefined>;
  usergroupMembers(groupId: string): Promise<string[]>;
}

export function createWebClient(token: string, slackApiUrl: string): WebClient {
  // Few, quick retries: a job that cannot reach Slack fails and BullMQ retries it with backoff.
  return new WebClient(token, {
    slackApiUrl,
    retryConfig: { retries: 2, maxTimeout: 2_000 },
    timeout: 10_000,
  });
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
