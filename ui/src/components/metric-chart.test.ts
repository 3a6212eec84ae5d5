import { describe, expect, it } from 'vitest';
import { alignSeries, summarize } from './metric-chart.js';

describe('alignSeries', () => {
  it('draws NaN and ±Infinity as gaps (null) and joins over steps a line lacks (undefined)', () => {
    const data = alignSeries([
      {
        label: 'a',
        points: [
          { step: 0, value: 1 },
          { step: 2, value: Number.NaN },
          { step: 4, value: 3 },
        ],
      },
      {
        label: 'b',
        points: [
          { step: 1, value: Number.POSITIVE_INFINITY },
          { step: 2, value: 2 },
          { step: 3, value: Number.NEGATIVE_INFINITY },
        ],
      },
    ]);
    expect(data).toEqual([
      [0, 1, 2, 3, 4],
      [1, undefined, null, undefined, 3],
      [undefined, null, 2, null, undefined],
    ]);
  });

  it('keeps one line as it came, a gap where it logged a non-finite value', () => {
    const points = [
      { step: 0, value: 0.5 },
      { step: 10, value: Number.NaN },
      { step: 20, value: 0.25 },
    ];
    expect(alignSeries([{ label: 'loss', points }])).toEqual([
      [0, 10, 20],
      [0.5, null, 0.25],
    ]);
  });
});

describe('summarize', () => {
  it('takes min and max over the finite values, and the last value whatever it is', () => {
    expect(
      summarize([
        { step: 0, value: Number.NEGATIVE_INFINITY },
        { step: 1, value: 2 },
        { step: 2, value: -1 },
        { step: 3, value: Number.NaN },
      ]),
    ).toEqual({ min: -1, max: 2, last: Number.NaN, points: 4 });
    expect(summarize([])).toEqual({ min: undefined, max: undefined, last: undefined, points: 0 });
  });
});
