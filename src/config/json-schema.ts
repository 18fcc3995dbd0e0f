/**
 * The JSON Schema of greenlight.yml, generated from the zod schema (`configSchema`): what editors
 * use for completion, hover help and checks as you type (yaml-language-server's `$schema`
 * modeline, see README "Configuration"). `npm run schema` writes it to schema/greenlight.schema.json;
 * a test fails when the checked-in file differs from what this produces, so a field added to the
 * zod schema only needs `npm run schema`.
 *
 * It describes the file as written (`io: 'input'`): durations are text, defaulted keys optional.
 * Draft-07, the draft every YAML editor reads. Checks across fields (reminder shorter than soak,
 * compute naming a configured slot, …) are not expressible here: `npm run check-config` has them.
 */
import { z } from 'zod';
import { configSchema } from './schema.js';

/** Where the schema is checked in, from the repository root. */
export const CONFIG_SCHEMA_PATH = 'schema/greenlight.schema.json';

export function configJsonSchema(): Record<string, unknown> {
  const { $schema, description, ...rest } = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-7' });
  return { $schema, title: 'greenlight.yml', description, ...rest };
}

/** The file's text: two-space JSON with a final newline. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
