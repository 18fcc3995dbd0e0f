/**
 * The install kits in deploy/ against the interface the code defines, so that a kit that drifts
 * from the code fails here rather than at someone's first deploy:
 *
 * - the variables a kit sets are the ones `readEnv` reads (found by watching it read, not listed
 *   here), plus the AWS SDK's own `AWS_*` variables; with the kit's values `readEnv` accepts the
 *   environment, in the role the kit names, with Redis and the config the production start needs;
 * - the values `readEnv` will not echo in its messages (tokens, the signing secret, the Redis URL)
 *   come from a secret store, never written in the kit;
 * - ports are `readEnv`'s defaults and the image's EXPOSEd ports; probes ask the routes the ops
 *   server (`opsRoutes` on `startOpsServer`) serves, and mean what those routes mean: liveness
 *   answers while Redis is down, readiness does not;
 * - the compose Redis has the settings `settingsProblems` (the start-up durability check) wants.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { cloudwatchIsSimulated, DEFAULT_OPS_PORT, type Env, readEnv } from '../../src/config/env.js';
import { parseConfigText } from '../../src/config/load-config.js';
import { opsRoutes } from '../../src/ops/http-routes.js';
import type { Metrics } from '../../src/ops/metrics.js';
import { startOpsServer } from '../../src/ops/ops-server.js';
import { settingsProblems } from '../../src/store/redis-durability.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DEPLOY = join(ROOT, 'deploy');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

type Vars = Record<string, string>;

// --- what the code says ------------------------------------------------------------------------

/** Every variable name `read` looks up, for each sample environment (found with a recording proxy). */
function namesReadBy(readVars: (vars: Vars) => unknown, samples: Vars[]): Set<string> {
  const names = new Set<string>();
  const note = (key: string | symbol) => {
    if (typeof key === 'string' && /^[A-Z][A-Z0-9_]*$/.test(key)) names.add(key);
  };
  for (const sample of samples) {
    readVars(
      new Proxy(
        { ...sample },
        {
          get(target, key, receiver) {
            note(key);
            return Reflect.get(target, key, receiver);
          },
          has(target, key) {
            note(key);
            return Reflect.has(target, key);
          },
          getOwnPropertyDescriptor(target, key) {
            note(key);
            return Reflect.getOwnPropertyDescriptor(target, key);
          },
        },
      ),
    );
  }
  return names;
}

/** A valid HTTP-mode production environment, the base the probes below vary. */
const HTTP_BASE: Vars = {
  SLACK_BOT_TOKEN: 'xoxb-1111-2222-kit',
  SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5',
  REDIS_URL: 'rediss://:kit-password@redis.internal:6379',
};

/** Values of the right shape for what a secret store supplies at run time. */
function secretValue(name: string): string {
  if (name === 'SLACK_APP_TOKEN') return 'xapp-1-A1-3333-kit';
  return HTTP_BASE[name] ?? `kit-${name.toLowerCase()}`;
}

// Every mode's branch: the sandbox (no token), HTTP (bot token) and Socket Mode (both tokens).
const READ_ENV_NAMES = namesReadBy(
  (vars) => {
    readEnv(vars);
    cloudwatchIsSimulated(vars);
  },
  [{}, { SLACK_BOT_TOKEN: 'xoxb-1' }, { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }],
);

/** Read by the AWS SDK, not by readEnv (the README's environment table lists them). */
const isAwsSdkVariable = (name: string) => /^AWS_[A-Z0-9_]+$/.test(name);

/**
 * The variables readEnv treats as secret: given a bad value, it names the variable but never
 * shows the value ("value not shown"), where it quotes every other bad value back.
 */
const SECRET_NAMES = new Set(
  [...READ_ENV_NAMES].filter((name) => {
    const marker = 'probe-9f3k';
    const result = readEnv({ ...HTTP_BASE, [name]: `${marker} bad value` });
    if (result.ok) return false;
    const mine = result.problems.filter((p) => p.startsWith(name));
    return mine.length > 0 && mine.every((p) => !p.toLowerCase().includes(marker));
  }),
);

/** readEnv's defaults for the two ports. */
const DEFAULTS = (() => {
  const result = readEnv(HTTP_BASE);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return { port: result.env.port, opsPort: result.env.opsPort };
})();

