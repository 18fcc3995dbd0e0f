/**
 * The people, channels and user groups of the sandbox workspace. The ids match the demo config
 * (`sandbox/greenlight.sandbox.yml`): U0APPROVER approves, S0SRE's member approves through the
 * group, U0REQUESTER asks, U0STRANGER may ask but not approve.
 */
import type { GreenlightConfig } from '../src/domain/service.js';
import { FAKE_BOT } from './fake-slack-methods.js';
import { SLACKBOT } from './sandbox-feed.js';

export const SANDBOX_USERS = {
  requester: 'U0REQUESTER',
  approver: 'U0APPROVER',
  sre: 'U0SREMEMBER',
  stranger: 'U0STRANGER',
} as const;

export type SandboxRole = keyof typeof SANDBOX_USERS;

export interface Person {
  id: string;
  /** Display name (mentions render as `@handle`). */
  name: string;
  handle: string;
  role: SandboxRole | 'bot' | 'slackbot';
  /** What this person may do in the demo. */
  title: string;
}

export const SANDBOX_PEOPLE: readonly Person[] = [
  {
    id: SANDBOX_USERS.requester,
    name: 'Riley Chen',
    handle: 'riley',
    role: 'requester',
    title: 'developer · requests deploys',
  },
  {
    id: SANDBOX_USERS.approver,
    name: 'Avery Patel',
    handle: 'avery',
    role: 'approver',
    title: 'approver of checkout and search',
  },
  {
    id: SANDBOX_USERS.sre,
    name: 'Sam Okafor',
    handle: 'sam',
    role: 'sre',
    title: 'on-call SRE · member of @sre-oncall',
  },
  {
    id: SANDBOX_USERS.stranger,
    name: 'Casey Moreau',
    handle: 'casey',
    role: 'stranger',
    title: 'not an approver',
  },
];

export const SANDBOX_GROUPS = [{ id: 'S0SRE', handle: 'sre-oncall', members: [SANDBOX_USERS.sre] }];

export const BOTS: readonly Person[] = [
  { id: FAKE_BOT.userId, name: 'Greenlight', handle: FAKE_BOT.name, role: 'bot', title: 'app' },
  { id: SLACKBOT, name: 'Slackbot', handle: 'slackbot', role: 'slackbot', title: 'Slackbot' },
];

export interface Channel {
  id: string;
  name: string;
  services: string[];
}

/** One channel per service channel of the config, named after its first service (`#checkout`). */
export function sandboxChannels(config: GreenlightConfig): Channel[] {
  const byId = new Map<string, Channel>();
  for (const svc of Object.values(config.services)) {
    const ch = byId.get(svc.channel) ?? { id: svc.channel, name: svc.name, services: [] };
    ch.services.push(svc.name);
    byId.set(svc.channel, ch);
  }
  return [...byId.values()];
}

export function isSandboxUser(id: string): boolean {
  return SANDBOX_PEOPLE.some((p) => p.id === id);
}

export function personName(id: string): string {
  return [...SANDBOX_PEOPLE, ...BOTS].find((p) => p.id === id)?.handle ?? id.toLowerCase();
}
