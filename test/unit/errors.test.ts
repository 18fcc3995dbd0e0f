import { describe, expect, it } from 'vitest';
import * as errors from '../../src/errors.js';

const cause = new errors.AwsCallError('ModifyRule', 'Throttling', 'Rate exceeded');

/** One instance of every error class the module exports but AwsCallError (whose code is AWS's). */
const INSTANCES: Record<string, Error> = {
  PermanentJobError: new errors.PermanentJobError('GL_DEPLOYMENT_NOT_FOUND', 'gone'),
  NotDueYetError: new errors.NotDueYetError('early'),
  EventNotDeliveredError: new errors.EventNotDeliveredError('the receiver answered 503', 2_000),
  NotYetError: new errors.NotYetError('no thread'),
  ListenerBusyError: new errors.ListenerBusyError('busy'),
  LockLostError: new errors.LockLostError('lost'),
  SlotNotReadyError: new errors.SlotNotReadyError('blue has 0 healthy targets'),
  SwitchAbortedError: new errors.SwitchAbortedError(cause, 0, [], 'green', {
    touchedSites: [],
    unconfirmed: [],
  }),
  CorruptRecordError: new errors.CorruptRecordError('gl:deployment:x', ['not JSON']),
  StoreConflictError: new errors.StoreConflictError('x', 20),
  StoreMisuseError: new errors.StoreMisuseError('no'),
};

describe('the errors module', () => {
  it('has an instance above for every error class it exports', () => {
    const classes = Object.entries(errors)
      .filter(([, v]) => typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof Error)
      .map(([name]) => name)
      .filter((name) => name !== 'AwsCallError' && name !== 'GreenlightError');
    expect(classes.sort()).toEqual(Object.keys(INSTANCES).sort());
  });

  it.each(Object.entries(INSTANCES))('%s is a GreenlightError with its own code and name', (name, err) => {
    expect(err).toBeInstanceOf(errors.GreenlightError);
    expect((err as errors.GreenlightError).code).toMatch(/^(GL|STORE)_[A-Z_]+$/);
    expect(err.name).toBe(name);
  });

  it('gives each class a different code (but PermanentJobError, which takes the code it is given)', () => {
    const codes = Object.entries(INSTANCES)
      .filter(([name]) => name !== 'PermanentJobError')
      .map(([, err]) => (err as errors.GreenlightError).code);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
