/** A duration field of the config file (`30s`, `5m`, `24h`), parsed to milliseconds. */
import { z } from 'zod';
import { DURATION_HELP, parseDuration } from '../domain/duration.js';

export const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not ${DURATION_HELP}` });
    return z.NEVER;
  }
  return ms;
});
