/**
 * The `aws:` block of a service (and of `defaults:`): the Region of the service's resources and
 * the IAM role Greenlight assumes to reach them, with the external ID the role's trust policy asks
 * for. A service's key wins over the default's, key by key; a key absent from both is the
 * process's own (its Region and credentials from the standard AWS environment, as before).
 *
 * Shapes, from AWS's own definitions:
 * - Region codes: `<area>[-gov|-iso|-isob|-isoe|-isof]-<direction>-<n>` (AWS General Reference,
 *   "AWS Regions"; e.g. us-east-1, eu-central-2, us-gov-west-1, cn-north-1, us-isob-east-1,
 *   eu-isoe-west-1).
 * - Role ARNs: `arn:<partition>:iam::<account>:role/<path/><name>` (IAM User Guide, "IAM
 *   identifiers"; a name is 1–64 of `[\w+=,.@-]`, a path `/…/` of printable ASCII), in every
 *   partition whose Regions are accepted: aws, aws-cn, aws-us-gov and the ISO partitions aws-iso,
 *   aws-iso-b, aws-iso-e and aws-iso-f (the SDK's partitions table, @aws-sdk/core util-endpoints).
 * - External IDs: 2–1224 characters of `[\w+=,.@:/-]` (STS API Reference, AssumeRole,
 *   `ExternalId`; botocore's sts/2011-06-15 model, shape `externalIdType`).
 */
import { z } from 'zod';
import type { AwsSettings } from '../domain/service.js';

export const AWS_REGION =
  /^[a-z]{2}(?:-gov|-iso[bef]?)?-(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-\d{1,2}$/;
export const IAM_ROLE_ARN =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[bef]):iam::(\d{12}):role\/(?:[\x21-\x7e]{1,510}\/)?[\w+=,.@-]{1,64}$/;
export const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** The partition a Region belongs to (AWS General Reference, "ARN format": `partition`). */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  const iso = /^[a-z]{2}-iso([a-z]?)-/.exec(region);
  if (iso) return iso[1] ? `aws-iso-${iso[1]}` : 'aws-iso';
  return 'aws';
}

/** The partition and account of a role ARN, or undefined when it is not one. */
export function roleAccount(roleArn: string): { partition: string; account: string } | undefined {
  const m = IAM_ROLE_ARN.exec(roleArn);
  return m ? { partition: m[1] as string, account: m[2] as string } : undefined;
}

const REGION_HELP = 'an AWS Region such as us-east-1, eu-central-2, us-gov-west-1 or cn-north-1';

export const awsSchema = z
  .object({
    region: z
      .string()
      .regex(AWS_REGION, `not ${REGION_HELP}`)
      .optional()
      .describe(
        "The Region of the service's load balancer, target groups, metrics and compute, e.g. eu-west-1. Default: the process's (AWS_REGION).",
      ),
    roleArn: z
      .string()
      .regex(IAM_ROLE_ARN, 'not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)')
      .optional()
      .describe(
        "The IAM role Greenlight assumes (sts:AssumeRole, from its own credentials) for every AWS call of the service; the service's resources must be in the role's account. Default: the process's own credentials.",
      ),
    externalId: z
      .string()
      .regex(EXTERNAL_ID, '2 to 1224 characters of letters, digits and _+=,.@:/- (STS ExternalId)')
      .optional()
      .describe(
        "The external ID sent with AssumeRole, when the role's trust policy requires one (sts:ExternalId). Only with roleArn.",
      ),
  })
  .strict();

export type RawAws = z.infer<typeof awsSchema>;

/** The service's settings over the defaults', key by key; undefined when neither gives any. */
export function resolveAws(
  service: RawAws | undefined,
  defaults: RawAws | undefined,
): AwsSettings | undefined {
  const out: AwsSettings = {};
  for (const key of ['region', 'roleArn', 'externalId'] as const) {
    const value = service?.[key] ?? defaults?.[key];
    if (value !== undefined) out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
