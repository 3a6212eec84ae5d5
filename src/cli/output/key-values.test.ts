import { describe, expect, it } from 'vitest';
import { formatKeyValues } from './key-values.js';

describe('formatKeyValues', () => {
  it('aligns values and continues a list under its first line', () => {
    expect(
      formatKeyValues([
        ['id', 'abc'],
        ['metrics', ['a = 1', 'b = 2']],
        ['gate', []],
      ]),
    ).toBe('id:       abc\nmetrics:  a = 1\n          b = 2\ngate:     -\n');
  });

  it('is empty with nothing to show', () => {
    expect(formatKeyValues([])).toBe('');
  });
});
