/**
 * Slack's WebClient, counting the Web API calls that fail. Every method (`chat.postMessage`,
 * `usergroups.users.list`, …) goes through `apiCall` — the method helpers are bound to it when the
 * client is built — so one override sees them all, after the client's own retries.
 */
import { type WebAPICallResult, WebClient, type WebClientOptions } from '@slack/web-api';

/** Called once per failed call: the Web API method and the error as Slack names it. */
export type SlackApiErrorListener = (method: string, error: string) => void;

interface SlackErrorLike {
  code?: unknown;
  data?: { error?: unknown };
  statusCode?: unknown;
  original?: { message?: unknown };
}

/**
 * The error of a failed call, in Slack's words where Slack gave one: the `error` field of an
 * `ok: false` answer (`channel_not_found`, `not_in_channel`, `invalid_blocks`, …; each method's
 * reference lists its errors); `ratelimited` (HTTP 429, Slack's own error string) once the
 * client's retries after `Retry-After` ran out; `http_<status>` for another HTTP status;
 * `request_error` when no answer came (network, timeout); else `unknown`.
 */
export function slackErrorOf(err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SlackErrorLike;
  switch (e.code) {
    case 'slack_webapi_platform_error':
      return typeof e.data?.error === 'string' ? e.data.error : 'unknown';
    case 'slack_webapi_rate_limited_error': // thrown at once with `rejectRateLimitedCalls`
      return 'ratelimited';
    case 'slack_webapi_http_error':
      return `http_${String(e.statusCode)}`;
    case 'slack_webapi_request_error':
      // After its 429 retries the client throws "A rate limit was exceeded (…)", wrapped as a request error.
      return typeof e.original?.message === 'string' &&
        e.original.message.startsWith('A rate limit was exceeded')
        ? 'ratelimited'
        : 'request_error';
  }
  return 'unknown';
}

/** The views methods the form and the App Home call. */
export type ViewsClient = { views: Pick<WebClient['views'], 'open' | 'update' | 'publish'> };

/**
 * Bolt hands its listeners a client of its own (not a CountedWebClient): the views calls made with
 * it go through this, so their failures are counted as every other Web API call's are.
 */
export function countedViews(client: ViewsClient, onError: SlackApiErrorListener): ViewsClient {
  const counted =
    <A, R>(method: string, call: (args: A) => Promise<R>) =>
    async (args: A): Promise<R> => {
      try {
        return await call(args);
      } catch (err) {
        onError(method, slackErrorOf(err));
        throw err;
      }
    };
  return {
    views: {
      open: counted('views.open', (a) => client.views.open(a)),
      update: counted('views.update', (a) => client.views.update(a)),
      publish: counted('views.publish', (a) => client.views.publish(a)),
    },
  };
}

export class CountedWebClient extends WebClient {
  constructor(
    token: string,
    options: WebClientOptions,
    private readonly onError: SlackApiErrorListener | undefined,
  ) {
    super(token, options);
  }

  override async apiCall(method: string, options?: Record<string, unknown>): Promise<WebAPICallResult> {
    try {
      return await super.apiCall(method, options);
    } catch (err) {
      this.onError?.(method, slackErrorOf(err));
      throw err;
    }
  }
}
