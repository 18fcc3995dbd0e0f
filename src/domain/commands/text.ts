/**
 * What the user typed after `/deploy`: split into words, and quoted safely when echoed back.
 * Pure; never throws.
 */

const ECHO_MAX = 60;

// Invisible characters that only hide or reorder text: zero-width space/non-joiner, word joiner,
// BOM, bidi marks, embeddings, overrides and isolates.
const INVISIBLE = /[\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u061c\ufeff]/gu;
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/gu;

/** Neutralise user text for echoing in mrkdwn: no control chars, no `<…>` syntax, bounded length. */
export function quote(raw: string): string {
  const clean = raw.replace(INVISIBLE, '').replace(CONTROL, '');
  const chars = Array.from(clean);
  const short = chars.length > ECHO_MAX ? `${chars.slice(0, ECHO_MAX - 1).join('')}…` : clean;
  const escaped = short
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/`/g, 'ˋ')
    .replace(/@(channel|here|everyone)/gi, '@\u200b$1');
  return `\`${escaped}\``;
}

/** Free text on one line (a request's reason): invisible characters dropped, any whitespace one space. */
export function oneLine(text: string): string {
  return text.replace(INVISIBLE, '').replace(CONTROL, ' ').split(/\s+/u).filter(Boolean).join(' ');
}

/** Slack sends `&`, `<`, `>` in command text as entities; decode them once. */
function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_, name: string) =>
    name === 'amp' ? '&' : name === 'lt' ? '<' : '>',
  );
}

/** The words of a command text: entities decoded, invisible characters dropped, any whitespace splits. */
export function tokenize(text: string): string[] {
  return decodeEntities(text)
    .replace(INVISIBLE, '')
    .replace(CONTROL, ' ')
    .split(/\s+/u)
    .filter((t) => t.length > 0);
}
