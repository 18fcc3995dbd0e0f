/**
 * The layer rules of .dependency-cruiser.cjs (docs/architecture.md): the real tree has no
 * wrong-way import, and a tree that has some is refused, each import named with its rule.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules/.bin/depcruise');

function depcruise(cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(DEPCRUISE, ['src', '--config', CONFIG, '-T', 'err'], { cwd }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, out: `${stdout}${stderr}` });
    });
  });
}

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A throw-away tree with the given files (path → source). */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gl-depcheck-'));
  scratch.push(dir);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
  );
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  return dir;
}

describe('layer rules', () => {
  it('finds no wrong-way import in src/', async () => {
    const { code, out } = await depcruise(ROOT);
    expect(out).toContain('no dependency violations found');
    expect(code).toBe(0);
  });

  it('refuses imports that go the wrong way, naming each with its rule', async () => {
    const dir = tree({
      'src/domain/plan.ts':
        "import { run } from '../jobs/run.js';\nimport { readFileSync } from 'node:fs';\nexport const plan = [run, readFileSync];\n",
      'src/jobs/run.ts': "import { client } from '../aws/client.js';\nexport const run = client;\n",
      'src/slack/listener.ts': "import { run } from '../jobs/run.js';\nexport const listener = run;\n",
      'src/app/use-case.ts': "import { client } from '../aws/client.js';\nexport const useCase = client;\n",
      'src/aws/client.ts': "import { card } from '../messages/card.js';\nexport const client = card;\n",
      'src/messages/card.ts': 'export const card = 1;\n',
      'src/compute/lambda.ts':
        "import { client } from '../aws/client.js';\nimport { limits } from '../config/limits.js';\nexport const lambda = [client, limits];\n",
      'src/config/limits.ts': 'export const limits = 1;\n',
      'src/main.ts': "import { sim } from '../sandbox/sim.js';\nexport const main = sim;\n",
      'sandbox/sim.ts': 'export const sim = 1;\n',
    });
    const { code, out } = await depcruise(dir);
    expect(code).not.toBe(0);
    expect(out).toContain('domain-is-pure: src/domain/plan.ts → src/jobs/run.ts');
    expect(out).toMatch(/domain-is-pure: src\/domain\/plan\.ts → (node:)?fs/);
    expect(out).toContain('listeners-call-the-app: src/slack/listener.ts → src/jobs/run.ts');
    expect(out).toContain('app-on-inner-layers-only: src/app/use-case.ts → src/aws/client.ts');
    expect(out).toContain('adapters-do-not-call-up: src/aws/client.ts → src/messages/card.ts');
    expect(out).toContain('shipped-code-has-no-simulators: src/main.ts → sandbox/sim.ts');
    expect(out).toContain('compute-is-a-plugin: src/compute/lambda.ts → src/aws/client.ts');
    expect(out).toContain('compute-is-a-plugin: src/compute/lambda.ts → src/config/limits.ts');
    expect(out).toContain('jobs-use-ports-not-aws: src/jobs/run.ts → src/aws/client.ts');
  });

  it('lets a compute backend use the domain, the ports and the errors, and config use the backends', async () => {
    const dir = tree({
      'src/compute/lambda.ts':
        "import type { Port } from '../app/ports/lambda.js';\nimport { kinds } from '../domain/kinds.js';\nimport { fail } from '../errors.js';\nexport const lambda = (p: Port) => [p, kinds, fail];\n",
      'src/app/ports/lambda.ts': 'export interface Port { name: string }\n',
      'src/domain/kinds.ts': 'export const kinds = 1;\n',
      'src/errors.ts': 'export const fail = 1;\n',
      'src/config/schema.ts':
        "import { lambda } from '../compute/lambda.js';\nexport const schema = lambda;\n",
    });
    const { code, out } = await depcruise(dir);
    expect(out).toContain('no dependency violations found');
    expect(code).toBe(0);
  });

  it('lets the entry point load the sandbox by a dynamic import', async () => {
    const dir = tree({
      'src/main.ts': "export const main = () => import('../sandbox/sim.js');\n",
      'sandbox/sim.ts': 'export const sim = 1;\n',
    });
    const { code, out } = await depcruise(dir);
    expect(out).toContain('no dependency violations found');
    expect(code).toBe(0);
  });
});
