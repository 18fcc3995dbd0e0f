/**
 * Slack's documented limits on messages (docs/platform-facts.md, "Slack message limits"), as a
 * checker. The fake Slack API answers `invalid_blocks` / `msg_too_long` with it, and the Block Kit
 * tests assert every builder passes. Written out here rather than imported from
 * src/messages/kit.ts: a checker that took the builders' own caps would pass any mistake in them.
 */

export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  contextElements: 10,
  contextText: 3000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  blockId: 255,
  actionsElements: 25,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** Slack itself truncates around 40k; Greenlight stays under 4000 (docs/platform-facts.md). */
  text: 4000,
} as const;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function textObject(v: unknown, max: number, where: string, problems: string[], plainOnly = false): void {
  if (!isObj(v)) {
    problems.push(`${where}: missing text object`);
    return;
  }
  if (v.type !== 'plain_text' && (plainOnly || v.type !== 'mrkdwn'))
    problems.push(`${where}: bad text type ${String(v.type)}`);
  if (typeof v.text !== 'string' || v.text.length === 0) problems.push(`${where}: empty text`);
  else if (v.text.length > max) problems.push(`${where}: text is ${v.text.length} chars (max ${max})`);
}

function confirm(v: unknown, where: string, problems: string[]): void {
  if (!isObj(v)) {
    problems.push(`${where}: confirm is not an object`);
    return;
  }
  if (v.title !== undefined) textObject(v.title, SLACK_LIMITS.confirmTitle, `${where}.title`, problems, true);
  textObject(v.text, SLACK_LIMITS.confirmText, `${where}.text`, problems);
  if (v.confirm !== undefined)
    textObject(v.confirm, SLACK_LIMITS.confirmButton, `${where}.confirm`, problems, true);
  if (v.deny !== undefined) textObject(v.deny, SLACK_LIMITS.confirmButton, `${where}.deny`, problems, true);
  if (v.style !== undefined && v.style !== 'primary' && v.style !== 'danger')
    problems.push(`${where}: bad style`);
}

function element(v: unknown, where: string, problems: string[]): void {
  if (!isObj(v) || typeof v.type !== 'string') {
    problems.push(`${where}: not an element`);
    return;
  }
  if (v.action_id !== undefined) {
    if (
      typeof v.action_id !== 'string' ||
      v.action_id.length === 0 ||
      v.action_id.length > SLACK_LIMITS.actionId
    )
      problems.push(`${where}: action_id over ${SLACK_LIMITS.actionId} chars or empty`);
  }
  if (v.confirm !== undefined) confirm(v.confirm, `${where}.confirm`, problems);
  if (v.type !== 'button') return;
  textObject(v.text, SLACK_LIMITS.buttonText, `${where}.text`, problems, true);
  if (v.value !== undefined && (typeof v.value !== 'string' || v.value.length > SLACK_LIMITS.buttonValue))
    problems.push(`${where}: value over ${SLACK_LIMITS.buttonValue} chars`);
  if (v.url !== undefined && (typeof v.url !== 'string' || v.url.length > SLACK_LIMITS.buttonUrl))
    problems.push(`${where}: url over ${SLACK_LIMITS.buttonUrl} chars`);
  if (v.style !== undefined && v.style !== 'primary' && v.style !== 'danger')
    problems.push(`${where}: bad style`);
}

function block(b: unknown, i: number, problems: string[]): void {
  const where = `blocks[${i}]`;
  if (!isObj(b) || typeof b.type !== 'string') {
    problems.push(`${where}: not a block`);
    return;
  }
  if (
    b.block_id !== undefined &&
    (typeof b.block_id !== 'string' || b.block_id.length > SLACK_LIMITS.blockId)
  )
    problems.push(`${where}: block_id over ${SLACK_LIMITS.blockId} chars`);
  switch (b.type) {
    case 'section': {
      if (b.text === undefined && b.fields === undefined)
        problems.push(`${where}: section needs text or fields`);
      if (b.text !== undefined) textObject(b.text, SLACK_LIMITS.sectionText, `${where}.text`, problems);
      if (b.fields !== undefined) {
        if (!Array.isArray(b.fields) || b.fields.length === 0 || b.fields.length > SLACK_LIMITS.fields)
          problems.push(`${where}: 1–${SLACK_LIMITS.fields} fields allowed`);
        else
          for (const [j, f] of b.fields.entries())
            textObject(f, SLACK_LIMITS.fieldText, `${where}.fields[${j}]`, problems);
      }
      if (b.accessory !== undefined) element(b.accessory, `${where}.accessory`, problems);
      break;
    }
    case 'context': {
      if (
        !Array.isArray(b.elements) ||
        b.elements.length === 0 ||
        b.elements.length > SLACK_LIMITS.contextElements
      )
        problems.push(`${where}: 1–${SLACK_LIMITS.contextElements} context elements allowed`);
      else
        b.elements.forEach((e, j) => {
          if (isObj(e) && e.type !== 'image')
            textObject(e, SLACK_LIMITS.contextText, `${where}.elements[${j}]`, problems);
        });
      break;
    }
    case 'header':
      textObject(b.text, SLACK_LIMITS.headerText, `${where}.text`, problems, true);
      break;
    case 'actions': {
      if (
        !Array.isArray(b.elements) ||
        b.elements.length === 0 ||
        b.elements.length > SLACK_LIMITS.actionsElements
      ) {
        problems.push(`${where}: 1–${SLACK_LIMITS.actionsElements} action elements allowed`);
        break;
      }
      const ids = new Set<string>();
      b.elements.forEach((e, j) => {
        element(e, `${where}.elements[${j}]`, problems);
        const id = isObj(e) ? e.action_id : undefined;
        if (typeof id === 'string') {
          if (ids.has(id)) problems.push(`${where}: duplicate action_id ${id}`);
          ids.add(id);
        }
      });
      break;
    }
    default:
      break;
  }
}

/**
 * Every limit the blocks break (empty when Slack would accept them). `maxBlocks`: 50 in a message,
 * 100 in a modal or Home tab view.
 */
export function blockProblems(blocks: unknown, maxBlocks: number = SLACK_LIMITS.blocks): string[] {
  const problems: string[] = [];
  if (!Array.isArray(blocks)) return ['blocks is not an array'];
  if (blocks.length > maxBlocks) problems.push(`${blocks.length} blocks (max ${maxBlocks})`);
  const blockIds = new Set<string>();
  blocks.forEach((b, i) => {
    block(b, i, problems);
    const id = isObj(b) ? b.block_id : undefined;
    if (typeof id === 'string') {
      if (blockIds.has(id)) problems.push(`blocks[${i}]: duplicate block_id ${id}`);
      blockIds.add(id);
    }
  });
  return problems;
}

export type MessageError = { error: 'no_text' | 'invalid_blocks' | 'msg_too_long'; problems: string[] };

/** The error Slack would answer for a message with this `text` and `blocks`, or null. */
export function messageError(
  text: unknown,
  blocks: unknown,
  maxText: number = SLACK_LIMITS.text,
): MessageError | null {
  const hasText = typeof text === 'string' && text.length > 0;
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  if (!hasText && !hasBlocks) return { error: 'no_text', problems: ['neither text nor blocks'] };
  if (blocks !== undefined) {
    const problems = blockProblems(blocks);
    if (problems.length > 0) return { error: 'invalid_blocks', problems };
  }
  if (typeof text === 'string' && text.length >= maxText)
    return { error: 'msg_too_long', problems: [`text is ${text.length} chars (keep under ${maxText})`] };
  return null;
}
