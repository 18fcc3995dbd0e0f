/**
 * The layers of src/ and the one direction their imports go (docs/architecture.md):
 *
 *   domain  ←  compute (plugins: on domain, app/ports, errors)  ←  config  ←  app (use cases + ports)
 *           ←  adapters (aws, store, queue, hooks)  ←  messages (Block Kit)  ←  jobs, slack  ←  main/runtime
 *
 * `npm run depcheck` (part of `npm run lint` and of CI) fails on an import that goes the wrong way.
 */
const layer = (name) => `^src/${name}/`;
const adapters = '^src/(aws|store|queue|hooks)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain is the pure core: it imports nothing outside itself (no I/O, no packages, no Node built-ins).',
      severity: 'error',
      from: { path: layer('domain') },
      to: { pathNot: [layer('domain')] },
    },
    {
      name: 'errors-import-nothing',
      comment: 'src/errors.ts is imported from every layer, so it imports nothing of ours.',
      severity: 'error',
      from: { path: '^src/errors\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'config-only-on-domain-and-compute',
      comment:
        'src/config parses greenlight.yml and the environment into domain types; the compute backends (src/compute) give it their config keys and schemas.',
      severity: 'error',
      from: { path: layer('config') },
      to: { path: '^src/', pathNot: [layer('domain'), layer('config'), layer('compute'), '^src/errors\\.ts$'] },
    },
    {
      name: 'compute-is-a-plugin',
      comment:
        'A compute backend (src/compute) is one file on the domain, the ports it is given (src/app/ports) and the errors: never AWS, Redis, jobs, Slack, messages or config.',
      severity: 'error',
      from: { path: layer('compute') },
      to: {
        path: '^src/',
        pathNot: [layer('compute'), layer('domain'), '^src/app/ports/', '^src/errors\\.ts$'],
      },
    },
    {
      name: 'app-on-inner-layers-only',
      comment:
        'src/app holds the use cases and the ports; adapters implement the ports, never the other way round.',
      severity: 'error',
      from: { path: layer('app') },
      to: {
        path: '^src/',
        pathNot: [layer('app'), layer('domain'), '^src/errors\\.ts$', '^src/ops/(logger|metrics)\\.ts$'],
      },
    },
    {
      name: 'messages-render-only',
      comment: 'src/messages renders domain data as Block Kit; it calls nothing and knows no adapter.',
      severity: 'error',
      from: { path: layer('messages') },
      to: {
        path: '^src/',
        pathNot: [layer('messages'), layer('domain'), layer('config'), '^src/app/ports/slack\\.ts$', '^src/errors\\.ts$'],
      },
    },
    {
      name: 'adapters-do-not-call-up',
      comment: 'Adapters (AWS, Redis, BullMQ, webhooks) implement ports: they never import jobs, Slack listeners or messages.',
      severity: 'error',
      from: { path: adapters },
      to: { path: '^src/(jobs|slack|messages)/|^src/(main|runtime|check-config)\\.ts$' },
    },
    {
      name: 'listeners-call-the-app',
      comment: 'Slack listeners record intent through src/app; they never run jobs or touch AWS, Redis or BullMQ directly.',
      severity: 'error',
      from: { path: layer('slack') },
      to: { path: '^src/(jobs|aws|store|queue|hooks|compute)/' },
    },
    {
      name: 'jobs-do-not-import-listeners',
      comment: 'Jobs talk to Slack through the SlackGateway port and the message builders, never the Bolt listeners.',
      severity: 'error',
      from: { path: layer('jobs') },
      to: { path: layer('slack') },
    },
    {
      name: 'jobs-use-ports-not-aws',
      comment:
        'Jobs reach AWS through the ports in src/app/ports (the traffic router, CloudWatch, compute), so a new router or backend changes no job.',
      severity: 'error',
      from: { path: layer('jobs') },
      to: { path: layer('aws') },
    },
    {
      name: 'ops-below-jobs-and-slack',
      comment: 'Logging, metrics and the ops HTTP server are used by every layer, so they import none of the outer ones.',
      severity: 'error',
      from: { path: layer('ops') },
      to: { path: '^src/(jobs|slack|messages|app)/' },
    },
    {
      name: 'shipped-code-has-no-simulators',
      comment: 'src/ is what ships; the simulators (sandbox/), chaos and tests are outside it. main.ts loads the sandbox by a dynamic import only.',
      severity: 'error',
      from: { path: '^src/' },
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
