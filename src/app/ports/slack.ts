/**
 * The Slack Web API calls the jobs make, behind one small interface (the jobs never see Bolt).
 * The implementation is src/slack/gateway.ts; production and tests use the same WebClient.
 */
import type { types } from '@slack/bolt';

/** What every message builder returns: `text` is the notification / fallback, `blocks` the rendering. */
export interface SlackMessage {
  text: string;
  blocks: types.KnownBlock[];
}

export interface SlackGateway {
  /** Posts a message (a thread reply when `threadTs` is given) and returns its ts. */
  post(channel: string, message: SlackMessage, threadTs?: string): Promise<string>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
  ephemeral(channel: string, user: string, message: SlackMessage, threadTs?: string): Promise<void>;
  permalink(channel: string, ts: string): Promise<string | undefined>;
  usergroupMembers(groupId: string): Promise<string[]>;
}
