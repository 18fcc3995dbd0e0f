/**
 * `npm run schema`: writes schema/greenlight.schema.json, the JSON Schema of greenlight.yml that
 * editors read (completion, hover help, checks as you type), from the zod schema in
 * src/config/schema.ts. Run it after changing the zod schema; test/unit/config-json-schema.test.ts
 * fails while the checked-in file is stale. `npm run schema -- --check` only compares (exit 1 when
 * stale), for CI.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_SCHEMA_PATH, configJsonSchemaText } from '../src/config/json-schema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, CONFIG_SCHEMA_PATH);
const text = configJsonSchemaText();

function current(): string | undefined {
  try {
    return readFileSync(target, 'utf8');
  } catch {
    return undefined;
  }
}

if (process.argv.includes('--check')) {
  if (current() === text) {
    console.log(`${CONFIG_SCHEMA_PATH} is up to date.`);
  } else {
    console.error(`${CONFIG_SCHEMA_PATH} is stale: run npm run schema and commit the result.`);
    process.exitCode = 1;
  }
} else if (current() === text) {
  console.log(`${CONFIG_SCHEMA_PATH}: unchanged.`);
} else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  console.log(`${CONFIG_SCHEMA_PATH}: written.`);
}
