/** One complete ServiceConfig for unit tests: every setting at its default unless overridden. */
import type { ServiceConfig } from '../../src/domain/service.js';

export function serviceConfig(over: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    name: 'checkout',
    channel: 'C0DEPLOYS',
    listeners: [],
    slots: { blue: 'arn:blue', green: 'arn:green' },
    approvers: { users: ['U0APPROVER'], usergroups: [] },
    allowSelfApproval: false,
    preview: { listenerArn: over.listeners?.[0] ?? 'arn:listener', header: 'X-Greenlight-Slot' },
    soakMs: 3_600_000,
    remindBeforeMs: 600_000,
    approvalTimeoutMs: 1_800_000,
    verifyWindowMs: 300_000,
    minHealthyTargets: 1,
    versionTags: ['version', 'commit'],
    traffic: { toleranceRequests: 0, periodMs: 60_000, pollIntervalMs: 20_000, allowIdle: false },
    gates: { minRequests: 20, alarms: [], autoRollback: false, watchIntervalMs: 60_000 },
    compute: {},
    computeTimeoutMs: 600_000,
    hourlyCost: {},
    ...over,
  };
}
