import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRunStatus, isViewType, metricValueToJson, toMlflowJson } from './index.js';

describe('entities', () => {
  it.each([
    [Number.NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
    [0.5, 0.5],
    [-0, -0],
  ])('metricValueToJson(%s) is %j', (value, expected) => {
    expect(metricValueToJson(value)).toEqual(expected);
  });

  it("serializes metric values as MLflow's wire does", () => {
    const run = {
      data: {
        metrics: [
          { key: 'loss', value: Number.NaN, timestamp: 1, step: 0 },
          { key: 'm', value: -Infinity, timestamp: 1, step: 0 },
        ],
      },
    };
    expect(toMlflowJson(run)).toBe(
      '{"data":{"metrics":[{"key":"loss","value":"NaN","timestamp":1,"step":0},{"key":"m","value":"-Infinity","timestamp":1,"step":0}]}}',
    );
  });

  it('serializes any value as JSON.stringify with non-finite numbers as strings would', () => {
    const reference = (value: unknown) =>
      JSON.stringify(value, (_key, v: unknown) =>
        typeof v === 'number' && !Number.isFinite(v) ? metricValueToJson(v) : v,
      );
    const leaf = fc.oneof(
      fc.double(),
      fc.constantFrom(Number.NaN, Infinity, -Infinity, null, 'null', 'nullable', true),
      fc.string(),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('node')),
        fc.dictionary(fc.string(), tie('node')),
      ),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        expect(toMlflowJson(v)).toBe(reference(v));
      }),
    );
    expect(toMlflowJson({ note: 'null', loss: Number.NaN })).toBe('{"note":"null","loss":"NaN"}');
  });

  it('recognises run statuses and view types', () => {
    expect(isRunStatus('FINISHED')).toBe(true);
    expect(isRunStatus('finished')).toBe(false);
    expect(isViewType('ALL')).toBe(true);
    expect(isViewType('ANY')).toBe(false);
  });
});
