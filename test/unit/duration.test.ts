import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/domain/duration.js';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('parseDuration', () => {
  it.each([
    ['90s', 90 * S],
    ['5m', 5 * M],
    ['24h', 24 * H],
    ['7d', 7 * D],
    ['250ms', 250],
    ['1h30m', H + 30 * M],
    ['1d2h3m4s5ms', D + 2 * H + 3 * M + 4 * S + 5],
    ['1m1ms', M + 1],
    ['0s', 0],
    ['007m', 7 * M],
    ['  2H ', 2 * H],
    ['1MS', 1],
  ])('reads %j as %d ms', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['   ', 'blank'],
    ['5', 'a number without unit'],
    ['h', 'a unit without number'],
    ['3x', 'an unknown unit'],
    ['1 h', 'a space inside'],
    ['1h 30m', 'a space between parts'],
    ['-5m', 'a negative number'],
    ['1.5h', 'a fraction'],
    ['5m!', 'trailing junk'],
    ['x5m', 'leading junk'],
    ['1w', 'weeks'],
    ['٣h', 'non-ASCII digits'],
    ['1'.repeat(40) + 's', 'more than 32 characters'],
    ['9'.repeat(30) + 'd', 'a value beyond the safe integer range'],
  ])('rejects %j (%s)', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('gives the same answer when called again after a rejection', () => {
    expect(parseDuration('5m!')).toBeNull();
    expect(parseDuration('5m')).toBe(5 * M);
    expect(parseDuration('5m')).toBe(5 * M);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [250, '250ms'],
    [999.4, '999ms'],
    [999.6, '1s'],
    [S, '1s'],
    [90 * S, '1m30s'],
    [H + 30 * M, '1h30m'],
    [D, '1d'],
    [30 * D, '30d'],
    [D + H + M + S, '1d1h1m1s'],
    [1_500, '2s'],
    [-5, '0ms'],
    [Number.NaN, '0ms'],
    [Number.POSITIVE_INFINITY, '0ms'],
  ])('writes %d ms as %j', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  it.each(['30s', '5m', '23h', '7d', '1h30m', '1d2h3m4s'])('round-trips the canonical form %j', (text) => {
    expect(formatDuration(parseDuration(text) as number)).toBe(text);
  });
});
