import { describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../sandbox/slack-signing.js';
import { readFixture } from '../helpers/slack-requests.js';

interface Vector {
  signingSecret: string;
  timestamp: string;
  body: string;
  signature: string;
}

const vector = JSON.parse(readFixture('slack/signature-vector.json')) as Vector;

describe('signSlackRequest', () => {
  it('reproduces Slack’s published signature example exactly', () => {
    expect(signSlackRequest(vector.signingSecret, vector.timestamp, vector.body)).toBe(vector.signature);
  });

  it('gives the same signature for a numeric timestamp', () => {
    expect(signSlackRequest(vector.signingSecret, Number(vector.timestamp), vector.body)).toBe(
      vector.signature,
    );
  });

  it('changes when the body, the timestamp or the secret changes', () => {
    const base = signSlackRequest(vector.signingSecret, vector.timestamp, vector.body);
    expect(signSlackRequest(vector.signingSecret, vector.timestamp, `${vector.body}&x=1`)).not.toBe(base);
    expect(signSlackRequest(vector.signingSecret, Number(vector.timestamp) + 1, vector.body)).not.toBe(base);
    expect(signSlackRequest(`${vector.signingSecret}0`, vector.timestamp, vector.body)).not.toBe(base);
  });

  it('returns v0= followed by 64 hex digits', () => {
    expect(signSlackRequest('secret', 1, '')).toMatch(/^v0=[0-9a-f]{64}$/);
  });
});
