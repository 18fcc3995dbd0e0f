/**
 * The layer rules of .dependency-cruiser.cjs (docs/architecture.md): the real tree has no
 * wrong-way import, and a tree that has some is refused, each import named with its rule.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

/** A throw-away tree with the given files (path → source), resolving packages from ours. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gl-depcheck-'));
  scratch.push(dir);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
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
    expect(out).toContain('adapters-implement-ports: src/aws/client.ts → src/messages/card.ts');
    expect(out).toContain('entry-loads-the-sandbox-lazily: src/main.ts → sandbox/sim.ts');
    expect(out).toContain('compute-is-a-plugin: src/compute/lambda.ts → src/aws/client.ts');
    expect(out).toContain('compute-is-a-plugin: src/compute/lambda.ts → src/config/limits.ts');
    expect(out).toContain('jobs-use-ports-not-aws: src/jobs/run.ts → src/aws/client.ts');
  });

  it('refuses I/O packages where a layer must do none, a use case called by an adapter, and unknown folders', async () => {
    const dir = tree({
      'src/app/use-case.ts': "import { Redis } from 'ioredis';\nexport const useCase = Redis;\n",
      'src/compute/lambda.ts':
        "import { ECSClient } from '@aws-sdk/client-ecs';\nimport { z } from 'zod';\nexport const lambda = [ECSClient, z];\n",
      'src/messages/card.ts':
        "import { readFileSync } from 'node:fs';\nimport type { types } from '@slack/bolt';\nexport const card = readFileSync;\nexport type Block = types.KnownBlock;\n",
      'src/slack/listener.ts': "import { Queue } from 'bullmq';\nexport const listener = Queue;\n",
      'src/store/repo.ts': "import { useCase } from '../app/use-case.js';\nexport const repo = useCase;\n",
      'src/mesh/router.ts': "import { run } from '../jobs/run.js';\nexport const router = run;\n",
      'src/jobs/run.ts': "import { router } from '../mesh/router.js';\nexport const run = router;\n",
      'src/hooks/secret.ts': "export const secret = () => import('../../sandbox/sim.js');\n",
      'sandbox/sim.ts': 'export const sim = 1;\n',
    });
    const { code, out } = await depcruise(dir);
    expect(code).not.toBe(0);
    expect(out).toMatch(/app-does-no-io: src\/app\/use-case\.ts → \S*node_modules\/ioredis\//);
    expect(out).toMatch(
      /compute-does-no-io: src\/compute\/lambda\.ts → \S*node_modules\/@aws-sdk\/client-ecs/,
    );
    expect(out).not.toMatch(/compute-does-no-io: \S+ → \S*zod/);
    expect(out).toMatch(/messages-do-no-io: src\/messages\/card\.ts → (node:)?fs/);
    expect(out).not.toMatch(/messages-do-no-io: \S+ → \S*@slack/);
    expect(out).toMatch(/listeners-speak-slack-only: src\/slack\/listener\.ts → \S*node_modules\/bullmq\//);
    expect(out).toContain('adapters-implement-ports: src/store/repo.ts → src/app/use-case.ts');
    expect(out).toContain('known-layers-only: src/mesh/router.ts → src/jobs/run.ts');
    expect(out).toContain('imports-known-layers-only: src/jobs/run.ts → src/mesh/router.ts');
    expect(out).toContain('shipped-code-has-no-simulators: src/hooks/secret.ts → sandbox/sim.ts');
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
