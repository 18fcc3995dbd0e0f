/**
 * One service on the demo load balancer (sandbox/fake-elb/demo.ts) as config YAML, for the
 * configs of the e2e tests, the job rig and the benchmarks (they go through the real loader).
 */
import { DEMO } from '../../sandbox/fake-elb/demo.js';

export interface DemoService {
  /** The key under `services:`. */
  name: string;
  channel: string;
  /** Whose listener and blue/green target groups (default: checkout's). */
  demo?: 'checkout' | 'search';
  /** Approving users. */
  users: string[];
  /** Approving user groups (no `usergroups:` line when absent). */
  usergroups?: string[];
}

/** The service's lines under `services:` (indented by two), up to and including its approvers. */
export function demoServiceYaml(s: DemoService): string[] {
  const arns = DEMO[s.demo ?? 'checkout'];
  return [
    `  ${s.name}:`,
    `    channel: ${s.channel}`,
    '    listeners:',
    `      - ${arns.listenerArn}`,
    '    slots:',
    `      blue: ${arns.blueArn}`,
    `      green: ${arns.greenArn}`,
    '    approvers:',
    `      users: [${s.users.join(', ')}]`,
    ...(s.usergroups ? [`      usergroups: [${s.usergroups.join(', ')}]`] : []),
  ];
}

/**
 * A service of a many-services world (the chaos run, the many-services benchmark) under
 * `services:`: its listeners and slots, approved by U0APPROVER, its traffic judged on 1 s periods.
 */
export function fastServiceYaml(s: {
  name: string;
  channel: string;
  listeners: string[];
  blue: string;
  green: string;
}): string[] {
  return [
    `  ${s.name}:`,
    `    channel: ${s.channel}`,
    `    listeners: [${s.listeners.join(', ')}]`,
    '    slots:',
    `      blue: ${s.blue}`,
    `      green: ${s.green}`,
    '    approvers:',
    '      users: [U0APPROVER]',
    '    traffic:',
    '      period: 1s',
    '      pollInterval: 1s',
  ];
}
