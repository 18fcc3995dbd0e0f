import { describe, expect, it } from 'vitest';
import type { AsgPort, EcsPort } from '../../src/app/ports/compute.js';
import { readSlotVersions } from '../../src/compute/slot-versions.js';
import { shortImage, versionLines, versionSummary } from '../../src/domain/slot-version.js';
import { AwsCallError } from '../../src/errors.js';
import { slotVersionLines } from '../../src/messages/common.js';
import { serviceConfig } from '../helpers/service-config.js';

const KEYS = ['version', 'commit'];

describe('versionSummary', () => {
  it('shows the first tag, the others in brackets (a full SHA shortened), then the compute', () => {
    expect(
      versionSummary(
        {
          tags: { version: '1.42.0', commit: '3f9c2e1d7a4b8c6e0f2a5d9b1c3e7f4a6b8d0c2e' },
          compute: ['task definition checkout:88'],
        },
        KEYS,
      ),
    ).toBe('1.42.0 (3f9c2e1), task definition checkout:88');
  });

  it('follows the configured key order, not the order tags were read in', () => {
    const v = { tags: { commit: 'abc1234', version: '2.0.0' }, compute: [] };
    expect(versionSummary(v, ['commit', 'version'])).toBe('abc1234 (2.0.0)');
    expect(versionSummary(v, KEYS)).toBe('2.0.0 (abc1234)');
  });

  it('keeps a short commit or a non-hex value as it is', () => {
    expect(versionSummary({ tags: { commit: 'deadbeef' }, compute: [] }, KEYS)).toBe('deadbeef');
    expect(versionSummary({ tags: { version: 'g'.repeat(40) }, compute: [] }, KEYS)).toBe('g'.repeat(40));
  });

  it('says what failed when nothing is known, and nothing when nothing failed', () => {
    expect(versionSummary({ tags: {}, compute: [], problems: ['compute: AccessDenied'] }, KEYS)).toBe(
      'version unknown (compute: AccessDenied)',
    );
    expect(versionSummary({ tags: {}, compute: [] }, KEYS)).toBeNull();
    expect(versionSummary(undefined, KEYS)).toBeNull();
  });

  it('lists only slots with something to say, in the order asked', () => {
    const versions = { blue: { tags: { version: '1' }, compute: [] }, green: { tags: {}, compute: [] } };
    expect(versionLines(versions, ['green', 'blue'], KEYS)).toEqual([{ slot: 'blue', text: '1' }]);
  });
});

describe('shortImage', () => {
  it.each([
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/checkout:1.42.0', 'checkout:1.42.0'],
    ['nginx', 'nginx'],
    ['registry:5000/team/app:v2', 'app:v2'],
    [`app@sha256:${'a1'.repeat(32)}`, 'app@sha256:a1a1a1a1a1a1'],
  ])('%s → %s', (image, short) => {
    expect(shortImage(image)).toBe(short);
  });
});

describe('slotVersionLines (messages)', () => {
  it('escapes what AWS tags say and puts the slots asked for first', () => {
    const svc = serviceConfig({ versionTags: ['version'] });
    const lines = slotVersionLines(
      {
        blue: { tags: { version: '<!channel>' }, compute: [] },
        green: { tags: { version: '2' }, compute: [] },
      },
      svc,
      ['green'],
    );
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('green');
    expect(lines[1]).toContain('&lt;!channel&gt;');
    expect(lines.join('\n')).not.toContain('<!channel>');
  });
});

describe('readSlotVersions', () => {
  const noAsg: AsgPort = {
    describeGroup: () => Promise.reject(new Error('no asg here')),
    updateGroup: () => Promise.reject(new Error('read only')),
    describeTerminationHooks: () => Promise.reject(new Error('read only')),
  };
  const ecs = (fail?: Error): EcsPort => ({
    describeService: async () => {
      if (fail) throw fail;
      return { desired: 1, running: 1, pending: 0, status: 'ACTIVE', taskDefinition: 'arn:td/checkout:88' };
    },
    updateDesiredCount: () => Promise.reject(new Error('read only')),
    describeTaskDefinition: async () => ({
      family: 'checkout',
      revision: 88,
      containers: [{ name: 'app', image: 'checkout:1.42.0' }],
    }),
  });
  const svc = serviceConfig({
    compute: { green: { kind: 'ecs', cluster: 'shop', service: 'checkout-green' } },
  });

  it('keeps only the configured tag keys and reads each slot’s compute', async () => {
    const versions = await readSlotVersions(
      {
        ecs: ecs(),
        asg: noAsg,
        router: {
          slotTags: async () => ({
            blue: { version: '1.41.2', team: 'payments' },
            green: { version: '1.42.0', commit: 'abc1234', 'aws:cloudformation:stack-name': 'x' },
          }),
        },
      },
      svc,
    );
    expect(versions).toEqual({
      blue: { tags: { version: '1.41.2' }, compute: [] },
      green: {
        tags: { version: '1.42.0', commit: 'abc1234' },
        compute: ['image checkout:1.42.0', 'task definition checkout:88'],
      },
    });
  });

  it('gives up a read that does not answer within the deadline, saying so', async () => {
    const never = new Promise<never>(() => {});
    const versions = await readSlotVersions(
      { ecs: { ...ecs(), describeService: () => never }, asg: noAsg, router: { slotTags: () => never } },
      svc,
      20,
    );
    expect(versions['green']).toEqual({
      tags: {},
      compute: [],
      problems: ['target group tags: no answer within 0.02 s', 'compute: no answer within 0.02 s'],
    });
  });

  it('turns failed reads into problems shown with the slot, never an error', async () => {
    const versions = await readSlotVersions(
      {
        ecs: ecs(
          new AwsCallError('DescribeServices', 'AccessDenied', 'not authorized to ecs:DescribeServices'),
        ),
        asg: noAsg,
        router: {
          slotTags: () => Promise.reject(new AwsCallError('DescribeTags', 'AccessDenied', 'not authorized')),
        },
      },
      svc,
    );
    expect(versions['blue']).toEqual({
      tags: {},
      compute: [],
      problems: ['target group tags: DescribeTags failed: AccessDenied: not authorized'],
    });
    expect(versions['green']?.problems).toEqual([
      'target group tags: DescribeTags failed: AccessDenied: not authorized',
      'compute: DescribeServices failed: AccessDenied: not authorized to ecs:DescribeServices',
    ]);
  });
});
