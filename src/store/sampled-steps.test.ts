import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sampleSteps } from './sampled-steps.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('sampleSteps', () => {
  it.each([
    ['fewer steps than max_results: all of them', [[0, 2, 4]], undefined, 10, [0, 2, 4]],
    [
      'every tenth of 100 steps, and the last',
      [range(0, 99)],
      undefined,
      10,
      [...range(0, 9).map((i) => i * 10), 99],
    ],
    ['a fractional interval, floored', [range(0, 9)], undefined, 4, [0, 2, 5, 7, 9]],
    [
      'the steps of both runs, with each run’s first and last',
      [range(0, 99), [5, 95]],
      undefined,
      4,
      [0, 5, 25, 50, 75, 95, 99],
    ],
    [
      'a range that starts past the first step',
      [range(0, 99)],
      { start: 50, end: 99 },
      5,
      [50, 60, 70, 80, 90, 99],
    ],
    [
      'a range keeps first and last steps inside it only',
      [range(0, 99), [12, 300]],
      { start: 10, end: 19 },
      3,
      [10, 12, 13, 16, 19],
    ],
    ['by default from step 0: negative steps left out', [[-5, -1, 2]], undefined, 10, [2]],
    ['by default, runs of negative steps only: nothing', [[-5, -1]], undefined, 10, []],
    ['no steps', [[], []], undefined, 10, []],
    ['a range holding no steps', [[1, 9]], { start: 3, end: 7 }, 10, []],
    ['one step, max_results 1', [[7]], undefined, 1, [7]],
  ] as const)('%s', (_name, steps, stepRange, maxResults, expected) => {
    expect(sampleSteps(steps, stepRange, maxResults)).toEqual(expected);
  });

  const runs = fc.array(
    fc
      .uniqueArray(fc.integer({ min: -50, max: 500 }), { maxLength: 300 })
      .map((s) => s.sort((a, b) => a - b)),
    { minLength: 1, maxLength: 4 },
  );

  it('keeps to the range, within max_results plus the kept ends, and always keeps those ends', () => {
    fc.assert(
      fc.property(
        runs,
        fc.integer({ min: 1, max: 60 }),
        fc.option(fc.tuple(fc.integer({ min: -60, max: 520 }), fc.integer({ min: 0, max: 200 }))),
        (stepsPerRun, maxResults, bounds) => {
          const r = bounds ? { start: bounds[0], end: bounds[0] + bounds[1] } : undefined;
          const sampled = sampleSteps(stepsPerRun, r, maxResults);
          const all = [...new Set(stepsPerRun.flat())].sort((a, b) => a - b);
          const start = r?.start ?? 0;
          const end = r?.end ?? all.at(-1) ?? 0;
          const inRange = all.filter((s) => s >= start && s <= end);
          const ends = stepsPerRun.flatMap((s) => (s.length > 0 ? [s[0], s.at(-1)] : [])) as number[];
          expect(sampled).toEqual([...new Set(sampled)].sort((a, b) => a - b));
          for (const step of sampled) expect(inRange).toContain(step);
          if (inRange.length <= maxResults) expect(sampled).toEqual(inRange);
          else {
            expect(sampled.length).toBeLessThanOrEqual(maxResults + 1 + 2 * stepsPerRun.length);
            expect(sampled).toContain(inRange.at(-1));
            expect(sampled).toContain(inRange[0]);
          }
          for (const step of ends.filter((s) => s >= start && s <= end)) expect(sampled).toContain(step);
        },
      ),
    );
  });
});
