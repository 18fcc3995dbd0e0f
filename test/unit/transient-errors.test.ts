import { describe, expect, it } from 'vitest';
import { classifyFailure, isTransientError, isTransientRedisError, runStep } from '../../src/app/failures.js';
import {
  AwsCallError,
  ListenerBusyError,
  LockLostError,
  PermanentJobError,
  SwitchAbortedError,
} from '../../src/errors.js';

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

describe('classifying a failure once for every job', () => {
  const throttled = new AwsCallError('ModifyRule', 'Throttling', 'Rate exceeded');
  const denied = new AwsCallError('ModifyRule', 'AccessDenied', 'not authorized');
  const putBack = (cause: Error, unconfirmed: string[]) =>
    new SwitchAbortedError(cause, 1, [], 'green', { touchedSites: [':443 rule 10'], unconfirmed });

  it.each<[string, unknown, ReturnType<typeof classifyFailure>]>([
    ['AWS throttling', throttled, 'transient'],
    ['a switch put back and read back after throttling', putBack(throttled, []), 'transient'],
    ['a switch put back after a refusal', putBack(denied, []), 'failure'],
    ['a switch left partly applied', putBack(throttled, [':443 rule 10']), 'failure'],
    ['forwards held by another deployment', new ListenerBusyError('busy'), 'busy'],
    ['a lock that changed hands', new LockLostError('lost'), 'lock-lost'],
    [
      'a deployment that no longer exists',
      new PermanentJobError('GL_DEPLOYMENT_NOT_FOUND', 'gone'),
      'permanent',
    ],
    ['AWS refusing permission', denied, 'failure'],
    ['a thrown string', 'boom', 'failure'],
  ])('%s → %s', (_what, err, kind) => {
    expect(classifyFailure(err)).toBe(kind);
  });

  it('runStep rethrows what the queue runs again and returns the rest with its message', async () => {
    await expect(runStep(() => Promise.reject(throttled))).rejects.toBe(throttled);
    const busy = new ListenerBusyError('busy');
    await expect(runStep(() => Promise.reject(busy))).rejects.toBe(busy);
    await expect(runStep(() => Promise.reject(denied))).resolves.toStrictEqual({
      ok: false,
      message: denied.message,
    });
    const lost = new LockLostError('lost');
    await expect(runStep(() => Promise.reject(lost))).resolves.toStrictEqual({ ok: false, message: 'lost' });
    const gone = new PermanentJobError('GL_DEPLOYMENT_NOT_FOUND', 'gone');
    await expect(runStep(() => Promise.reject(gone))).resolves.toStrictEqual({ ok: false, message: 'gone' });
    await expect(runStep(() => Promise.resolve(42))).resolves.toStrictEqual({ ok: true, value: 42 });
  });
});
