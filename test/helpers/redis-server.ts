/** Tests start real redis-server processes through the same code the sandbox uses. */
export { freePort, type RedisProcess, startRedis } from '../../sandbox/redis-process.js';
