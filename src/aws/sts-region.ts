/**
 * The Region of the STS endpoint a role is assumed through (with the bot's own credentials): the
 * process's own Region (the Region the clients are given, else `AWS_REGION`, else
 * `AWS_DEFAULT_REGION`) when it is in the role's partition; otherwise the Region of the
 * partition's global STS endpoint (the SDK's partitions table, `implicitGlobalRegion`: us-east-1
 * for `aws`, where sts.amazonaws.com is). It does not depend on which service uses a role first:
 * a role has one session, assumed in one Region. (GetCallerIdentity goes to the process's own
 * Region too, else to the global Region of the first role's partition: aws-clients.ts.)
 */
import { partitionOfRegion } from '../config/aws-schema.js';

/** The Region of each partition's global endpoint (@aws-sdk/core, util-endpoints partitions.js). */
export const PARTITION_GLOBAL_REGION: Readonly<Record<string, string>> = {
  aws: 'us-east-1',
  'aws-cn': 'cn-northwest-1',
  'aws-us-gov': 'us-gov-west-1',
  'aws-iso': 'us-iso-east-1',
  'aws-iso-b': 'us-isob-east-1',
  'aws-iso-e': 'eu-isoe-west-1',
  'aws-iso-f': 'us-isof-south-1',
};

/** The process's own Region: the clients' given Region, else AWS_REGION, else AWS_DEFAULT_REGION. */
export function processRegion(
  given: string | undefined,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  return given || env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
}

/** Where STS is called for a role of `partition`, from a process in `own` (its Region, if any). */
export function stsRegion(partition: string, own: string | undefined): string {
  if (own && partitionOfRegion(own) === partition) return own;
  return PARTITION_GLOBAL_REGION[partition] ?? 'us-east-1';
}
