/** For the SDK adapter unit tests: a client that never reaches AWS, with its mock reset around each test. */
import { afterEach, beforeEach } from 'vitest';

/** Region and static credentials, so the SDK resolves nothing from the environment. */
export const SDK_TEST_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
};

/** Resets an `aws-sdk-client-mock` stub before and after each test of the file. */
export function resetAroundEach(mock: { reset(): unknown }): void {
  beforeEach(() => mock.reset());
  afterEach(() => mock.reset());
}
