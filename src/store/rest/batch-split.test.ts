import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toMlflowJson, type Metric, type Param } from '../../entities/index.js';
import { MLFLOW_BATCH_LIMITS, splitLogBatch, type BatchLimits, type LogBatchBody } from './batch-split.js';

const metric = (i: number): Metric => ({ key: `m${i}`, value: i, timestamp: 1, step: 0 });
const param = (i: number, value = 'v'): Param => ({ key: `p${i}`, value });
const counts = (bodies: LogBatchBody[]) =>
  bodies.map((b) => [b.params?.length ?? 0, b.tags?.length ?? 0, b.metrics?.length ?? 0]);

describe('splitLogBatch', () => {
  it("keeps a batch within the limits in one body, in MLflow's field order with run_id on each metric", () => {
    const bodies = splitLogBatch('r1', {
      metrics: [{ key: 'loss', value: Number.NaN, timestamp: 5, step: 1 }],
      params: [param(0)],
      tags: [{ key: 't', value: 'x' }],
    });
    expect(bodies.map((b) => toMlflowJson(b))).toEqual([
      '{"run_id":"r1","metrics":[{"key":"loss","value":"NaN","timestamp":5,"step":1,"run_id":"r1"}],' +
        '"params":[{"key":"p0","value":"v"}],"tags":[{"key":"t","value":"x"}]}',
    ]);
  });

  it('makes one body of an empty batch', () => {
    expect(splitLogBatch('r1', {})).toEqual([{ run_id: 'r1' }]);
  });

  it('fills bodies params first, then tags, then metrics', () => {
    const bodies = splitLogBatch('r', {
      params: Array.from({ length: 250 }, (_, i) => param(i)),
      tags: Array.from({ length: 120 }, (_, i) => ({ key: `t${i}`, value: 'v' })),
      metrics: Array.from({ length: 2100 }, (_, i) => metric(i)),
    });
    expect(counts(bodies)).toEqual([
      [100, 0, 0],
      [100, 0, 0],
      [50, 100, 0],
      [0, 20, 980],
      [0, 0, 1000],
      [0, 0, 120],
    ]);
  });

  it('cuts by bytes at exactly the limit', () => {
    const one = splitLogBatch('r', { params: [param(0, 'x'.repeat(50))] });
    const size = Buffer.byteLength(toMlflowJson(one[0]));
    const limits = { ...MLFLOW_BATCH_LIMITS, bytes: size };
    expect(splitLogBatch('r', { params: [param(0, 'x'.repeat(50))] }, limits)).toHaveLength(1);
    expect(
      splitLogBatch('r', { params: [param(0, 'x'.repeat(51))] }, { ...limits, bytes: size + 1 }),
    ).toHaveLength(1);
    expect(() =>
      splitLogBatch('r', { params: [param(0, 'x'.repeat(52))] }, { ...limits, bytes: size + 1 }),
    ).toThrow(/A single param of \d+ bytes does not fit/);
  });

  it('counts bytes of multi-byte characters and escapes', () => {
    const value = '€"\n'.repeat(1000);
    const bodies = splitLogBatch(
      'r',
      { params: Array.from({ length: 50 }, (_, i) => param(i, value)) },
      { ...MLFLOW_BATCH_LIMITS, bytes: 50_000 },
    );
    expect(bodies.length).toBeGreaterThan(1);
    for (const body of bodies) expect(Buffer.byteLength(toMlflowJson(body))).toBeLessThanOrEqual(50_000);
  });

  it('keeps every entity once, in order, within every limit', () => {
    const entity = fc.record({
      key: fc.string({ minLength: 1, maxLength: 8 }),
      value: fc.string({ maxLength: 60, unit: 'grapheme' }),
    });
    fc.assert(
      fc.property(
        fc.array(entity, { maxLength: 30 }),
        fc.array(entity, { maxLength: 30 }),
        fc.array(fc.double(), { maxLength: 60 }),
        fc.record({
          params: fc.integer({ min: 1, max: 7 }),
          tags: fc.integer({ min: 1, max: 7 }),
          metrics: fc.integer({ min: 1, max: 20 }),
          entities: fc.integer({ min: 1, max: 25 }),
          bytes: fc.integer({ min: 400, max: 3_000 }),
        }),
        (params, tags, values, limits: BatchLimits) => {
          const metrics = values.map((value, i) => ({ key: `m${i}`, value, timestamp: i, step: i }));
          const bodies = splitLogBatch('run', { params, tags, metrics }, limits);
          for (const body of bodies) {
            expect(Buffer.byteLength(toMlflowJson(body))).toBeLessThanOrEqual(limits.bytes);
            const [p, t, m] = counts([body])[0] ?? [];
            expect(p).toBeLessThanOrEqual(limits.params);
            expect(t).toBeLessThanOrEqual(limits.tags);
            expect(m).toBeLessThanOrEqual(limits.metrics);
            expect((p ?? 0) + (t ?? 0) + (m ?? 0)).toBeLessThanOrEqual(limits.entities);
          }
          expect(bodies.flatMap((b) => b.params ?? [])).toEqual(params);
          expect(bodies.flatMap((b) => b.tags ?? [])).toEqual(tags);
          expect(bodies.flatMap((b) => (b.metrics ?? []).map(({ run_id: _r, ...m }) => m))).toEqual(metrics);
          const firstMetric = bodies.findIndex((b) => b.metrics);
          const lastParam = bodies.findLastIndex((b) => b.params);
          if (firstMetric >= 0 && lastParam >= 0) expect(lastParam).toBeLessThanOrEqual(firstMetric);
        },
      ),
    );
  });
});
