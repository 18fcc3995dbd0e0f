/** The states of a deployment, in lifecycle order. Pure. */

export const STATES = [
  'requested',
  'prechecking',
  'awaiting_approval',
  'cutting_over',
  'verifying',
  'soaking',
  'tearing_down',
  'done',
  'blocked',
  'cancelled',
  'expired',
  'failed',
  'rolling_back',
  'rolled_back',
] as const;
export type State = (typeof STATES)[number];
