/**
 * Checks of a service's `aws:` settings against the rest of its configuration, on the raw data
 * (cross-checks.ts runs them): the effective settings are the service's keys over `defaults.aws`.
 * - an external ID is sent only when assuming a role: one without a role is a mistake;
 * - the role and the Region must be in one partition (a role of aws-cn cannot act in us-east-1);
 * - every listener and target group ARN of the service must be in its Region and, with a role, in
 *   the role's account: Greenlight calls AWS for the service in that Region, as that role.
 * Values the schema refuses are skipped here (it reports them).
 */
import { AWS_REGION, EXTERNAL_ID, partitionOfRegion, roleAccount } from './aws-schema.js';
import { type ConfigPath, type ConfigProblem, isObject, problem } from './problem.js';
import { LISTENER_ARN, TARGET_GROUP_ARN } from './schema.js';

type Raw = Record<string, unknown>;

/** A setting in effect for a service, and where it is written. */
interface Setting {
  value: string;
  path: ConfigPath;
}

function setting(
  name: string,
  svc: Raw,
  defaults: Raw,
  key: 'region' | 'roleArn' | 'externalId',
  valid: (v: string) => boolean,
): Setting | 'invalid' | undefined {
  const own = isObject(svc.aws) ? svc.aws[key] : undefined;
  const fallback = isObject(defaults.aws) ? defaults.aws[key] : undefined;
  const [value, path]: [unknown, ConfigPath] =
    own !== undefined ? [own, ['services', name, 'aws', key]] : [fallback, ['defaults', 'aws', key]];
  if (value === undefined) return undefined;
  return typeof value === 'string' && valid(value) ? { value, path } : 'invalid';
}

const where = (s: Setting) => s.path.join('.');

/** Where an ARN's resource is. */
export interface ArnPlace {
  partition: string;
  region: string;
  account: string;
}

/** `partition`, `region` and `account` of an ARN of `shape`, else undefined. */
export function arnPlace(arn: unknown, shape: RegExp): ArnPlace | undefined {
  if (typeof arn !== 'string' || !shape.test(arn)) return undefined;
  const [, partition, , region, account] = arn.split(':');
  return { partition: partition as string, region: region as string, account: account as string };
}

/**
 * The ARNs a service names: its listeners, the preview listener, and its slots' target groups —
 * these only when no listener ARN is well formed: otherwise cross-checks.ts already holds each
 * target group to its listeners' region and account, and one mistake would be reported twice.
 */
function namedArns(name: string, svc: Raw): { path: ConfigPath; arn: unknown; shape: RegExp }[] {
  const out: { path: ConfigPath; arn: unknown; shape: RegExp }[] = [];
  if (Array.isArray(svc.listeners)) {
    svc.listeners.forEach((arn, i) => {
      out.push({ path: ['services', name, 'listeners', i], arn, shape: LISTENER_ARN });
    });
  }
  const listenerKnown = out.some((o) => arnPlace(o.arn, o.shape) !== undefined);
  if (isObject(svc.slots) && !listenerKnown)
    for (const [slot, arn] of Object.entries(svc.slots))
      out.push({ path: ['services', name, 'slots', slot], arn, shape: TARGET_GROUP_ARN });
  if (isObject(svc.preview) && svc.preview.listener !== undefined)
    out.push({
      path: ['services', name, 'preview', 'listener'],
      arn: svc.preview.listener,
      shape: LISTENER_ARN,
    });
  return out;
}

export function awsProblems(name: string, svc: Raw, defaults: Raw): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const region = setting(name, svc, defaults, 'region', (v) => AWS_REGION.test(v));
  const role = setting(name, svc, defaults, 'roleArn', (v) => roleAccount(v) !== undefined);
  const externalId = setting(name, svc, defaults, 'externalId', (v) => EXTERNAL_ID.test(v));
  if (externalId && externalId !== 'invalid' && role === undefined) {
    out.push(
      problem(
        externalId.path,
        externalId.path[0] === 'defaults'
          ? `service ${name} has no aws.roleArn (here or in defaults): an external ID is only sent when assuming a role`
          : 'an external ID is only sent when assuming a role: give aws.roleArn too (here or under defaults.aws)',
      ),
    );
  }
  const r = region && region !== 'invalid' ? region : undefined;
  const ro = role && role !== 'invalid' ? role : undefined;
  const owner = ro ? roleAccount(ro.value) : undefined;
  if (r && ro && owner && partitionOfRegion(r.value) !== owner.partition) {
    out.push(
      problem(
        ro.path,
        `the role is in partition ${owner.partition} but ${where(r)} (${r.value}) is in partition ${partitionOfRegion(r.value)}; a role acts only in Regions of its own partition`,
      ),
    );
    return out;
  }
  for (const { path, arn, shape } of namedArns(name, svc)) {
    const place = arnPlace(arn, shape);
    if (!place) continue;
    if (r && place.region !== r.value) {
      out.push(
        problem(
          path,
          `in region ${place.region}, but the service's AWS Region is ${r.value} (${where(r)}); Greenlight reaches its resources in that Region only`,
        ),
      );
    } else if (!r && ro && owner && place.partition !== owner.partition) {
      out.push(
        problem(
          path,
          `in partition ${place.partition}, but ${where(ro)} is a role of partition ${owner.partition}`,
        ),
      );
    }
    if (ro && owner && place.account !== owner.account) {
      out.push(
        problem(
          path,
          `in account ${place.account}, but ${where(ro)} is a role of account ${owner.account}; Greenlight reaches the service's resources as that role, so they must be in its account`,
        ),
      );
    }
  }
  return out;
}
