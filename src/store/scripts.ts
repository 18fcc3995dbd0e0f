/**
 * Lua scripts run atomically by Redis. They are compare-and-set steps: the JS side reads, decides,
 * and the script applies the decision only if what it was based on is still current.
 * Audit entries arrive as one JSON array of flat field/value arrays.
 */

/**
 * KEYS: one key. ARGV: the value it must hold. Deletes the key only if it still holds that value
 * (a lease released by its holder, a mark removed only if nobody changed it since): 1 if deleted,
 * else 0.
 */
export const DELETE_IF_EQUAL_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * The event outbox (src/store/event-outbox.ts), appended in the same script as the state change it
 * records: a crash can never keep one without the other. ARGV[n] is a JSON array of
 * [event id, version, entry JSON]; `deployments` gets the deployment id.
 */
const OUTBOX_APPEND = (argv: number, outbox: number, pending: number, deployments: number, id: number) => `
for _, e in ipairs(cjson.decode(ARGV[${argv}])) do
  redis.call('HSET', KEYS[${outbox}], e[1], e[3])
  redis.call('ZADD', KEYS[${pending}], e[2], e[1])
  redis.call('SADD', KEYS[${deployments}], ARGV[${id}])
end
`;

/**
 * KEYS: lock, record, service zset, active set, audit stream, event outbox, event pending zset,
 *       event deployments set.
 * ARGV: id, record JSON, createdAt, audit maxlen, audit entries JSON, outbox entries JSON.
 * Returns {'ok'} | {'locked', holderId} | {'exists'}.
 */
export const CREATE_SCRIPT = `
if redis.call('EXISTS', KEYS[2]) == 1 then return {'exists'} end
local holder = redis.call('GET', KEYS[1])
if holder then return {'locked', holder} end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
for _, fields in ipairs(cjson.decode(ARGV[5])) do
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[4], '*', unpack(fields))
end
${OUTBOX_APPEND(6, 6, 7, 8, 1)}
return {'ok'}
`;

/**
 * KEYS: record, lock, active set, audit stream, event outbox, event pending zset, event
 *       deployments set.
 * ARGV: expected record JSON, expected lock value ('' = no lock), next record JSON,
 *       lock op ('keep' | 'release' | 'take'), id, active op ('add' | 'rem'), audit maxlen,
 *       audit entries JSON, outbox entries JSON.
 * Returns 'ok' or 'conflict' (record or lock changed since they were read: nothing written).
 */
export const UPDATE_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'conflict' end
local lock = redis.call('GET', KEYS[2]) or ''
if lock ~= ARGV[2] then return 'conflict' end
redis.call('SET', KEYS[1], ARGV[3])
if ARGV[4] == 'release' then
  if lock == ARGV[5] then redis.call('DEL', KEYS[2]) end
elseif ARGV[4] == 'take' then
  redis.call('SET', KEYS[2], ARGV[5])
end
if ARGV[6] == 'rem' then redis.call('SREM', KEYS[3], ARGV[5]) else redis.call('SADD', KEYS[3], ARGV[5]) end
for _, fields in ipairs(cjson.decode(ARGV[8])) do
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[7], '*', unpack(fields))
end
${OUTBOX_APPEND(9, 5, 6, 7, 5)}
return 'ok'
`;
