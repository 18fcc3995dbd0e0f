/** Group stickiness (cookie AWSALBTG) in forwards: what AWS requires and what it lets through. */
import { describe, expect, it } from 'vitest';
import { findOffenders, rewriteActions } from '../../src/domain/forwards.js';
import type { Action } from '../../src/domain/load-balancer.js';
import { BLUE, fwd, GREEN, L80, L443, listener, OTHER } from '../helpers/forward-fixtures.js';

const slots = { blue: BLUE, green: GREEN };
const withGroupStickiness = (
  action: Action,
  TargetGroupStickinessConfig: { Enabled: boolean; DurationSeconds?: number },
): Action => ({ ...action, ForwardConfig: { ...action.ForwardConfig, TargetGroupStickinessConfig } });

describe('rewriteActions with green’s target-group stickiness on (stickyTargetGroups)', () => {
  const sticky = new Set([GREEN]);

  it('enables group stickiness for 1 hour on a forward that keeps another group beside green', () => {
    expect(rewriteActions([fwd([BLUE, 5], [OTHER, 5])], slots, 'green', sticky)).toEqual([
      withGroupStickiness(fwd([GREEN, 5], [OTHER, 5]), { Enabled: true, DurationSeconds: 3600 }),
    ]);
  });

  it('keeps the duration a disabled group stickiness already had', () => {
    const before = withGroupStickiness(fwd([BLUE, 5], [OTHER, 5]), { Enabled: false, DurationSeconds: 60 });
    const [out] = rewriteActions([before], slots, 'green', sticky) ?? [];
    expect(out?.ForwardConfig?.TargetGroupStickinessConfig).toEqual({ Enabled: true, DurationSeconds: 60 });
  });

  it('leaves group stickiness that is already on as it is', () => {
    const before = withGroupStickiness(fwd([BLUE, 5], [OTHER, 5]), { Enabled: true, DurationSeconds: 90 });
    const [out] = rewriteActions([before], slots, 'green', sticky) ?? [];
    expect(out?.ForwardConfig?.TargetGroupStickinessConfig).toEqual({ Enabled: true, DurationSeconds: 90 });
  });

  it('adds no group stickiness when green is left alone in the forward', () => {
    expect(rewriteActions([fwd([BLUE, 1], [GREEN, 0])], slots, 'green', sticky)).toEqual([fwd([GREEN, 1])]);
  });

  it('is idempotent: a second rewrite with the same groups changes nothing', () => {
    const once = rewriteActions([fwd([BLUE, 5], [OTHER, 5])], slots, 'green', sticky);
    expect(rewriteActions(once ?? [], slots, 'green', sticky)).toBeNull();
  });

  it('enables group stickiness on a forward already pointing at green beside another group', () => {
    expect(rewriteActions([fwd([GREEN, 5], [OTHER, 5])], slots, 'green', sticky)).toEqual([
      withGroupStickiness(fwd([GREEN, 5], [OTHER, 5]), { Enabled: true, DurationSeconds: 3600 }),
    ]);
  });
});

describe('findOffenders and group stickiness', () => {
  it('names a forward that keeps the old group at weight 0 with group stickiness on (AWSALBTG)', () => {
    const sticky = withGroupStickiness(fwd([GREEN, 1], [BLUE, 0]), { Enabled: true, DurationSeconds: 600 });
    const off = withGroupStickiness(fwd([GREEN, 1], [BLUE, 0]), { Enabled: false });
    const listeners = [listener(L443, 443, [off]), listener(L80, 80, [sticky])];
    expect(findOffenders(listeners, new Map(), BLUE)).toEqual([
      { listenerArn: L80, port: 80, priority: 'default', weight: 0, reason: 'stickiness' },
    ]);
  });
});
