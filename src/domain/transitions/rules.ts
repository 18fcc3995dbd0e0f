/**
 * Which event is accepted in which state, and the words used to explain a refusal to a Slack
 * user (src/messages/reasons.ts builds the sentence). One table, so `transition()`,
 * `allowedEvents()` and the refusal messages cannot disagree.
 */
import { isTerminal, STATE_LABEL } from '../deployment.js';
import type { EventType } from '../events.js';
import { STATES, type State } from '../states.js';

interface EventRule {
  /** States in which the event may be accepted (`failed` + rollback is further gated by `canRollBack`). */
  from: readonly State[];
  /** What the event does, as a gerund: "approving". */
  doing: string;
  /** When it is possible, completing "… is only possible <when>". */
  when: string;
}

export const EVENT_RULES: Record<EventType, EventRule> = {
  precheck_started: {
    from: ['requested'],
    doing: 'starting the precheck',
    when: 'before its precheck has started',
  },
  precheck_passed: { from: ['prechecking'], doing: 'passing the precheck', when: 'while its precheck runs' },
  precheck_failed: { from: ['prechecking'], doing: 'failing the precheck', when: 'while its precheck runs' },
  approve: { from: ['awaiting_approval'], doing: 'approving', when: 'while it awaits approval' },
  cancel: {
    from: ['requested', 'prechecking', 'awaiting_approval'],
    doing: 'cancelling',
    when: 'until it is approved',
  },
  approval_expired: {
    from: ['awaiting_approval'],
    doing: 'expiring the approval prompt',
    when: 'while it awaits approval',
  },
  cutover_succeeded: {
    from: ['cutting_over'],
    doing: 'completing the cutover',
    when: 'while it is cutting over',
  },
  cutover_failed: { from: ['cutting_over'], doing: 'failing the cutover', when: 'while it is cutting over' },
  verify_passed: {
    from: ['verifying'],
    doing: 'passing verification',
    when: 'while the cutover is being verified',
  },
  verify_failed: {
    from: ['verifying'],
    doing: 'failing verification',
    when: 'while the cutover is being verified',
  },
  extend: { from: ['soaking'], doing: 'extending the soak', when: 'while it is soaking' },
  teardown_now: { from: ['soaking'], doing: 'tearing down now', when: 'while it is soaking' },
  teardown_due: { from: ['soaking'], doing: 'starting the scheduled teardown', when: 'while it is soaking' },
  teardown_done: {
    from: ['tearing_down'],
    doing: 'finishing the teardown',
    when: 'while the old slot is being torn down',
  },
  teardown_failed: {
    from: ['tearing_down'],
    doing: 'failing the teardown',
    when: 'while the old slot is being torn down',
  },
  rollback: {
    from: ['verifying', 'soaking', 'failed'],
    doing: 'rolling back',
    when: 'after traffic was switched and before the teardown starts',
  },
  rollback_done: {
    from: ['rolling_back'],
    doing: 'finishing the rollback',
    when: 'while it is rolling back',
  },
  rollback_failed: {
    from: ['rolling_back'],
    doing: 'failing the rollback',
    when: 'while it is rolling back',
  },
  unlock: {
    // Any state a deployment is still in progress in: every state but the terminal ones.
    from: STATES.filter((s) => !isTerminal(s)),
    doing: 'unlocking',
    when: 'while it is in progress',
  },
};

/** Every event type, in lifecycle order. */
export const EVENT_TYPES = Object.keys(EVENT_RULES) as readonly EventType[];

/** The state labels, with the in-progress ones spelled out to follow "is" in a sentence. */
const STATE_WORDS: Record<State, string> = {
  ...STATE_LABEL,
  requested: 'waiting for its precheck',
  prechecking: 'running its precheck',
  verifying: 'verifying the cutover',
  tearing_down: 'tearing down the old slot',
};

/** Human words for a state, fit to follow "is": 'awaiting approval', 'soaking', … */
export function describeState(state: State): string {
  return STATE_WORDS[state];
}
