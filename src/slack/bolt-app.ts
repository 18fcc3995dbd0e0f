/**
 * The Bolt app: HTTP mode on POST /slack/events (signatures verified by Bolt's receiver), or
 * Socket Mode with an app-level token. Listeners are thin: ack within Slack's 3 s, hand the
 * input to the command/action handlers, reply ephemerally. Never a stack trace to a user.
 */
import type { IncomingMessage } from 'node:http';
import { App, type CustomRoute, HTTPReceiver } from '@slack/bolt';
import type { SlackMessage } from '../app/ports/slack.js';
import { beforeDeadline, TOO_LATE } from '../domain/deadline.js';
import { errorMessage } from '../errors.js';
import { DEPLOY_FORM, INTERNAL_ERROR } from '../messages/index.js';
import type { Logger } from '../ops/logger.js';
import { handleAction } from './action-handler.js';
import { publishAppHome } from './app-home.js';
import { boltLogger } from './bolt-logger.js';
import { handleCommand } from './command-handler.js';
import { countedViews, type ViewsClient } from './counted-web-client.js';
import { formChannel, openDeployForm, refreshDeployForm, submitDeployForm } from './deploy-form.js';
import type { WebContext } from './web-context.js';

export interface BoltOptions {
  token: string;
  signingSecret?: string;
  appToken?: string;
  slackApiUrl: string;
  customRoutes: CustomRoute[];
  /** Socket Mode serves the custom routes on this port. */
  port: number;
  log: Logger;
  /** False for a replayed request (a signature seen before within Slack's 5-minute window). */
  firstSeen?: (signature: string) => Promise<boolean>;
}

/**
 * Bodies larger than this are refused (413) while being read, before the signature check — Bolt's
 * default is 4 MB. Slack's own requests are far smaller: a slash command is a short form, and a
 * block_actions payload carries one message of at most 50 blocks.
 */
export const SLACK_BODY_LIMIT = 256 * 1024;

function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return typeof v === 'string' ? v : '';
}

/** If recording a command takes longer than this, ack first and answer through response_url. */
const ACK_BUDGET_MS = 2_000;

export function createBoltApp(opts: BoltOptions, web: WebContext): App {
  const socket = opts.appToken !== undefined;
  const logger = boltLogger(opts.log);
  const app = new App({
    token: opts.token,
    ...(socket
      ? {
          appToken: opts.appToken,
          socketMode: true,
          installerOptions: { port: opts.port },
          customRoutes: opts.customRoutes,
        }
      : {
          receiver: new HTTPReceiver({
            signingSecret: opts.signingSecret ?? '',
            customRoutes: opts.customRoutes,
            bodyLimit: SLACK_BODY_LIMIT,
            // The signature, for the replay check below (Bolt has verified it by then).
            customPropertiesExtractor: (req) => ({ slackSignature: header(req, 'x-slack-signature') }),
            logger,
          }),
        }),
    clientOptions: { slackApiUrl: opts.slackApiUrl },
    logger,
  });

  const firstSeen = opts.firstSeen;
  if (!socket && firstSeen) {
    app.use(async (args) => {
      const signature = args.context['slackSignature'];
      if (typeof signature === 'string' && signature !== '') {
        // Fail open when Redis cannot answer: the handlers need Redis too and will say so.
        const fresh = await firstSeen(signature).catch(() => true);
        if (!fresh) {
          opts.log.warn({ type: args.body.type }, 'replayed Slack request ignored');
          const ack = (args as { ack?: () => Promise<void> }).ack;
          if (ack) await ack();
          return;
        }
      }
      await args.next();
    });
  }

  /** Bolt's client for a listener's views calls, their failures counted. */
  const views = (client: ViewsClient) =>
    countedViews(client, (method, error) => web.metrics.slackApiError(method, error));

  app.command('/deploy', async ({ command, ack, respond, client }) => {
    if (opensForm(command.text)) {
      // The form needs the command's trigger id, which expires about 3 s after Slack sent it:
      // ack, then open the form at once (filled in after it is open). If Slack will not open it,
      // the usage is the answer, as before there was a form.
      await ack();
      const input = { userId: command.user_id, channelId: command.channel_id };
      const opened = await openDeployForm(web, views(client), opts.log, {
        ...input,
        triggerId: command.trigger_id,
      });
      if (!opened) {
        const usage = await handleCommand(web, { command: command.command, text: '', ...input });
        if (usage) await respond({ response_type: 'ephemeral', ...usage });
      }
      return;
    }
    const work = handleCommand(web, {
      command: command.command,
      text: command.text,
      userId: command.user_id,
      channelId: command.channel_id,
    }).catch((err: unknown): SlackMessage => {
      opts.log.error({ err: errorMessage(err), user: command.user_id }, 'command failed');
      return INTERNAL_ERROR;
    });
    const first = await beforeDeadline(work, ACK_BUDGET_MS);
    if (first === TOO_LATE) {
      await ack({ response_type: 'ephemeral', text: 'Working on it…' });
      const reply = await work;
      if (reply) await respond({ response_type: 'ephemeral', replace_original: true, ...reply });
      return;
    }
    if (!first) return ack();
    await ack({ response_type: 'ephemeral', text: first.text, blocks: first.blocks });
  });

  app.action(/^gl_/, async ({ action, body, ack }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button' || !('action_id' in action)) return;
    const userId = body.user.id;
    try {
      const result = await handleAction(web, {
        actionId: action.action_id,
        value: action.value ?? '',
        userId,
      });
      const channel = result.deployment?.channel ?? body.channel?.id;
      if (result.reply && channel) {
        await web.slack.ephemeral(channel, userId, result.reply, result.deployment?.messages.card);
      }
    } catch (err) {
      opts.log.error({ err: errorMessage(err), user: userId, action: action.action_id }, 'button failed');
      const channel = body.channel?.id;
      if (channel) await web.slack.ephemeral(channel, userId, INTERNAL_ERROR).catch(() => {});
    }
  });

  app.action(DEPLOY_FORM.serviceAction, async ({ ack, body, action, client }) => {
    await ack();
    // A service chosen in the form: its slots alone are listed, with their status.
    if (body.type !== 'block_actions' || !body.view || action.type !== 'static_select') return;
    const channelId = formChannel(body.view.private_metadata);
    const selected = action.selected_option?.value;
    if (!channelId || !selected) return;
    await refreshDeployForm(web, views(client), opts.log, body.view, {
      userId: body.user.id,
      channelId,
      selected,
    }).catch((err: unknown) => {
      opts.log.warn({ err: errorMessage(err), user: body.user.id }, 'deploy form refresh failed');
    });
  });

  app.view(DEPLOY_FORM.callbackId, async ({ ack, body, view }) => {
    await submitDeployForm(
      web,
      { view, userId: body.user.id },
      { ack: (answer) => (answer ? ack(answer) : ack()), log: opts.log, budgetMs: ACK_BUDGET_MS },
    );
  });

  app.event('app_home_opened', async ({ event, client }) => {
    // Sent for the Messages tab too; only the Home tab has a view to publish.
    if (event.tab !== 'home') return;
    await publishAppHome(web, views(client), event.user).catch((err: unknown) => {
      opts.log.warn({ err: errorMessage(err), user: event.user }, 'App Home could not be published');
    });
  });

  return app;
}

/** `/deploy` with nothing after it opens the form. */
function opensForm(text: string): boolean {
  return text.trim() === '';
}