/** The runtime stage of the Dockerfile: its ENV pairs and EXPOSEd ports. */
const IMAGE = (() => {
  const stages = read('Dockerfile').split(/^FROM /m);
  const runtime = stages[stages.length - 1] ?? '';
  const env: Vars = {};
  for (const [, line] of runtime.matchAll(/^ENV (.+)$/gm)) {
    for (const [, key, value] of (line ?? '').matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)) env[key!] = value!;
  }
  const exposed = [...runtime.matchAll(/^EXPOSE (.+)$/gm)].flatMap(([, ports]) =>
    (ports ?? '').split(/\s+/).map((p) => Number(p.replace(/\/tcp$/, ''))),
  );
  return { env, exposed };
})();

// --- the kits, in one shape ----------------------------------------------------------------------

interface ContainerKit {
  /** Where it is written, for messages. */
  where: string;
  /** Variables written in the kit, with their values. */
  literals: Vars;
  /** Variables a secret store (or the operator's .env) supplies at run time. */
  fromSecrets: string[];
  /** Ports the container listens on, as the kit declares them. */
  containerPorts: number[];
}

/** The environment the process sees: the image's ENV, then the kit's values, then the secrets. */
function environmentOf(kit: ContainerKit, secrets: string[] = kit.fromSecrets): Vars {
  const vars: Vars = { ...IMAGE.env, ...kit.literals };
  for (const name of secrets) vars[name] = secretValue(name);
  return vars;
}

function envOf(kit: ContainerKit, secrets?: string[]): Env {
  const result = readEnv(environmentOf(kit, secrets));
  if (!result.ok) throw new Error(`${kit.where}: readEnv refused it:\n${result.problems.join('\n')}`);
  return result.env;
}

/** The ports a process of this role listens on (src/runtime.ts: the receiver unless worker, ops always). */
const portsOf = (env: Env) => (env.role === 'worker' ? [env.opsPort] : [env.port, env.opsPort]);

interface EcsTaskDefinition {
  family: string;
  requiresCompatibilities: string[];
  networkMode: string;
  cpu: string;
  memory: string;
  executionRoleArn?: string;
  taskRoleArn?: string;
  containerDefinitions: {
    name: string;
    image: string;
    readonlyRootFilesystem?: boolean;
    portMappings: { name?: string; containerPort: number; protocol?: string }[];
    environment: { name: string; value: string }[];
    secrets: { name: string; valueFrom: string }[];
    healthCheck: {
      command: string[];
      interval: number;
      timeout: number;
      retries: number;
      startPeriod: number;
    };
    logConfiguration: { logDriver: string; options: Record<string, string> };
  }[];
}

const ECS_FILES = {
  web: 'deploy/ecs/web.task-definition.json',
  worker: 'deploy/ecs/worker.task-definition.json',
};
const ecs = (role: keyof typeof ECS_FILES) => JSON.parse(read(ECS_FILES[role])) as EcsTaskDefinition;

function ecsKit(role: keyof typeof ECS_FILES): ContainerKit {
  const [container] = ecs(role).containerDefinitions;
  return {
    where: ECS_FILES[role],
    literals: Object.fromEntries(container!.environment.map((e) => [e.name, e.value])),
    fromSecrets: container!.secrets.map((s) => s.name),
    containerPorts: container!.portMappings.map((m) => m.containerPort),
  };
}

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: a manifest, read field by field below
  [key: string]: any;
}

const K8S_DIR = join(DEPLOY, 'k8s');
const K8S_FILES = readdirSync(K8S_DIR).filter((f) => f.endsWith('.yaml'));
const k8sObjects = (file: string): K8sObject[] =>
  parseAllDocuments(readFileSync(join(K8S_DIR, file), 'utf8')).map((d) => d.toJS() as K8sObject);
const K8S = K8S_FILES.flatMap((file) => k8sObjects(file).map((object) => ({ file, object })));
const k8sOne = (kind: string, name?: string): K8sObject => {
  const found = K8S.filter((k) => k.object.kind === kind && (!name || k.object.metadata.name === name));
  if (found.length !== 1)
    throw new Error(`deploy/k8s: expected one ${kind} ${name ?? ''}, found ${found.length}`);
  return found[0]!.object;
};
const DEPLOYMENTS = {
  web: k8sOne('Deployment', 'greenlight-web'),
  worker: k8sOne('Deployment', 'greenlight-worker'),
};
const containerOf = (deployment: K8sObject) => deployment.spec.template.spec.containers[0];

