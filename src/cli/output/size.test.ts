import { describe, expect, it } from 'vitest';
import { formatSize } from './size.js';

describe('formatSize', () => {
  it.each([
    [0, '0 B'],
    [119, '119 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [1024 * 1024 - 1, '1.0 MiB'],
    [20 * 1024 * 1024, '20.0 MiB'],
    [3 * 1024 ** 3, '3.0 GiB'],
    [2 * 1024 ** 5, '2048.0 TiB'],
    [undefined, '-'],
    [Number.NaN, '-'],
  ])('%s', (bytes, expected) => {
    expect(formatSize(bytes)).toBe(expected);
  });
});
