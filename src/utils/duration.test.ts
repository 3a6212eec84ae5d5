import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['1d2h3m4s', 93_784_000],
    ['1.2d3h4m5s', 114_725_000],
    ['8h', 28_800_000],
    ['2m4s', 124_000],
    ['.5s', 500],
    ['0s', 0],
    ['1.5h', 5_400_000],
  ])('reads %j as MLflow does', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '1', '1h2d', '1.2.3d', '1w', ' 1d', '-1d', '1d ', 'd'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(
      expect.objectContaining({
        code: 'INVALID_PARAMETER_VALUE',
        message: expect.stringContaining(`Could not parse any time information from '${text}'`),
      }),
    );
  });

  it('refuses a duration too long to count in milliseconds', () => {
    expect(() => parseDuration('9999999999999999d')).toThrow(/too long/);
  });
});
