import { describe, expect, it } from 'vitest';
import { AwsCallError } from '../../src/errors.js';
import { isTransientError, isTransientRedisError } from '../../src/jobs/aws-errors.js';

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('which failures a job runs again for', () => {
  it.each([
    [
      'ioredis giving up on a command',
      named('MaxRetriesPerRequestError', 'Reached the max retries per request limit (which is 3).'),
    ],
    ['a closed connection', new Error('Connection is closed.')],
    ['Redis replaying its AOF', named('ReplyError', 'LOADING Redis is loading the dataset in memory')],
    [
      'a replica during failover',
      named('ReplyError', "READONLY You can't write against a read only replica."),
    ],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }),
    ],
  ])('%s is a transient Redis failure', (_what, err) => {
    expect(isTransientRedisError(err)).toBe(true);
    expect(isTransientError(err)).toBe(true);
  });

  it('keeps AWS throttling transient and a refused permission final', () => {
    expect(isTransientError(new AwsCallError('ModifyRule', 'Throttling', 'Rate exceeded'))).toBe(true);
    expect(isTransientError(new AwsCallError('ModifyRule', 'AccessDenied', 'not authorized'))).toBe(false);
    expect(isTransientError(new Error('deployment x does not exist'))).toBe(false);
  });
});
