/** Bolt's Logger interface on top of our pino logger (so Bolt's messages get the same redaction). */
import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../ops/logger.js';

export function boltLogger(log: Logger): BoltLogger {
  let level: LogLevel = LogLevel.INFO;
  const text = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg) => log.debug({ source: 'bolt' }, text(msg)),
    info: (...msg) => log.info({ source: 'bolt' }, text(msg)),
    warn: (...msg) => log.warn({ source: 'bolt' }, text(msg)),
    error: (...msg) => log.error({ source: 'bolt' }, text(msg)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
