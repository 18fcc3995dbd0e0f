/**
 * A deadline on a promise: what it settles with, or TOO_LATE once `ms` have passed (the timer is
 * cleared either way). No I/O, only the global timer: the surfaces that wait for AWS at most so
 * long (the App Home and the `/deploy` form, the precheck's version read) and Slack's
 * acknowledgement budget share it.
 */

/** What `beforeDeadline` gives when the deadline came first. */
export const TOO_LATE: unique symbol = Symbol('too late');

/** `p`'s outcome (its value, or its rejection), or TOO_LATE when `ms` pass first. */
export async function beforeDeadline<T>(p: Promise<T>, ms: number): Promise<T | typeof TOO_LATE> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<typeof TOO_LATE>((resolve) => {
    timer = setTimeout(() => resolve(TOO_LATE), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}
