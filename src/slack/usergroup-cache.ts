/**
 * Resolves which of the configured Slack user groups a user belongs to, through
 * `usergroups.users.list`, cached briefly (membership changes take effect within the TTL).
 * A lookup that fails counts as "not a member": authorization fails closed.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../ops/logger.js';

export interface GroupResolver {
  groupsOf(userId: string, groupIds: readonly string[]): Promise<string[]>;
}

export function createGroupResolver(
  members: (groupId: string) => Promise<string[]>,
  opts: { ttlMs?: number; now?: () => number; log?: Logger } = {},
): GroupResolver {
  const ttl = opts.ttlMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { at: number; users: Promise<Set<string>> }>();

  const lookup = (groupId: string): Promise<Set<string>> => {
    const hit = cache.get(groupId);
    if (hit && now() - hit.at < ttl) return hit.users;
    const users = members(groupId).then(
      (list) => new Set(list),
      (err: unknown) => {
        cache.delete(groupId);
        opts.log?.warn({ groupId, err: errorMessage(err) }, 'user group lookup failed');
        return new Set<string>();
      },
    );
    cache.set(groupId, { at: now(), users });
    return users;
  };

  return {
    async groupsOf(userId, groupIds) {
      const sets = await Promise.all(groupIds.map(lookup));
      return groupIds.filter((_, i) => sets[i]?.has(userId));
    },
  };
}
