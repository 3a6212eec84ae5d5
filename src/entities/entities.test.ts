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

  it('recognises run statuses and view types', () => {
    expect(isRunStatus('FINISHED')).toBe(true);
    expect(isRunStatus('finished')).toBe(false);
    expect(isViewType('ALL')).toBe(true);
    expect(isViewType('ANY')).toBe(false);
  });
});
