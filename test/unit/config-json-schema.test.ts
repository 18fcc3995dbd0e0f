/**
 * The JSON Schema editors read for greenlight.yml (schema/greenlight.schema.json): it is what the
 * zod schema generates now (`npm run schema`), it accepts the shipped configs and refuses the typos
 * the loader refuses, and every field carries help for hover.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_SCHEMA_PATH, configJsonSchema, configJsonSchemaText } from '../../src/config/json-schema.js';
import { parseConfigText } from '../../src/config/load-config.js';

// ajv-formats is CommonJS (`exports.default = plugin`): under NodeNext the plugin is `.default`.
const addFormats =
  ajvFormats.default.default ?? (ajvFormats.default as unknown as typeof ajvFormats.default.default);

const fromRoot = (path: string) => new URL(`../../${path}`, import.meta.url);
const read = (path: string) => readFileSync(fromRoot(path), 'utf8');

/** The checked-in schema, compiled once. */
const validate = (() => {
  // strict: a keyword ajv does not know, or a schema that contradicts itself, fails the compile.
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(read(CONFIG_SCHEMA_PATH)) as object);
})();

function errorsOf(yamlText: string): ErrorObject[] {
  return validate(parse(yamlText)) ? [] : (validate.errors ?? []);
}

const SHIPPED = ['greenlight.example.yml', 'sandbox/greenlight.sandbox.yml'];

describe('schema/greenlight.schema.json', () => {
  it('is what the zod schema generates now (run `npm run schema` after changing src/config/schema.ts)', () => {
    expect(read(CONFIG_SCHEMA_PATH), `${CONFIG_SCHEMA_PATH} is stale: run npm run schema`).toBe(
      configJsonSchemaText(),
    );
  });

  it.each(SHIPPED)('accepts %s, which the loader accepts too', (path) => {
    expect(errorsOf(read(path))).toEqual([]);
    expect(parseConfigText(read(path), path, { simulatedMetrics: true })).toMatchObject({ ok: true });
  });

  it.each(SHIPPED)('is named by the yaml-language-server modeline on the first line of %s', (path) => {
    const first = read(path).split('\n')[0] ?? '';
    const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    expect(match).not.toBeNull();
    // Relative to the YAML file, as the language server resolves it.
    const target = new URL(match?.[1] ?? '', fromRoot(path));
    expect(target.href).toBe(fromRoot(CONFIG_SCHEMA_PATH).href);
  });

  it('refuses unknown keys in every section, a bad compute entry and a wrong type, where the loader does', () => {
    const example = read('greenlight.example.yml');
    const typos = example.replace(
      '    soak: 24h           # overrides defaults.soak for this service\n',
      [
        '    soak: 24h',
        '    minHealthyTargets: two',
        '    traffic: { tolarance: 0 }',
        '    gates: { maxErrorRat: 0.05 }',
        '    hooks: { secretEnv: HOOK_SECRET, befoerCutover: "https://hooks.example.com/x" }',
        '    compute: { blue: { lambda: checkout-blue } }',
        '',
      ].join('\n'),
    );
    expect(typos).not.toBe(example);
    const found = errorsOf(typos).map((e) => `${e.instancePath} ${e.keyword} ${JSON.stringify(e.params)}`);
    for (const expected of [
      '/services/checkout/minHealthyTargets type {"type":"integer"}',
      '/services/checkout/traffic additionalProperties {"additionalProperty":"tolarance"}',
      '/services/checkout/gates additionalProperties {"additionalProperty":"maxErrorRat"}',
      '/services/checkout/hooks additionalProperties {"additionalProperty":"befoerCutover"}',
      '/services/checkout/compute/blue anyOf {}',
    ]) {
      expect(found).toContain(expected);
    }
    expect(parseConfigText(typos).ok).toBe(false);
  });

  it('refuses a duration the loader cannot read, and takes those it can', () => {
    const withSoak = (soak: string) =>
      read('greenlight.example.yml').replace('  soak: 24h ', `  soak: ${soak} `);
    for (const good of ['90s', '1h30m', '1500ms', '2D']) expect(errorsOf(withSoak(good))).toEqual([]);
    for (const bad of ['3x', '1.5h', 'h', '"5 m"']) {
      expect(errorsOf(withSoak(bad)).map((e) => `${e.instancePath} ${e.keyword}`)).toEqual([
        '/defaults/soak pattern',
      ]);
    }
  });

  it('gives every field a description, for editors to show on hover', () => {
    const missing: string[] = [];
    const visit = (node: unknown, path: string) => {
      if (typeof node !== 'object' || node === null) return;
      const schema = node as Record<string, unknown>;
      for (const [key, child] of Object.entries((schema.properties ?? {}) as Record<string, unknown>)) {
        const described = typeof (child as { description?: unknown }).description === 'string';
        if (!described) missing.push(`${path}.${key}`);
        visit(child, `${path}.${key}`);
      }
      if (typeof schema.additionalProperties === 'object') visit(schema.additionalProperties, `${path}.*`);
      if (schema.items) visit(schema.items, `${path}[]`);
      for (const option of (schema.anyOf ?? []) as unknown[]) visit(option, path);
    };
    visit(configJsonSchema(), '');
    // Inside a compute entry, the kinds are described on the entry itself (one line per kind).
    expect(
      missing.filter((p) => !p.startsWith('.services.*.compute.*.')),
      'give these keys a .describe() in the zod schema, then run npm run schema',
    ).toEqual([]);
  });
});
