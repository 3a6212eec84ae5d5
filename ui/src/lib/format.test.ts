import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDuration,
  formatNumber,
  formatRelativeTime,
  toNumber,
  truncate,
} from './format.js';

describe('formatNumber', () => {
  it.each([
    [NaN, 'NaN'],
    ['NaN', 'NaN'],
    [Infinity, '+Infinity'],
    ['Infinity', '+Infinity'],
    ['-Infinity', '-Infinity'],
    [0, '0'],
    [12345, '12,345'],
    [0.123456789, '0.123457'],
    [1.5e12, '1.500e12'],
    [0.00001234, '1.234e-5'],
  ])('%s reads as %s', (value, expected) => {
    expect(formatNumber(value)).toBe(expected);
  });

  it('reads the wire forms of non-finite values', () => {
    expect(toNumber('-Infinity')).toBe(-Infinity);
    expect(Number.isNaN(toNumber(undefined))).toBe(true);
  });
});

describe('formatDuration', () => {
  it.each([
    [850, '850 ms'],
    [1234, '1.23 s'],
    [42_000, '42.0 s'],
    [245_000, '4 min 05 s'],
    [7_380_000, '2 h 03 min'],
    [273_600_000, '3 d 4 h'],
    [null, '—'],
  ])('%s ms reads as %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('formatRelativeTime', () => {
  const now = Date.UTC(2026, 11, 1, 12);
  it.each([
    [now - 2000, 'just now'],
    [now - 3 * 60_000, '3 minutes ago'],
    [now - 26 * 3600_000, 'yesterday'],
    [now + 2 * 3600_000, 'in 2 hours'],
  ])('%s reads as %s', (time, expected) => {
    expect(formatRelativeTime(time, now)).toBe(expected);
  });
});

describe('formatBytes and truncate', () => {
  it('reads sizes and cuts long text with an ellipsis', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3.2 * 1024 * 1024)).toBe('3.2 MiB');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});
