/**
 * The layers of src/ and what each may import (docs/architecture.md, "Layers"). Each layer has an
 * allow-list: an import of anything of ours not on it fails `npm run depcheck` (part of
 * `npm run lint`, so of CI). Inner layers first; an arrow reads "is imported by":
 *
 *   domain → compute (plugins) → config → app (use cases + ports) → adapters (aws, store, queue, hooks)
 *          → messages (Block Kit) → jobs, slack (inbound) → main.ts / runtime.ts (composition root)
 *
 * Packages are checked too where a layer must not do I/O: domain none; compute only zod; app and
 * messages only type imports (Block Kit types).
 */
const layer = (name) => `^src/${name}/`;
const ERRORS = '^src/errors\\.ts$';
const PORTS = '^src/app/ports/';
const LAYERS = '^src/(domain|compute|config|app|aws|store|queue|hooks|ops|messages|jobs|slack)/';
const ROOT_FILES = '^src/(main|runtime|runtime-events|check-config|local-sandbox|errors)\\.ts$';
/** What a package import resolves to, and Node's built-ins. */
const PACKAGES = { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown', 'core'] };

/** `from` may import, of ours, only what `allowed` lists (its own folder always). */
function onlyFrom(name, comment, from, allowed) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: from },
    to: { path: '^src/', pathNot: [from, ...allowed] },
  };
}

/** `from` may import no package but those `allowed` (type-only imports always pass). */
function packagesOf(name, comment, from, allowed) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: from },
    to: { ...PACKAGES, dependencyTypesNot: ['type-only'], pathNot: allowed },
  };
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'known-layers-only',
      comment: `Every file of src/ is in a layer of this file (or is a root file: ${ROOT_FILES}); a new folder gets its rules here first.`,
      severity: 'error',
      from: { path: '^src/', pathNot: [LAYERS, ROOT_FILES] },
      to: {},
    },
    {
      name: 'imports-known-layers-only',
      comment: 'Nothing in src/ imports a folder of src/ that has no rules here.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: [LAYERS, ROOT_FILES] },
    },
    {
      name: 'domain-is-pure',
      comment:
        'src/domain is the pure core: it imports nothing outside itself (no I/O, no packages, no Node built-ins).',
      severity: 'error',
      from: { path: layer('domain') },
      to: { pathNot: [layer('domain')] },
    },
    {
      name: 'errors-import-nothing',
      comment: 'src/errors.ts is imported from every layer, so it imports nothing of ours.',
      severity: 'error',
      from: { path: ERRORS },
      to: { path: '^src/' },
    },
    onlyFrom(
      'compute-is-a-plugin',
      'A compute backend (src/compute) is one file on the domain, the ports it is given (src/app/ports) and the errors: never AWS, Redis, jobs, Slack, messages or config.',
      layer('compute'),
      [layer('domain'), PORTS, ERRORS],
    ),
    packagesOf(
      'compute-does-no-io',
      'A compute backend reaches AWS and webhooks only through the ports it is given; zod for its config entry is its one package.',
      layer('compute'),
      ['node_modules/zod/'],
    ),
    onlyFrom(
      'config-only-on-domain-and-compute',
      'src/config parses greenlight.yml and the environment into domain types; the compute backends give it their config keys and schemas.',
      layer('config'),
      [layer('domain'), layer('compute'), ERRORS],
    ),
    onlyFrom(
      'app-on-inner-layers-only',
      'src/app holds the use cases and the ports; adapters implement the ports, never the other way round.',
      layer('app'),
      [layer('domain'), ERRORS, '^src/ops/(logger|metrics)\\.ts$'],
    ),
    packagesOf(
      'app-does-no-io',
      'The use cases do their I/O through the ports: no AWS SDK, Redis, BullMQ, Bolt or Node I/O in src/app.',
      layer('app'),
      [],
    ),
    onlyFrom(
      'messages-render-only',
      'src/messages renders domain data as Block Kit; it calls nothing and knows no adapter.',
      layer('messages'),
      [layer('domain'), '^src/app/ports/slack\\.ts$', ERRORS],
    ),
    packagesOf('messages-do-no-io', 'Block Kit builders are pure: only type imports of packages.', layer('messages'), []),
    onlyFrom(
      'adapters-implement-ports',
      'Adapters (AWS, Redis, BullMQ, webhooks, logging and metrics) implement the ports of src/app/ports: they never call a use case, a job, a listener or a message builder.',
      '^src/(aws|store|queue|hooks|ops)/',
      [layer('domain'), layer('config'), layer('compute'), PORTS, ERRORS, '^src/(aws|store|queue|hooks|ops)/'],
    ),
    onlyFrom(
      'listeners-call-the-app',
      'Slack listeners record intent through src/app and answer with src/messages; they never run jobs or touch AWS, Redis or BullMQ directly.',
      layer('slack'),
      [layer('app'), layer('domain'), layer('messages'), layer('config'), layer('ops'), ERRORS],
    ),
    packagesOf(
      'listeners-speak-slack-only',
      'Slack listeners use Bolt and the Web API; AWS, Redis and BullMQ are behind the ports.',
      layer('slack'),
      ['node_modules/@slack/', '^node:', '^(crypto|http|url)$'],
    ),
    onlyFrom(
      'jobs-use-ports-not-aws',
      'Jobs reach AWS through the ports in src/app/ports (the traffic router, CloudWatch, compute) and Slack through the gateway port and src/messages: a new router or backend changes no job.',
      layer('jobs'),
      [
        layer('app'),
        layer('domain'),
        layer('messages'),
        layer('config'),
        layer('compute'),
        layer('ops'),
        layer('store'),
        layer('queue'),
        layer('hooks'),
        ERRORS,
      ],
    ),
    packagesOf(
      'jobs-no-aws-or-slack-packages',
      'Jobs run on BullMQ and Redis; AWS and Slack are behind the ports.',
      layer('jobs'),
      ['node_modules/(bullmq|ioredis)/', '^node:', '^(crypto|perf_hooks)$'],
    ),
    {
      name: 'shipped-code-has-no-simulators',
      comment: 'src/ is what ships; the simulators (sandbox/), chaos, tests, benchmarks and smoke are outside it.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/main\\.ts$'] },
      to: { path: '^(sandbox|chaos|test|bench|smoke)/' },
    },
    {
      name: 'entry-loads-the-sandbox-lazily',
      comment: 'main.ts loads the sandbox by a dynamic import, only when there is no Slack token; never a static import.',
      severity: 'error',
      from: { path: '^src/main\\.ts$' },
      to: { path: '^(sandbox|chaos|test|bench|smoke)/', dependencyTypesNot: ['dynamic-import'] },
    },
    {
      name: 'no-circular',
      comment: 'Import cycles hide the layering.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
