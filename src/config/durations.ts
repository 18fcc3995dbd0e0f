/** A duration field of the config file (`30s`, `5m`, `24h`), parsed to milliseconds. */
import { z } from 'zod';
import { DURATION_HELP, parseDuration } from '../domain/duration.js';

/**
 * What `parseDuration` reads, for editors (the JSON Schema): one or more `<digits><unit>` parts,
 * units ms, s, m, h, d in any case, around optional spaces. Zero (`0s`) matches the pattern but is
 * refused when the file is loaded.
 */
const DURATION_PATTERN = '^\\s*([0-9]+([mM][sS]|[sSmMhHdD]))+\\s*$';

/** The text a duration is written as; also how a field is recognised as a duration (`isDuration`). */
export const durationText = z
  .string()
  .meta({ pattern: DURATION_PATTERN, examples: ['30s', '5m', '1h30m'] })
  .describe(`${DURATION_HELP.charAt(0).toUpperCase()}${DURATION_HELP.slice(1)}.`);

export const duration = durationText.transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not ${DURATION_HELP}` });
    return z.NEVER;
  }
  return ms;
});