interface K8sEnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

function k8sKit(role: keyof typeof DEPLOYMENTS): ContainerKit {
  const env = containerOf(DEPLOYMENTS[role]).env as K8sEnvVar[];
  return {
    where: `deploy/k8s Deployment greenlight-${role}`,
    literals: Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!])),
    fromSecrets: env.filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.name),
    containerPorts: (containerOf(DEPLOYMENTS[role]).ports as { containerPort: number }[]).map(
      (p) => p.containerPort,
    ),
  };
}

/** The container port a probe's or Service's port (a number or a port name) refers to. */
function containerPort(
  container: { ports: { name?: string; containerPort: number }[] },
  port: unknown,
): number {
  if (typeof port === 'number') return port;
  const named = container.ports.find((p) => p.name === port);
  if (!named) throw new Error(`no container port named ${String(port)}`);
  return named.containerPort;
}

const COMPOSE_FILE = 'deploy/compose/compose.yaml';
// biome-ignore lint/suspicious/noExplicitAny: a compose file, read field by field below
const compose = parse(read(COMPOSE_FILE)) as { services: Record<string, any>; [key: string]: any };
const BOT = compose.services.greenlight;
const REDIS = compose.services.redis;

/** `${NAME}`, `${NAME:-default}`, `${NAME:?message}`: the operator's value, from .env or the shell. */
const INTERPOLATION = /^\$\{([A-Z_][A-Z0-9_]*)(?::?[-?][^}]*)?\}$/;

const composeEnv = BOT.environment as Record<string, string>;
const composeKit: ContainerKit = {
  where: `${COMPOSE_FILE} service greenlight`,
  literals: Object.fromEntries(Object.entries(composeEnv).filter(([, v]) => !INTERPOLATION.test(v))),
  fromSecrets: Object.entries(composeEnv)
    .filter(([, v]) => INTERPOLATION.test(v))
    .map(([name]) => name),
  containerPorts: (BOT.ports as string[]).map((p) => Number(p.split(':').at(-1))),
};

const KITS: { kit: ContainerKit; role: Env['role'] }[] = [
  { kit: ecsKit('web'), role: 'web' },
  { kit: ecsKit('worker'), role: 'worker' },
  { kit: k8sKit('web'), role: 'web' },
  { kit: k8sKit('worker'), role: 'worker' },
  { kit: composeKit, role: 'all' },
];

// --- the ops server the probes ask -------------------------------------------------------------

const metrics = { render: async () => ({ contentType: 'text/plain', body: '' }) } as unknown as Metrics;
let readyServer: Server;
let notReadyServer: Server;
const portOf = (server: Server) => (server.address() as AddressInfo).port;
/** Where nothing listens: a server that was started and closed again. */
let closedPort: number;

beforeAll(async () => {
  readyServer = await startOpsServer(opsRoutes({ ready: async () => {}, metrics }), 0, '127.0.0.1');
  notReadyServer = await startOpsServer(
    opsRoutes({ ready: () => Promise.reject(new Error('redis is down')), metrics }),
    0,
    '127.0.0.1',
  );
  const closed = await startOpsServer([], 0, '127.0.0.1');
  closedPort = portOf(closed);
  await new Promise((done) => closed.close(done));
});

afterAll(async () => {
  await new Promise((done) => readyServer.close(done));
  await new Promise((done) => notReadyServer.close(done));
});

const OPS_PATHS = opsRoutes({ ready: async () => {}, metrics })
  .filter((r) => ([] as string[]).concat(r.method).includes('GET'))
  .map((r) => r.path);

async function statusOf(server: Server, path: string): Promise<number> {
  return (await fetch(`http://127.0.0.1:${portOf(server)}${path}`)).status;
}

