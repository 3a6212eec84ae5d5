import { describe, expect, it } from 'vitest';
import { formatTime } from './time.js';

describe('formatTime', () => {
  it.each([
    [Date.UTC(2026, 10, 26, 10, 15, 0, 999), '2026-11-26T10:15:00Z'],
    [0, '1970-01-01T00:00:00Z'],
    [undefined, '-'],
    [null, '-'],
    [NaN, '-'],
    [8.64e15 + 1, '-'],
  ])('%s', (ms, expected) => {
    expect(formatTime(ms)).toBe(expected);
  });
});
