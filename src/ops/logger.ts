/**
 * Structured JSON logging (pino) that never writes a credential.
 * Two layers: pino `redact` blanks known credential fields, and every serialized line is scrubbed
 * before it reaches the destination, so a secret value or anything shaped like a Slack token is
 * replaced wherever it appears: message, nested field, error message or stack, child bindings.
 */
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

export const REDACTED = '[redacted]';

/** Fields that hold credentials, at the top level and one level down (pino `redact` paths). */
const SECRET_FIELDS = [
  'token',
  'botToken',
  'appToken',
  'userToken',
  'accessToken',
  'refreshToken',
  'signingSecret',
  'clientSecret',
  'password',
  'secret',
  'authorization',
  'cookie',
];
export const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  'headers.authorization',
  'headers.cookie',
  'headers["x-slack-signature"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-slack-signature"]',
  'request.headers.authorization',
  'request.headers.cookie',
];

/** Slack tokens: bot/user/app-config tokens (`xoxb-`, `xoxp-`, …) and app-level tokens (`xapp-`). */
const SLACK_TOKEN = /xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+/g;

export interface LoggerOptions {
  level: string;
  /** Secret values (tokens, signing secret) to blank wherever they appear. Empty strings are ignored. */
  secrets?: string[];
  /** Where JSON lines go (default stdout). */
  destination?: NodeJS.WritableStream;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A function that replaces every secret (raw or as it appears inside a JSON string) and Slack token. */
export function createScrubber(secrets: readonly string[] = []): (text: string) => string {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    forms.add(s);
    forms.add(JSON.stringify(s).slice(1, -1)); // how the value looks inside a serialized JSON string
  }
  // Longest first, so a secret containing another secret is replaced whole.
  const alternatives = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const secretPattern = alternatives.length > 0 ? new RegExp(alternatives.join('|'), 'g') : null;
  return (text) => {
    const scrubbed = secretPattern ? text.replace(secretPattern, REDACTED) : text;
    return scrubbed.replace(SLACK_TOKEN, REDACTED);
  };
}

export function createLogger(opts: LoggerOptions): Logger {
  const scrub = createScrubber(opts.secrets);
  const target = opts.destination ?? process.stdout;
  const destination: DestinationStream = { write: (line: string) => void target.write(scrub(line)) };
  return pino(
    {
      level: opts.level,
      name: 'greenlight',
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