/** Runs a container health check `["CMD", "node", "-e", script]` here, with OPS_PORT pointed at `port`. */
function runHealthCheck(command: string[], vars: Vars, port: number): Promise<number> {
  expect(command.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
  return new Promise((done) => {
    execFile(
      process.execPath,
      command.slice(2),
      { env: { ...vars, OPS_PORT: String(port) }, timeout: 20_000 },
      (err) => done(err ? Number((err as { code?: number }).code ?? -1) : 0),
    );
  });
}

// --- every kit ---------------------------------------------------------------------------------

describe('install kits: what the code reads', () => {
  it('finds the variables readEnv reads and the ones it keeps secret (the derivation itself works)', () => {
    for (const name of [
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'REDIS_URL',
      'GREENLIGHT_ROLE',
      'OPS_PORT',
    ])
      expect(READ_ENV_NAMES).toContain(name);
    expect(SECRET_NAMES).toContain('SLACK_BOT_TOKEN');
    expect(SECRET_NAMES).toContain('SLACK_SIGNING_SECRET');
    expect(SECRET_NAMES).not.toContain('PORT');
    expect(SECRET_NAMES).not.toContain('GREENLIGHT_CONFIG');
    expect(DEFAULTS.opsPort).toBe(DEFAULT_OPS_PORT);
  });

  it('the image EXPOSEs exactly the two ports readEnv defaults to, and its ENV keeps those defaults', () => {
    expect([...IMAGE.exposed].sort()).toEqual([DEFAULTS.port, DEFAULTS.opsPort].sort());
    expect(Number(IMAGE.env.PORT ?? DEFAULTS.port)).toBe(DEFAULTS.port);
    expect(Number(IMAGE.env.OPS_PORT ?? DEFAULTS.opsPort)).toBe(DEFAULTS.opsPort);
  });
});

describe.each(KITS)('install kit $kit.where', ({ kit, role }) => {
  it('sets only variables Greenlight or the AWS SDK reads', () => {
    const allowed = (name: string) => READ_ENV_NAMES.has(name) || isAwsSdkVariable(name);
    const unknown = [...Object.keys(kit.literals), ...kit.fromSecrets].filter((n) => !allowed(n));
    expect(unknown, `${kit.where} sets variables nothing reads`).toEqual([]);
  });

  it('takes every secret from a secret store, never from a value written in the kit', () => {
    // A literal is tolerated only for a URL that carries no credential (the compose trial's own Redis).
    const written = Object.entries(kit.literals).filter(([name, value]) => {
      if (!SECRET_NAMES.has(name)) return false;
      const url = URL.canParse(value) ? new URL(value) : undefined;
      const withoutCredential = url !== undefined && url.username === '' && url.password === '';
      return !withoutCredential;
    });
    expect(written.map(([name]) => name)).toEqual([]);
    expect(kit.fromSecrets).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN']));
    expect(kit.fromSecrets.filter((n) => n in kit.literals)).toEqual([]);
  });

  it(`is a production ${role} process readEnv accepts, with Redis, its config and the default ports`, () => {
    const env = envOf(kit);
    expect(env.mode).not.toBe('sandbox');
    expect(env.role).toBe(role);
    expect(env.redisUrl, 'src/main.ts refuses to start without REDIS_URL').toBeDefined();
    expect(
      kit.literals.GREENLIGHT_CONFIG,
      'GREENLIGHT_CONFIG, where the kit puts greenlight.yml',
    ).toBeDefined();
    expect(env.configPath).toBe(kit.literals.GREENLIGHT_CONFIG);
    expect({ port: env.port, opsPort: env.opsPort }).toEqual(DEFAULTS);
  });

  it('declares the ports its role listens on, each one the image EXPOSEs', () => {
    const env = envOf(kit);
    expect([...kit.containerPorts].sort()).toEqual(portsOf(env).sort());
    for (const port of kit.containerPorts) expect(IMAGE.exposed).toContain(port);
  });
});

// --- ECS ---------------------------------------------------------------------------------------

// Fargate's task sizes (AWS: "Troubleshoot Amazon ECS task definition invalid CPU or memory
// errors", https://docs.aws.amazon.com/AmazonECS/latest/userguide/task-cpu-memory-error.html).
const FARGATE_MEMORY: Record<string, number[]> = {
  '256': [512, 1024, 2048],
  '512': [1024, 2048, 3072, 4096],
  '1024': [2048, 3072, 4096, 5120, 6144, 7168, 8192],
};

/** What the AWS SDK's RegisterTaskDefinition serializer sends for this input (it drops unknown fields). */
async function serialized(input: object): Promise<unknown> {
  vi.stubEnv('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true');
  const client = new ECSClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
  let body: unknown;
  client.middlewareStack.add(
    () => async (args) => {
      body = (args.request as { body: Uint8Array | string }).body;
      throw new Error('serialized: not sent');
    },
    { step: 'build' },
  );
  await expect(client.send(new RegisterTaskDefinitionCommand(input as never))).rejects.toThrow(
    'serialized: not sent',
  );
  return JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body as Uint8Array));
}

