import { describe, expect, it } from 'vitest';
import { parseRetryAfter, retryDelayMs } from './retry-delay.js';

const settings = { backoffFactorMs: 2_000, backoffJitterMs: 1_000, backoffMaxMs: 120_000 };

describe('retryDelayMs', () => {
  it.each([
    [1, 0, 2_000],
    [2, 0, 4_000],
    [3, 0.5, 8_500],
    [7, 0, 120_000],
    [7, 0.999, 120_999],
  ])('retry %i with random %d waits %i ms', (retry, random, expected) => {
    expect(retryDelayMs(retry, settings, undefined, () => random)).toBe(expected);
  });

  it("waits for the server's Retry-After instead, within the maximum", () => {
    expect(retryDelayMs(1, settings, 5_000, () => 0.9)).toBe(5_000);
    expect(retryDelayMs(1, settings, 3_600_000)).toBe(120_000);
    expect(retryDelayMs(1, settings, -5)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    ['3', 3_000],
    [' 0 ', 0],
    ['Thu, 01 Jan 2026 00:00:10 GMT', 10_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['soon', undefined],
    ['-1', undefined],
    ['1.5', undefined],
  ])('%s is %s ms', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });

  it('is undefined without the header', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
