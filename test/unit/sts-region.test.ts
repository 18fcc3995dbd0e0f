/**
 * Where a role is assumed (src/aws/sts-region.ts): the process's own Region when the role's
 * partition is the Region's, else the partition's global Region — never the Region of whichever
 * service happens to use the role first.
 */
import { describe, expect, it } from 'vitest';
import { processRegion, stsRegion } from '../../src/aws/sts-region.js';
import { partitionOfRegion } from '../../src/config/aws-schema.js';

describe('the STS Region of a role', () => {
  it("is the process's own Region when it is in the role's partition", () => {
    expect(stsRegion('aws', 'eu-central-2')).toBe('eu-central-2');
    expect(stsRegion('aws-us-gov', 'us-gov-east-1')).toBe('us-gov-east-1');
    expect(stsRegion('aws-iso-b', 'us-isob-east-1')).toBe('us-isob-east-1');
  });

  it("is the partition's global Region without one, or when the process is in another partition", () => {
    expect(stsRegion('aws', undefined)).toBe('us-east-1');
    expect(stsRegion('aws-cn', 'eu-west-1')).toBe('cn-northwest-1');
    for (const p of ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f'])
      expect(partitionOfRegion(stsRegion(p, undefined)), p).toBe(p);
  });

  it("takes the process's Region from the clients' option, then AWS_REGION, then AWS_DEFAULT_REGION", () => {
    const env = { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-2' };
    expect(processRegion('ap-south-1', env)).toBe('ap-south-1');
    expect(processRegion(undefined, env)).toBe('eu-west-1');
    expect(processRegion(undefined, { AWS_DEFAULT_REGION: 'eu-west-2' })).toBe('eu-west-2');
    expect(processRegion(undefined, { AWS_REGION: '' })).toBeUndefined();
  });
});