describe.each(Object.keys(ECS_FILES) as (keyof typeof ECS_FILES)[])('ECS task definition (%s)', (role) => {
  const task = ecs(role);
  const [container] = task.containerDefinitions;

  it('has only fields of RegisterTaskDefinition: the AWS SDK serializes it unchanged', async () => {
    expect(await serialized(task)).toEqual(task);
  });

  it('runs one essential container on Fargate with a valid task size', () => {
    expect(task.containerDefinitions).toHaveLength(1);
    expect(task.requiresCompatibilities).toEqual(['FARGATE']);
    // Fargate requires the awsvpc network mode (ECS task definition parameters, "Network mode").
    expect(task.networkMode).toBe('awsvpc');
    expect(FARGATE_MEMORY[task.cpu], `Fargate cpu ${task.cpu}`).toContain(Number(task.memory));
    expect(container?.readonlyRootFilesystem).toBe(true);
  });

  it('gets its secrets from Secrets Manager or SSM Parameter Store, with an execution role to read them', () => {
    // `valueFrom` is the full ARN of a Secrets Manager secret (optionally `:json-key:stage:id`) or
    // of an SSM parameter (AWS API reference, `Secret`; a bare parameter name works only in the
    // task's own Region, so the kit uses ARNs throughout).
    for (const secret of container!.secrets) {
      expect(secret.valueFrom).toMatch(
        /^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+(:[\w-]*:[\w-]*:[\w-]*)?|ssm:[a-z0-9-]+:\d{12}:parameter\/[\w/.-]+)$/,
      );
    }
    // The task execution role is what retrieves `secrets` and writes awslogs (ECS: "Amazon ECS
    // task execution IAM role"); the task role is what Greenlight calls ELBv2 and CloudWatch with.
    expect(task.executionRoleArn).toMatch(/^arn:aws[a-z-]*:iam::\d{12}:role\//);
    expect(task.taskRoleArn).toMatch(/^arn:aws[a-z-]*:iam::\d{12}:role\//);
  });

  it('logs to CloudWatch with the options awslogs needs on Fargate', () => {
    expect(container!.logConfiguration.logDriver).toBe('awslogs');
    for (const option of ['awslogs-group', 'awslogs-region', 'awslogs-stream-prefix'])
      expect(container!.logConfiguration.options[option], option).toBeTruthy();
  });

  it('has a container health check that passes while the process is up, Redis or not, and fails when it is gone', async () => {
    const { healthCheck } = container!;
    const vars = environmentOf(ecsKit(role));
    expect(await runHealthCheck(healthCheck.command, vars, portOf(readyServer))).toBe(0);
    // An ECS service replaces a task whose health check fails: it must not fail on a Redis outage.
    expect(await runHealthCheck(healthCheck.command, vars, portOf(notReadyServer))).toBe(0);
    expect(await runHealthCheck(healthCheck.command, vars, closedPort)).not.toBe(0);
    // The script gives up before ECS does (its own timeout, in ms, under the check's, in s).
    const scriptTimeoutMs = Number(/AbortSignal\.timeout\((\d+)\)/.exec(healthCheck.command[3] ?? '')?.[1]);
    expect(scriptTimeoutMs).toBeLessThan(healthCheck.timeout * 1000);
  });

  it('runs the image the config layer builds, with the config where GREENLIGHT_CONFIG says', () => {
    const dockerfile = read('deploy/ecs/config.Dockerfile');
    const [, target] = /^COPY .*greenlight\.yml (\S+)$/m.exec(dockerfile) ?? [];
    expect(target).toBe(ecsKit(role).literals.GREENLIGHT_CONFIG);
    expect(read('deploy/ecs/config.Dockerfile.dockerignore')).toMatch(/^\*$[\s\S]*^!greenlight\.yml$/m);
    expect(container!.image).toBe(ecs('web').containerDefinitions[0]!.image);
  });
});

// --- Kubernetes --------------------------------------------------------------------------------

/** CPU in cores, memory in bytes, from a Kubernetes quantity. */
function quantity(text: string | number): number {
  const units: Record<string, number> = {
    m: 1e-3,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    k: 1e3,
    M: 1e6,
    G: 1e9,
  };
  const [, number, unit] = /^([\d.]+)([a-zA-Z]*)$/.exec(String(text)) ?? [];
  if (number === undefined || (unit && !(unit in units))) throw new Error(`not a quantity: ${text}`);
  return Number(number) * (unit ? units[unit]! : 1);
}

describe.each(Object.keys(DEPLOYMENTS) as (keyof typeof DEPLOYMENTS)[])(
  'Kubernetes Deployment (%s)',
  (role) => {
    const deployment = DEPLOYMENTS[role];
    const pod = deployment.spec.template.spec;
    const container = containerOf(deployment);

    it('selects its own pods, and runs the same image as the other role', () => {
      expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
      expect(container.image).toBe(containerOf(DEPLOYMENTS.web).image);
    });

    it('probes the ops port: liveness and startup on a route that answers while Redis is down, readiness on one that does not', async () => {
      const env = envOf(k8sKit(role));
      for (const kind of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
        const probe = container[kind].httpGet;
        expect(OPS_PATHS, `${kind} path`).toContain(probe.path);
        expect(containerPort(container, probe.port), `${kind} port`).toBe(env.opsPort);
        expect(await statusOf(readyServer, probe.path), kind).toBe(200);
        const whileRedisIsDown = await statusOf(notReadyServer, probe.path);
        // A failing liveness probe restarts the pod: a Redis outage must not restart every pod.
        if (kind === 'readinessProbe') expect(whileRedisIsDown).toBe(503);
        else expect(whileRedisIsDown, kind).toBe(200);
      }
    });

    it('tells Prometheus to scrape /metrics on the ops port', () => {
      const annotations = deployment.spec.template.metadata.annotations;
      expect(OPS_PATHS).toContain(annotations['prometheus.io/path']);
      expect(Number(annotations['prometheus.io/port'])).toBe(envOf(k8sKit(role)).opsPort);
    });

    it('reads its secrets from the Secret the template defines, key by key', () => {
      const secret = k8sOne('Secret');
      for (const variable of container.env as K8sEnvVar[]) {
        const ref = variable.valueFrom?.secretKeyRef;
        if (!ref) continue;
        expect(ref.name).toBe(secret.metadata.name);
        expect(Object.keys(secret.stringData ?? secret.data)).toContain(ref.key);
      }
    });

    it('mounts the ConfigMap so that GREENLIGHT_CONFIG is its greenlight.yml, a config the loader accepts', () => {
      const configMap = k8sOne('ConfigMap');
      const volume = pod.volumes.find(
        (v: { configMap?: { name: string } }) => v.configMap?.name === configMap.metadata.name,
      );
      const mount = container.volumeMounts.find((m: { name: string }) => m.name === volume?.name);
      expect(mount?.readOnly).toBe(true);
      const configPath = k8sKit(role).literals.GREENLIGHT_CONFIG ?? '';
      expect(dirname(configPath)).toBe(mount?.mountPath);
      const text = configMap.data[configPath.slice(dirname(configPath).length + 1)];
      const parsed = parseConfigText(text ?? '', 'ConfigMap greenlight-config');
      if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
      // A hook or events secret the config names must come from the Secret too.
      const hookSecrets = [
        ...Object.values(parsed.config.services).flatMap((s) => s.hooks?.secretEnv ?? []),
        ...(parsed.config.events ? [parsed.config.events.secretEnv] : []),
      ];
      for (const name of hookSecrets) expect(k8sKit(role).fromSecrets).toContain(name);
    });

    it('runs as a non-root user, read-only, without privilege escalation or capabilities', () => {
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(pod.serviceAccountName).toBe(k8sOne('ServiceAccount').metadata.name);
    });

    it('requests and limits CPU and memory, each request within its limit', () => {
      const { requests, limits } = container.resources;
      for (const resource of ['cpu', 'memory']) {
        expect(quantity(requests[resource]), resource).toBeGreaterThan(0);
        expect(quantity(requests[resource]), resource).toBeLessThanOrEqual(quantity(limits[resource]));
      }
    });
  },
);

describe('Kubernetes Service, Secret template and kustomization', () => {
  it('the Service sends its port to the web pods’ Slack port, and to no worker', () => {
    const service = k8sOne('Service', 'greenlight-web');
    const selects = (d: K8sObject) =>
      Object.entries(service.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v);
    expect(selects(DEPLOYMENTS.web)).toBe(true);
    expect(selects(DEPLOYMENTS.worker)).toBe(false);
    for (const port of service.spec.ports)
      expect(containerPort(containerOf(DEPLOYMENTS.web), port.targetPort)).toBe(envOf(k8sKit('web')).port);
  });

  it('the Secret template cannot start a bot as it is: readEnv refuses every placeholder', () => {
    const placeholders = k8sOne('Secret').stringData as Vars;
    const result = readEnv({ ...environmentOf(k8sKit('web'), []), ...placeholders });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    for (const name of Object.keys(placeholders)) {
      expect(
        problems.some((p) => p.startsWith(name)),
        `${name} placeholder accepted`,
      ).toBe(true);
      expect(problems.join('\n')).not.toContain(placeholders[name]);
    }
  });

  it('kustomization lists every manifest but the Secret template, in the namespace it creates', () => {
    const kustomization = parse(readFileSync(join(K8S_DIR, 'kustomization.yaml'), 'utf8'));
    const secretFile = K8S.find((k) => k.object.kind === 'Secret')?.file;
    const manifests = K8S_FILES.filter((f) => f !== 'kustomization.yaml' && f !== secretFile);
    expect([...kustomization.resources].sort()).toEqual(manifests.sort());
    expect(kustomization.namespace).toBe(k8sOne('Namespace').metadata.name);
  });
});

// --- Docker Compose ----------------------------------------------------------------------------

/** `redis-server --name value …` → name → value. */
function redisDirectives(command: string[]): Map<string, string> {
  expect(command[0]).toBe('redis-server');
  const directives = new Map<string, string>();
  for (let i = 1; i < command.length; i += 2) directives.set(command[i]!.replace(/^--/, ''), command[i + 1]!);
  return directives;
}

describe('Docker Compose trial', () => {
  it('runs Redis with the settings the durability check wants, and the check is on for this bot', () => {
    const directives = redisDirectives(REDIS.command);
    // Stated explicitly, not left to a default another image or redis.conf could change.
    expect(directives.has('appendonly') && directives.has('maxmemory-policy')).toBe(true);
    const settings = {
      appendOnly: directives.get('appendonly') === 'yes',
      maxmemoryPolicy: directives.get('maxmemory-policy') ?? null,
    };
    const managedDurability = envOf(composeKit).redisDurability === 'managed';
    expect(settingsProblems(settings, { managedDurability })).toEqual([]);
    // The check would see appendonly off: the kit does not silence it.
    expect(settingsProblems({ ...settings, appendOnly: false }, { managedDurability })).not.toEqual([]);
    // The README's "Redis settings": appendfsync everysec (the default) or always.
    expect(['everysec', 'always']).toContain(directives.get('appendfsync') ?? 'everysec');
  });

  it('keeps Redis data in a named volume at the data directory', () => {
    expect(REDIS.volumes).toContain('redis-data:/data');
    expect(compose.volumes).toHaveProperty('redis-data');
  });

  it('points the bot at that Redis and starts it once Redis is healthy', () => {
    const url = new URL(composeKit.literals.REDIS_URL ?? '');
    expect(compose.services[url.hostname]).toBe(REDIS);
    expect(REDIS.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(BOT.depends_on.redis.condition).toBe('service_healthy');
  });

  it('builds the bot from the repository’s Dockerfile and mounts the config at GREENLIGHT_CONFIG', () => {
    const composeDir = join(DEPLOY, 'compose');
    expect(resolve(composeDir, BOT.build.context, BOT.build.dockerfile)).toBe(join(ROOT, 'Dockerfile'));
    const [config] = BOT.configs;
    expect(config.target).toBe(composeKit.literals.GREENLIGHT_CONFIG);
    expect(resolve(composeDir, compose.configs[config.source].file)).toBe(join(ROOT, 'greenlight.yml'));
  });

  it('publishes the Slack port, and the ops port on this machine only', () => {
    const env = envOf(composeKit);
    const published = new Map((BOT.ports as string[]).map((p) => [Number(p.split(':').at(-1)), p]));
    expect(published.get(env.port)).toBe(`${env.port}:${env.port}`);
    expect(published.get(env.opsPort)).toBe(`127.0.0.1:${env.opsPort}:${env.opsPort}`);
  });

  it('starts in HTTP mode or Socket Mode, whichever tokens .env holds', () => {
    const all = composeKit.fromSecrets;
    expect(
      envOf(
        composeKit,
        all.filter((n) => n !== 'SLACK_APP_TOKEN'),
      ).mode,
    ).toBe('http');
    expect(
      envOf(
        composeKit,
        all.filter((n) => n !== 'SLACK_SIGNING_SECRET'),
      ).mode,
    ).toBe('socket');
    const example = readFileSync(join(DEPLOY, 'compose/.env.example'), 'utf8');
    for (const name of all) expect(example).toMatch(new RegExp(`^${name}=$`, 'm'));
  });

  it('has a bot health check that is healthy when ready, and not while Redis is down or the bot is gone', async () => {
    const vars = environmentOf(composeKit);
    expect(await runHealthCheck(BOT.healthcheck.test, vars, portOf(readyServer))).toBe(0);
    expect(await runHealthCheck(BOT.healthcheck.test, vars, portOf(notReadyServer))).not.toBe(0);
    expect(await runHealthCheck(BOT.healthcheck.test, vars, closedPort)).not.toBe(0);
  });

  it('runs the bot read-only, without capabilities or privilege escalation', () => {
    expect(BOT.read_only).toBe(true);
    expect(BOT.cap_drop).toEqual(['ALL']);
    expect(BOT.security_opt).toContain('no-new-privileges:true');
  });
});

describe('the image itself', () => {
  it('is the version package.json declares, in every kit and its README', () => {
    const version = (JSON.parse(read('package.json')) as { version: string }).version;
    const files = [
      'deploy/ecs/web.task-definition.json',
      'deploy/ecs/worker.task-definition.json',
      'deploy/k8s/web-deployment.yaml',
      'deploy/k8s/worker-deployment.yaml',
      'deploy/README.md',
    ];
    for (const file of files) {
      const tags = [...read(file).matchAll(/greenlight:(\d+\.\d+\.\d+)/g)].map((m) => m[1]);
      const repoTags = [...read(file).matchAll(/\$REPO:(\d+\.\d+\.\d+)/g)].map((m) => m[1]);
      expect([...tags, ...repoTags].length, file).toBeGreaterThan(0);
      for (const tag of [...tags, ...repoTags]) expect(tag, file).toBe(version);
    }
  });

  /** The Dockerfile's HEALTHCHECK command (exec form), continuation lines joined. */
  const imageHealthCheck = (): string[] => {
    const joined = read('Dockerfile').replace(/\\\n\s*/g, ' ');
    const match = /^HEALTHCHECK .*?CMD (\[.*\])$/m.exec(joined);
    expect(match, 'a HEALTHCHECK in exec form').not.toBeNull();
    return ['CMD', ...(JSON.parse(match?.[1] ?? '[]') as string[])];
  };

  it('checks /healthz on the ops port, which every role serves (a worker has no Slack port)', async () => {
    const command = imageHealthCheck();
    // A worker: nothing listens on PORT; the ops server answers.
    const worker = { PORT: String(closedPort), GREENLIGHT_ROLE: 'worker' };
    expect(await runHealthCheck(command, worker, portOf(readyServer))).toBe(0);
    expect(await runHealthCheck(command, worker, portOf(notReadyServer))).toBe(0);
    expect(await runHealthCheck(command, worker, closedPort)).not.toBe(0);
  });
});
